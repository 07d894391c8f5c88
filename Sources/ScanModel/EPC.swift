/// The EPC bank contents of one tag: up to 256 bits held inline (no heap), so
/// a read can be hashed, compared and copied at reader speed. Bits are stored
/// big-endian: bit 0 of the EPC is the top bit of `w0`; unused low bits are 0.
///
/// 256 bits covers every EPC Tag Data Standard scheme in use (the longest
/// fixed scheme, GIAI-202, is 202 bits). Longer Gen2 EPCs (up to 496 bits)
/// are refused by the initializers rather than truncated.
public struct EPC: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let maxBits = 256

    public var w0: UInt64
    public var w1: UInt64
    public var w2: UInt64
    public var w3: UInt64
    /// Number of meaningful bits (for hex input, 4 × the digit count).
    public var bitCount: UInt16

    /// The common 96-bit case; `hi` holds bits 0–63, `lo` bits 64–95 in its top half.
    public init(hi: UInt64, lo32: UInt32) {
        w0 = hi; w1 = UInt64(lo32) << 32; w2 = 0; w3 = 0; bitCount = 96
    }

    public init(words w0: UInt64, _ w1: UInt64, _ w2: UInt64 = 0, _ w3: UInt64 = 0, bitCount: Int) {
        precondition(bitCount >= 0 && bitCount <= EPC.maxBits)
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3; self.bitCount = UInt16(bitCount)
        clearUnusedBits()
    }

    /// From raw EPC bank bytes (big-endian). Nil when longer than 256 bits.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count * 8 <= EPC.maxBits else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var i = 0
        for b in bytes {
            let shift = UInt64(56 - (i % 8) * 8)
            switch i / 8 {
            case 0: words.0 |= UInt64(b) << shift
            case 1: words.1 |= UInt64(b) << shift
            case 2: words.2 |= UInt64(b) << shift
            default: words.3 |= UInt64(b) << shift
            }
            i += 1
        }
        self.init(words: words.0, words.1, words.2, words.3, bitCount: i * 8)
    }

    /// From hex digits (case-insensitive). Nil for non-hex, empty or > 64 digits.
    public init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard !utf8.isEmpty, utf8.count <= EPC.maxBits / 4 else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        for (i, c) in utf8.enumerated() {
            guard let v = EPC.hexValue(c) else { return nil }
            words[i / 16] |= UInt64(v) << UInt64(60 - (i % 16) * 4)
        }
        self.init(words: words[0], words[1], words[2], words[3], bitCount: utf8.count * 4)
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }

    @inlinable
    public func word(_ i: Int) -> UInt64 {
        switch i { case 0: return w0; case 1: return w1; case 2: return w2; default: return w3 }
    }

    /// `count` bits (≤ 64) starting at bit `offset`, as an unsigned integer.
    /// Bits past `bitCount` read as zero.
    @inlinable @inline(__always)
    public func bits(at offset: Int, count: Int) -> UInt64 {
        precondition(count >= 0 && count <= 64 && offset >= 0)
        if count == 0 || offset >= EPC.maxBits { return 0 }
        let wi = offset >> 6, bi = offset & 63
        let first = word(wi) << UInt64(bi)
        var value = first
        if bi + count > 64, wi + 1 < 4 {
            value |= word(wi + 1) >> UInt64(64 - bi)
        }
        return value >> UInt64(64 - count)
    }

    /// The EPC as uppercase hex, rounded up to whole digits.
    public var hex: String {
        let digits = (Int(bitCount) + 3) / 4
        let table = Array("0123456789ABCDEF".utf8)
        var out = [UInt8](repeating: 0, count: digits)
        for i in 0..<digits {
            let nibble = (word(i / 16) >> UInt64(60 - (i % 16) * 4)) & 0xF
            out[i] = table[Int(nibble)]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Big-endian bytes, rounded up to whole bytes.
    public var bytes: [UInt8] {
        (0..<((Int(bitCount) + 7) / 8)).map { i in UInt8(truncatingIfNeeded: word(i / 8) >> UInt64(56 - (i % 8) * 8)) }
    }

    public var description: String { hex }

    public static func < (a: EPC, b: EPC) -> Bool {
        (a.w0, a.w1, a.w2, a.w3, a.bitCount) < (b.w0, b.w1, b.w2, b.w3, b.bitCount)
    }

    private mutating func clearUnusedBits() {
        let n = Int(bitCount)
        func mask(_ wordIndex: Int) -> UInt64 {
            let used = max(0, min(64, n - wordIndex * 64))
            return used == 64 ? ~0 : (used == 0 ? 0 : ~0 << UInt64(64 - used))
        }
        w0 &= mask(0); w1 &= mask(1); w2 &= mask(2); w3 &= mask(3)
    }
}
