/// Hand-written JSON string quoting: the posting hot path and the CLI write
/// JSON without a Foundation round trip, with stable key order.
public enum JSONText {
    public static func quote(_ s: String?) -> String {
        guard let s else { return "null" }
        // Fast path: nothing to escape (the usual key, code, GTIN or lot).
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + s + "\"" }
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
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    public static func number(_ v: Int64?) -> String { v.map { String($0) } ?? "null" }

    /// An object from already-encoded values, keys sorted for stable output.
    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.sorted { $0.0 < $1.0 }.map { "\(quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}
