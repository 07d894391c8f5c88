/// Character rules shared by EPC decoding, encoding and URI parsing.
enum EPCText {
    /// GS1 AI encodable character set 82 (GS1 General Specifications 7.11,
    /// TDS Table A-1): the only characters an alphanumeric EPC field may hold.
    @inline(__always)
    static func isCharacterSet82(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "!"), UInt8(ascii: "\""), UInt8(ascii: "%")...UInt8(ascii: "?"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"), UInt8(ascii: "a")...UInt8(ascii: "z"):
            return true
        default:
            return false
        }
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    static func allDigits(_ s: String) -> Bool { !s.isEmpty && s.utf8.allSatisfy(isDigit) }

    /// Characters of set 82 that an EPC URI must percent-escape (TDS Table A-1).
    @inline(__always)
    static func needsURIEscape(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "/"),
             UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "?"):
            return true
        default:
            return false
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Escapes a set-82 value for an EPC URI (`/` → `%2F`, …).
    static func uriEscaped(_ value: String) -> String {
        guard value.utf8.contains(where: needsURIEscape) else { return value }
        let hex = hexDigits
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count + 8)
        for c in value.utf8 {
            if needsURIEscape(c) {
                out.append(UInt8(ascii: "%")); out.append(hex[Int(c >> 4)]); out.append(hex[Int(c & 0xF)])
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reverses `uriEscaped`; nil when an escape is malformed or the result
    /// leaves character set 82 (e.g. `%23` = `#`).
    static func uriUnescaped(_ value: Substring) -> String? {
        let bytes = Array(value.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            var c = bytes[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let hi = EPCText.hexValue(bytes[i + 1]), let lo = EPCText.hexValue(bytes[i + 2]) else { return nil }
                c = hi << 4 | lo
                i += 3
            } else {
                i += 1
            }
            guard isCharacterSet82(c) else { return nil }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- 0x30
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- 0x57
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- 0x37
        default: return nil
        }
    }

    /// GS1 mod-10 check digit over the digits of `body` (any length), as a digit character value 0…9.
    static func checkDigit(_ body: some Collection<UInt8>) -> Int {
        var sum = 0
        var weight3 = true  // rightmost body digit is weighted 3
        for c in body.reversed() {
            let d = Int(c &- 0x30)
            sum += weight3 ? d * 3 : d
            weight3.toggle()
        }
        return (10 - sum % 10) % 10
    }

    static func checkDigit(_ body: String) -> Character {
        Character(UnicodeScalar(UInt8(0x30 + checkDigit(Array(body.utf8)))))
    }

    /// True when `key` (all digits) ends in its correct GS1 check digit.
    static func hasValidCheckDigit(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard bytes.count >= 2, bytes.allSatisfy(isDigit), let last = bytes.last else { return false }
        return checkDigit(bytes.dropLast()) == Int(last - 0x30)
    }

    /// `value` as decimal, left-padded with zeros to `width` digits (width 0 → "").
    static func zeroPadded(_ value: UInt64, width: Int) -> String {
        if width == 0 { return "" }
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// 10^n for n in 0…19.
    static func pow10(_ n: Int) -> UInt64 {
        var v: UInt64 = 1
        for _ in 0..<min(max(n, 0), 19) { v &*= 10 }
        return v
    }
}
