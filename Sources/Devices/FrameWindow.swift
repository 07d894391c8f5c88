/// The start of a frame split across reads, for parsers that work in place
/// on the caller's read buffer (Mercury, SSI). Only the unfinished frame is
/// copied, into a small reused buffer of at most one frame's worth
/// (`capacity`, larger than the largest frame); once parsing moves past the
/// copied bytes it continues directly on the new input.
struct FrameWindow {
    private(set) var bytes: [UInt8] = []
    /// Stream offset of `bytes[0]`.
    private(set) var base: Int64 = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        bytes.reserveCapacity(capacity)
    }

    var isEmpty: Bool { bytes.isEmpty }

    /// Parses `input` (its first byte at stream offset `start`) with `scan`,
    /// which takes whole frames from a buffer at a stream offset and returns
    /// how many bytes it used up; what it leaves is kept for the next read.
    mutating func feed(_ input: UnsafeRawBufferPointer, at start: Int64,
                       scan: (UnsafeRawBufferPointer, Int64) -> Int) {
        let n = input.count
        var pos = 0
        // Finish a split frame first, topping the window up from the input.
        while !bytes.isEmpty && pos < n {
            let take = min(n - pos, capacity - bytes.count)
            let before = bytes.count
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[pos..<(pos + take)]))
            let consumed = bytes.withUnsafeBytes { scan($0, base) }
            if consumed >= before {
                // Parsing has moved into the new input: continue there directly.
                pos += consumed - before
                bytes.removeAll(keepingCapacity: true)
                break
            }
            bytes.removeFirst(consumed)
            base += Int64(consumed)
            pos += take
        }
        guard pos < n else { return }
        let rest = UnsafeRawBufferPointer(rebasing: input[pos...])
        let restBase = start + Int64(pos)
        let consumed = scan(rest, restBase)
        if consumed < rest.count {
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[consumed...]))
            base = restBase + Int64(consumed)
        }
    }

    /// Hands the unfinished bytes over and forgets them.
    mutating func take() -> (bytes: [UInt8], base: Int64) {
        defer { bytes.removeAll(keepingCapacity: true) }
        return (bytes, base)
    }

    /// Puts back bytes still to be parsed (a parser that gave up a false
    /// frame start and rescanned what followed it).
    mutating func keep(_ rest: ArraySlice<UInt8>, at start: Int64) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: rest)
        base = start
    }
}
