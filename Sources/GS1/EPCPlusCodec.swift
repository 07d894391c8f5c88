import ScanModel

/// The TDS 2.x field encodings used by the '+' schemes (TDS 14.5): fixed-length
/// numeric (4 bits/digit), variable-length alphanumeric (3-bit encoding
/// indicator + 5-bit length + data), delimited numeric, and packed dates.
enum EPCPlusCodec {
    struct Failure: Error { let kind: EPCError.Kind; let message: String; let bitOffset: Int }

    // MARK: Fixed-length numeric

    static func readDigits(_ r: inout EPCBitReader, count: Int) -> Result<String, Failure> {
        var out = [UInt8](); out.reserveCapacity(count)
        for _ in 0..<count {
            let at = r.position
            guard let d = r.read(4) else { return .failure(Failure(kind: .truncated, message: "ends inside a \(count)-digit number", bitOffset: at)) }
            guard d <= 9 else { return .failure(Failure(kind: .invalidCharacter, message: "nibble 0x\(String(d, radix: 16, uppercase: true)) at bit \(at) is not a decimal digit", bitOffset: at)) }
            out.append(UInt8(0x30 + d))
        }
        return .success(String(decoding: out, as: UTF8.self))
    }

    static func writeDigits(_ w: inout EPCBitWriter, _ digits: String) {
        for c in digits.utf8 { w.append(UInt64(c &- 0x30), bits: 4) }
    }

    // MARK: Dates (YY 7 bits, MM 4 bits, DD 5 bits)

    static func readDate(_ r: inout EPCBitReader) -> Result<String, Failure> {
        let at = r.position
        guard let v = r.read(16) else { return .failure(Failure(kind: .truncated, message: "ends inside a date", bitOffset: at)) }
        let yy = v >> 9, mm = (v >> 5) & 0xF, dd = v & 0x1F
        // Day 00 means "end of month" in GS1 dates and is allowed.
        guard yy <= 99, (1...12).contains(mm), dd <= daysInMonth(Int(mm), year: Int(yy)) else {
            return .failure(Failure(kind: .valueOutOfRange, message: "date at bit \(at) is not a valid YYMMDD (\(yy)/\(mm)/\(dd))", bitOffset: at))
        }
        return .success(EPCText.zeroPadded(yy, width: 2) + EPCText.zeroPadded(mm, width: 2) + EPCText.zeroPadded(dd, width: 2))
    }

    /// Days in month `mm` of two-digit year `yy` (GS1 dates have no century: every yy % 4 == 0 is a leap year in 2000–2099).
    static func daysInMonth(_ mm: Int, year yy: Int) -> UInt64 {
        switch mm {
        case 2: return yy % 4 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func writeDate(_ w: inout EPCBitWriter, _ yymmdd: String) -> Bool {
        let b = Array(yymmdd.utf8)
        guard b.count == 6, b.allSatisfy(EPCText.isDigit) else { return false }
        let yy = UInt64(b[0] - 0x30) * 10 + UInt64(b[1] - 0x30)
        let mm = UInt64(b[2] - 0x30) * 10 + UInt64(b[3] - 0x30)
        let dd = UInt64(b[4] - 0x30) * 10 + UInt64(b[5] - 0x30)
        guard (1...12).contains(mm), dd <= daysInMonth(Int(mm), year: Int(yy)) else { return false }
        w.append(yy << 9 | mm << 5 | dd, bits: 16)
        return true
    }

    // MARK: Variable-length alphanumeric

    enum Encoding: UInt64 { case integer = 0, upperHex = 1, lowerHex = 2, base64 = 3, ascii7 = 4, urnCode40 = 5 }

    /// Data bits for `n` characters in `encoding` (TDS Table B).
    static func dataBits(_ n: Int, _ encoding: Encoding) -> Int {
        switch encoding {
        case .integer: return n == 0 ? 0 : (n * 3_321_928 + 999_999) / 1_000_000  // ⌈n·log2(10)⌉
        case .upperHex, .lowerHex: return 4 * n
        case .base64: return 6 * n
        case .ascii7: return 7 * n
        case .urnCode40: return 16 * ((n + 2) / 3)
        }
    }

    static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    /// URN Code 40 (ISO/IEC 15961): 0 = pad, A–Z = 1…26, '-' '.' ':' = 27…29, 0–9 = 30…39.
    static let code40Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ-.:0123456789".utf8)

    static func readAlphanumeric(_ r: inout EPCBitReader, maxLength: Int, lengthBits: Int = 5) -> Result<String, Failure> {
        let at = r.position
        guard let ei = r.read(3), let n64 = r.read(lengthBits) else {
            return .failure(Failure(kind: .truncated, message: "ends inside a length header", bitOffset: at))
        }
        let n = Int(n64)
        guard let encoding = Encoding(rawValue: ei) else {
            return .failure(Failure(kind: .notEncodable, message: "encoding indicator \(ei) at bit \(at) is reserved", bitOffset: at))
        }
        guard n <= maxLength else {
            return .failure(Failure(kind: .valueOutOfRange, message: "length \(n) at bit \(at + 3) exceeds the maximum \(maxLength)", bitOffset: at + 3))
        }
        return readCharacters(&r, count: n, encoding: encoding)
    }

    static func readCharacters(_ r: inout EPCBitReader, count n: Int, encoding: Encoding) -> Result<String, Failure> {
        let start = r.position
        let bits = dataBits(n, encoding)
        guard r.remaining >= bits else { return .failure(Failure(kind: .truncated, message: "ends inside a \(n)-character value", bitOffset: start)) }
        var out = [UInt8](); out.reserveCapacity(n)
        func bad(_ what: String) -> Result<String, Failure> {
            .failure(Failure(kind: .invalidCharacter, message: "\(what) in the value at bit \(start)", bitOffset: start))
        }
        switch encoding {
        case .integer:
            guard let digits = readInteger(&r, bits: bits), digits.count <= n else { return bad("integer too large for \(n) digits") }
            out = [UInt8](repeating: 0x30, count: n - digits.count) + digits
        case .upperHex, .lowerHex:
            let letters: UInt8 = encoding == .upperHex ? 0x41 : 0x61
            for _ in 0..<n {
                guard let v = r.read(4) else { return bad("truncated hex digit") }
                out.append(v < 10 ? UInt8(0x30 + v) : letters + UInt8(v - 10))
            }
        case .base64:
            for _ in 0..<n {
                guard let v = r.read(6) else { return bad("truncated base-64 character") }
                out.append(base64Alphabet[Int(v)])
            }
        case .ascii7:
            for _ in 0..<n {
                guard let v = r.read(7), EPCText.isCharacterSet82(UInt8(v)) else { return bad("a 7-bit character outside GS1 character set 82") }
                out.append(UInt8(v))
            }
        case .urnCode40:
            var produced = 0
            while produced < n {
                guard let v = r.read(16), v >= 1, v <= 64000 else { return bad("a URN Code 40 triplet out of range") }
                let t = Int(v - 1)
                for c in [t / 1600, (t / 40) % 40, t % 40] where produced < n {
                    guard c >= 1 else { return bad("a URN Code 40 pad inside the value") }
                    out.append(code40Alphabet[c - 1]); produced += 1
                }
            }
        }
        return .success(String(decoding: out, as: UTF8.self))
    }

    /// Chooses the shortest encoding for `value` (integer, hex, base 64,
    /// 7-bit ASCII; URN Code 40 is decoded but never chosen) and writes it.
    static func writeAlphanumeric(_ w: inout EPCBitWriter, _ value: String, lengthBits: Int = 5) -> Bool {
        let b = Array(value.utf8)
        guard b.allSatisfy(EPCText.isCharacterSet82), b.count < 1 << lengthBits else { return false }
        var candidates: [Encoding] = [.ascii7]
        if !b.isEmpty, b.allSatisfy(EPCText.isDigit) { candidates.append(.integer) }
        if b.allSatisfy({ EPCText.isDigit($0) || (0x41...0x46).contains($0) }) { candidates.append(.upperHex) }
        if b.allSatisfy({ EPCText.isDigit($0) || (0x61...0x66).contains($0) }) { candidates.append(.lowerHex) }
        if b.allSatisfy({ base64Alphabet.contains($0) }) { candidates.append(.base64) }
        let best = candidates.min { dataBits(b.count, $0) < dataBits(b.count, $1) } ?? .ascii7
        w.append(best.rawValue, bits: 3)
        w.append(UInt64(b.count), bits: lengthBits)
        switch best {
        case .integer:
            writeInteger(&w, digits: b, bits: dataBits(b.count, .integer))
        case .upperHex, .lowerHex:
            for c in b { w.append(UInt64(EPCText.hexValue(c) ?? 0), bits: 4) }
        case .base64:
            for c in b { w.append(UInt64(base64Alphabet.firstIndex(of: c) ?? 0), bits: 6) }
        case .ascii7, .urnCode40:
            for c in b { w.append(UInt64(c), bits: 7) }
        }
        return true
    }

    // MARK: Big integers as decimal digit arrays (values up to ~110 bits)

    /// Reads `bits` bits as an unsigned integer and returns its decimal digits (no leading zeros; "0" → []).
    static func readInteger(_ r: inout EPCBitReader, bits: Int) -> [UInt8]? {
        var digits: [UInt8] = []  // little-endian decimal
        var left = bits
        while left > 0 {
            let take = min(left, 16)
            guard let chunk = r.read(take) else { return nil }
            left -= take
            // digits = digits * 2^take + chunk
            var carry = chunk
            for i in digits.indices {
                let v = UInt64(digits[i]) << UInt64(take) + carry
                digits[i] = UInt8(v % 10); carry = v / 10
            }
            while carry > 0 { digits.append(UInt8(carry % 10)); carry /= 10 }
        }
        return digits.reversed().map { $0 + 0x30 }
    }

    /// Writes decimal `digits` (ASCII) as a `bits`-bit unsigned integer.
    static func writeInteger(_ w: inout EPCBitWriter, digits: [UInt8], bits: Int) {
        var dec = digits.map { $0 &- 0x30 }
        var binary = [UInt8]()  // little-endian bits
        while dec.contains(where: { $0 != 0 }) {
            var rem: UInt8 = 0
            for i in dec.indices {
                let v = rem * 10 + dec[i]
                dec[i] = v / 2; rem = v % 2
            }
            binary.append(rem)
        }
        for i in stride(from: bits - 1, through: 0, by: -1) {
            w.append(i < binary.count ? UInt64(binary[i]) : 0, bits: 1)
        }
    }

    // MARK: Delimited numeric (GIAI+, AI 8004)

    /// Digits until a terminator nibble 0xF, or 0xE followed by a
    /// variable-length alphanumeric tail.
    static func readDelimitedNumeric(_ r: inout EPCBitReader, maxLength: Int) -> Result<String, Failure> {
        var out = [UInt8]()
        while true {
            let at = r.position
            guard let nibble = r.read(4) else { return .failure(Failure(kind: .truncated, message: "delimited number has no terminator", bitOffset: at)) }
            switch nibble {
            case 0...9:
                out.append(UInt8(0x30 + nibble))
                guard out.count <= maxLength else { return .failure(Failure(kind: .valueOutOfRange, message: "value longer than \(maxLength) characters", bitOffset: at)) }
            case 0xF:
                return .success(String(decoding: out, as: UTF8.self))
            case 0xE:
                switch readAlphanumeric(&r, maxLength: maxLength - out.count) {
                case .success(let tail): return .success(String(decoding: out, as: UTF8.self) + tail)
                case .failure(let f): return .failure(f)
                }
            default:
                return .failure(Failure(kind: .invalidCharacter, message: "nibble 0x\(String(nibble, radix: 16, uppercase: true)) at bit \(at) is neither a digit nor a delimiter", bitOffset: at))
            }
        }
    }

    static func writeDelimitedNumeric(_ w: inout EPCBitWriter, _ value: String) -> Bool {
        let b = Array(value.utf8)
        let lead = b.prefix(while: EPCText.isDigit)
        for c in lead { w.append(UInt64(c - 0x30), bits: 4) }
        if lead.count == b.count { w.append(0xF, bits: 4); return true }
        w.append(0xE, bits: 4)
        return writeAlphanumeric(&w, String(decoding: b[lead.count...], as: UTF8.self))
    }
}
