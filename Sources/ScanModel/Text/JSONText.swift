/// Hand-written JSON string quoting, shared by every module that writes JSON
/// without a Foundation round trip (the posting hot path, device events, the
/// CLI), so escaping rules live in one place. Keys come out in a stable order.
public enum JSONText {
    public static func quote(_ s: String?) -> String {
        guard let s else { return "null" }
        // Fast path: nothing to escape (the usual key, code, GTIN or lot).
        if !s.utf8.contains(where: JSONText.needsEscape) { return "\"" + s + "\"" }
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                // DEL is legal raw JSON but invisible in a terminal; escape it too.
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Bytes that cannot appear raw inside a JSON string literal (or that we
    /// choose to escape): controls, DEL, quote and backslash.
    @inlinable public static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F
    }

    public static func number(_ v: Int64?) -> String { v.map { String($0) } ?? "null" }

    /// A parsed tree written back compactly: members in their order, numbers
    /// as written, strings through `quote`. What `JSONReader` reads from it
    /// is the same tree (positions aside).
    public static func encode(_ value: JSONValue) -> String {
        switch value {
        case .object(let members): return "{" + members.map { quote($0.key) + ":" + encode($0.value.value) }.joined(separator: ",") + "}"
        case .array(let items): return "[" + items.map { encode($0.value) }.joined(separator: ",") + "]"
        case .string(let s): return quote(s)
        case .number(let n): return n.text
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// An object from already-encoded values, keys sorted for stable output.
    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.sorted { $0.0 < $1.0 }.map { "\(quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}
