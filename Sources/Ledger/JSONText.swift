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

/// Appends JSON to a byte buffer: the posting path builds one document per
/// posting, and byte appends avoid the temporaries of String concatenation.
struct JSONBytes {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func quoted(_ value: String?) {
        guard var s = value else { raw("null"); return }
        let plain = s.withUTF8 { u -> Bool in
            guard !u.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return false }
            bytes.append(0x22)
            bytes.append(contentsOf: u)
            bytes.append(0x22)
            return true
        }
        if !plain { bytes.append(contentsOf: JSONText.quote(s).utf8) }
    }

    mutating func int(_ v: Int64?) {
        guard let v else { raw("null"); return }
        if v >= 0 && v < 10 { bytes.append(0x30 + UInt8(v)); return }
        bytes.append(contentsOf: String(v).utf8)
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}
