import ScanModel

/// Sequential reader over the bits of an `EPC`. Every read is bounds-checked
/// against `bitCount`, so a short or garbage EPC yields nil, never a trap.
struct EPCBitReader {
    let epc: EPC
    private(set) var position: Int
    let end: Int

    init(_ epc: EPC, at position: Int = 0) {
        self.epc = epc
        self.position = position
        self.end = Int(epc.bitCount)
    }

    var remaining: Int { end - position }

    /// Reads `count` (0…64) bits as an unsigned integer; nil past the end.
    @inline(__always)
    mutating func read(_ count: Int) -> UInt64? {
        guard count >= 0, count <= 64, count <= end - position else { return nil }
        let value = epc.bits(at: position, count: count)
        position += count
        return value
    }

    /// True when every bit from the current position to the end is zero.
    func restIsZero() -> Bool {
        var p = position
        while p < end {
            let n = min(64, end - p)
            if epc.bits(at: p, count: n) != 0 { return false }
            p += n
        }
        return true
    }
}

/// Appends bit fields into the four 64-bit words of an `EPC`.
struct EPCBitWriter {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private(set) var count = 0
    /// Set once a write would pass 256 bits; the EPC is then refused.
    private(set) var overflowed = false

    /// Appends the low `bits` bits of `value` (bits ≤ 64).
    mutating func append(_ value: UInt64, bits: Int) {
        guard bits > 0 else { return }
        guard bits <= 64, count + bits <= EPC.maxBits else { overflowed = true; return }
        let masked = bits == 64 ? value : value & ((1 << UInt64(bits)) - 1)
        var remainingBits = bits
        while remainingBits > 0 {
            let wordIndex = count >> 6
            let used = count & 63
            let room = 64 - used
            let take = min(room, remainingBits)
            let chunk = (masked >> UInt64(remainingBits - take)) & (take == 64 ? ~0 : (1 << UInt64(take)) - 1)
            let shifted = chunk << UInt64(room - take)
            switch wordIndex {
            case 0: words.0 |= shifted
            case 1: words.1 |= shifted
            case 2: words.2 |= shifted
            default: words.3 |= shifted
            }
            count += take
            remainingBits -= take
        }
    }

    /// Appends `n` zero bits (any number).
    mutating func appendZeros(_ n: Int) {
        var left = n
        while left > 0 { let k = min(64, left); append(0, bits: k); left -= k }
    }

    /// Appends zero bits up to `total` (no-op when already there).
    mutating func pad(to total: Int) {
        guard total <= EPC.maxBits else { overflowed = true; return }
        while count < total { append(0, bits: min(64, total - count)) }
    }

    func epc() -> EPC? {
        overflowed ? nil : EPC(words: words.0, words.1, words.2, words.3, bitCount: count)
    }
}
