/// One JSON object with keys sorted, written by hand so `.chk` lines and
/// `replay` output are byte-stable. Shared by the LLRP, HID POS and evdev cores.
public struct CoreJSONObject {
    private var fields: [(key: String, value: String)] = []
    public init() {}

    public mutating func set(_ key: String, _ v: Int) { fields.append((key, String(v))) }
    public mutating func set(_ key: String, _ v: Int64) { fields.append((key, String(v))) }
    public mutating func set(_ key: String, _ v: UInt64) { fields.append((key, String(v))) }
    public mutating func set(_ key: String, _ v: Bool) { fields.append((key, v ? "true" : "false")) }
    public mutating func set(_ key: String, _ v: String) { fields.append((key, CoreJSONObject.quote(v))) }

    public var text: String {
        "{" + fields.sorted { $0.key < $1.key }.map { CoreJSONObject.quote($0.key) + ":" + $0.value }.joined(separator: ",") + "}"
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
