/// Cuts an SSI byte stream (split anywhere) into packets. A packet start is
/// a Length of at least 4 followed by an opcode a decoder sends (with a
/// Length that fits it), source 0 (the decoder) and a status byte with its
/// reserved bits clear; it is taken when all
/// `Length + 2` bytes are there and the checksum holds. Anything else is
/// skipped one byte at a time, so the framer finds the next packet after
/// noise or a corrupted packet (gpsd-style hunting), and it gives the same
/// result however the stream is split: it only ever decides on whole
/// candidate packets.
struct SSIFramer {
    enum Piece {
        /// A packet with a good checksum: Length … last data byte (no checksum).
        case packet(UnsafeRawBufferPointer, offset: Int64)
        /// A complete candidate whose checksum is wrong.
        case badChecksum(offset: Int64, length: Int, opcode: UInt8, expected: UInt16, got: UInt16)
        /// Bytes outside any packet, reported before the next packet or problem.
        case garbage(offset: Int64, length: Int)
    }

    /// Bytes of a packet split across reads (at most one packet's worth).
    private var window = FrameWindow(capacity: SSIProtocol.maxLength + 2)
    private var offset: Int64 = 0
    private var garbageStart: Int64 = 0
    private var garbageLength = 0
    /// Bytes up to here belong to a rejected candidate already reported: a
    /// false start inside it is skipped quietly, not reported a second time.
    private var quietUntil: Int64 = 0
    private(set) var garbageBytes: UInt64 = 0

    init() {}

    var hasPending: Bool { !window.isEmpty }
    /// The stream offset after the last byte fed.
    var streamOffset: Int64 { offset }
    /// How far the stream has been decided on: a candidate packet still
    /// arriving is not (it may yet turn out valid).
    var decidedUpTo: Int64 { offset - Int64(window.bytes.count) }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (Piece) -> Void) {
        guard bytes.count > 0 else { return }
        let start = offset
        offset += Int64(bytes.count)
        // The window is moved out while it parses, so `scan` may change the
        // rest of the framer without overlapping access to it.
        var w = FrameWindow(capacity: 0)
        swap(&w, &window)
        w.feed(bytes, at: start) { scan($0, base: $1, emit: emit) }
        swap(&w, &window)
    }

    /// Whole packets from `buf`; returns the bytes used up (packets and
    /// skipped bytes). The rest is the start of a packet still arriving.
    private mutating func scan(_ buf: UnsafeRawBufferPointer, base: Int64, emit: (Piece) -> Void) -> Int {
        let n = buf.count
        var i = 0
        while i < n {
            let length = Int(buf[i])
            if length < SSIProtocol.headerLength { skip(at: base + Int64(i)); i += 1; continue }
            guard n - i >= SSIProtocol.headerLength else { break }
            if buf[i + 2] != SSIProtocol.sourceDecoder || buf[i + 3] & SSIProtocol.Status.reserved != 0
                || !SSIProtocol.plausibleDecoderPacket(length: length, opcode: buf[i + 1]) {
                skip(at: base + Int64(i)); i += 1; continue
            }
            let total = length + 2
            guard n - i >= total else { break }
            let expected = SSIProtocol.checksum(UnsafeRawBufferPointer(rebasing: buf[i..<(i + length)]))
            let got = UInt16(buf[i + length]) << 8 | UInt16(buf[i + length + 1])
            let at = base + Int64(i)
            if expected != got {
                if at >= quietUntil {
                    reportGarbage(emit)
                    emit(.badChecksum(offset: at, length: total, opcode: buf[i + 1], expected: expected, got: got))
                    quietUntil = at + Int64(total)
                }
                skip(at: at); i += 1; continue
            }
            reportGarbage(emit)
            emit(.packet(UnsafeRawBufferPointer(rebasing: buf[i..<(i + length)]), offset: at))
            i += total
        }
        return i
    }

    @inline(__always)
    private mutating func skip(at: Int64) {
        if garbageLength == 0 { garbageStart = at }
        garbageLength += 1
        garbageBytes &+= 1
    }

    /// Reports skipped bytes, leaving out those of an already reported bad packet.
    private mutating func reportGarbage(_ emit: (Piece) -> Void) {
        guard garbageLength > 0 else { return }
        let end = garbageStart + Int64(garbageLength)
        let start = max(garbageStart, quietUntil)
        garbageLength = 0
        if end > start { emit(.garbage(offset: start, length: Int(end - start))) }
    }

    /// A packet start that never completed: the scanner sends a packet in
    /// one burst, so a candidate still incomplete long after its last byte
    /// was noise that looked like a header. Skip its first byte and look
    /// again (a real packet may sit behind it). Live only: the runner's
    /// `tick` calls it; replay and fuzzing never do, so they stay split-proof.
    mutating func abandonPending(emit: (Piece) -> Void) {
        guard !window.isEmpty else { return }
        let (old, oldBase) = window.take()
        skip(at: oldBase)
        let rest = old.dropFirst()
        let consumed = rest.withUnsafeBytes { scan($0, base: oldBase + 1, emit: emit) }
        if consumed < rest.count { window.keep(rest.dropFirst(consumed), at: oldBase + 1 + Int64(consumed)) }
    }

    /// End of stream: what is left is reported and forgotten (a reconnect
    /// starts clean). Returns the cut-off packet's offset and length, if any.
    mutating func finish(emit: (Piece) -> Void) -> (offset: Int64, length: Int)? {
        reportGarbage(emit)
        quietUntil = offset
        guard !window.isEmpty else { return nil }
        let (cut, base) = window.take()
        return (base, cut.count)
    }
}
