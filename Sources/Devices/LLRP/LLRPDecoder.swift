import ScanModel

/// Splits a reader→client LLRP byte stream into messages and decodes them.
/// Accepts bytes in any split (one at a time, or megabytes); keeps at most
/// one partial message between calls.
///
/// Framing errors: LLRP has no sync marker, so after a header that cannot be
/// right (reserved bits, version, length) the decoder drops bytes one by one
/// until a header that names a reader→client message type with a sane length
/// appears, and reports one `garbage` error per skipped run. On a real TCP
/// connection garbage means a broken peer and the driver should reconnect;
/// for replayed logs the resync keeps the rest of the log usable.
public struct LLRPDecoder: Sendable {
    public static let headerSize = 10
    public var counters = LLRPCounters()
    /// Longest message accepted. A report "on end of ROSpec" for thousands of
    /// tags is a few hundred kilobytes; anything bigger is taken as a bad length.
    public var maxMessageLength: Int
    /// The device index stamped on every `TagRead`.
    public var device: DeviceIndex

    var pending: [UInt8] = []
    /// Stream offset of `pending[0]` (or of the next input byte when empty).
    var offset: Int = 0
    /// Start offset and length of the garbage run being skipped, if any.
    var garbageStart: Int = -1
    var garbageLength: Int = 0

    public init(device: DeviceIndex = DeviceIndex(0), maxMessageLength: Int = 4 << 20) {
        self.device = device
        self.maxMessageLength = max(LLRPDecoder.headerSize, maxMessageLength)
    }

    /// Forget any partial message (a new connection starts a new stream).
    public mutating func reset() {
        pending.removeAll(keepingCapacity: true)
        offset = 0
        garbageStart = -1
        garbageLength = 0
    }

    public mutating func feed<S: LLRPEventSink>(_ bytes: [UInt8], into sink: inout S) {
        bytes.withUnsafeBytes { feed($0, into: &sink) }
    }

    public mutating func feed<S: LLRPEventSink>(_ bytes: ArraySlice<UInt8>, into sink: inout S) {
        bytes.withUnsafeBytes { feed($0, into: &sink) }
    }

    public mutating func feed<S: LLRPEventSink>(_ input: UnsafeRawBufferPointer, into sink: inout S) {
        counters.bytes &+= input.count
        var rest = input
        while !rest.isEmpty {
            if pending.isEmpty {
                // Fast path: decode whole messages straight from the caller's buffer.
                let used = process(rest, into: &sink)
                offset &+= used
                if used < rest.count { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[used...])) }
                return
            }
            // Complete the pending message with just the bytes it needs, so
            // one straddling message never copies the whole next chunk.
            let take = min(bytesNeeded(), rest.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[0..<take]))
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            let used = pending.withUnsafeBytes { process($0, into: &sink) }
            offset &+= used
            pending.removeFirst(used)
        }
    }

    /// End of stream (EOF, connection closed): report a partial message and
    /// any garbage run still open, then reset.
    public mutating func finish<S: LLRPEventSink>(into sink: inout S) {
        flushGarbage(into: &sink)
        if !pending.isEmpty {
            report(.truncated, at: offset, type: pending.count >= 2 ? UInt16(pending[0] & 3) << 8 | UInt16(pending[1]) : 0,
                   detail: pending.count, into: &sink)
        }
        reset()
    }

    /// Bytes the pending partial message still needs (≥ 1).
    private func bytesNeeded() -> Int {
        if pending.count < LLRPDecoder.headerSize { return LLRPDecoder.headerSize - pending.count }
        let length = Int(pending[2]) << 24 | Int(pending[3]) << 16 | Int(pending[4]) << 8 | Int(pending[5])
        return max(1, length - pending.count)
    }

    enum HeaderCheck { case ok(length: Int, type: UInt16), needMore, bad(LLRPDecodeError.Kind, Int) }

    @inline(__always)
    func checkHeader(_ p: UnsafeRawBufferPointer, at i: Int, resyncing: Bool) -> HeaderCheck {
        let b0 = p[i]
        // 3 reserved bits must be 0; version 1 (LLRP 1.0.1) or 2 (LLRP 1.1).
        let version = b0 >> 2
        guard version == 1 || version == 2 else { return .bad(.badVersion, Int(b0)) }
        guard p.count - i >= LLRPDecoder.headerSize else { return .needMore }
        let type = UInt16(b0 & 3) << 8 | UInt16(p[i + 1])
        let length = Int(p.loadBE32(i + 2))
        guard length >= LLRPDecoder.headerSize, length <= maxMessageLength else { return .bad(.badLength, length) }
        if resyncing && !LLRPMessageType.isReaderToClient(type) { return .bad(.garbage, 0) }
        return .ok(length: length, type: type)
    }

    /// Decodes every complete message in `p`; returns the bytes consumed.
    /// Stops at an incomplete message (the caller keeps the tail).
    mutating func process<S: LLRPEventSink>(_ p: UnsafeRawBufferPointer, into sink: inout S) -> Int {
        var i = 0
        while i < p.count {
            switch checkHeader(p, at: i, resyncing: garbageStart >= 0) {
            case .needMore:
                return i
            case .bad(let kind, let detail):
                if garbageStart < 0 {
                    garbageStart = offset &+ i
                    garbageLength = 0
                    if kind != .garbage { report(kind, at: offset &+ i, type: 0, detail: detail, into: &sink) }
                }
                garbageLength &+= 1
                counters.garbageBytes &+= 1
                i &+= 1
            case .ok(let length, let type):
                guard p.count - i >= length else { return i }
                flushGarbage(into: &sink)
                counters.messages &+= 1
                decodeMessage(UnsafeRawBufferPointer(rebasing: p[i..<(i + length)]), type: type,
                              streamOffset: offset &+ i, into: &sink)
                i &+= length
            }
        }
        return i
    }

    mutating func flushGarbage<S: LLRPEventSink>(into sink: inout S) {
        guard garbageStart >= 0 else { return }
        report(.garbage, at: garbageStart, type: 0, detail: garbageLength, into: &sink)
        garbageStart = -1
        garbageLength = 0
    }

    mutating func report<S: LLRPEventSink>(_ kind: LLRPDecodeError.Kind, at offset: Int, type: UInt16,
                                           detail: Int, into sink: inout S) {
        counters.errors[kind, default: 0] += 1
        sink.receive(.error(LLRPDecodeError(kind: kind, offset: offset, messageType: type, detail: detail)))
    }
}

extension UnsafeRawBufferPointer {
    // Callers check bounds first; these read unaligned big-endian values.
    @inline(__always) func loadBE16(_ i: Int) -> UInt16 {
        UInt16(self[i]) << 8 | UInt16(self[i + 1])
    }
    @inline(__always) func loadBE32(_ i: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: i, as: UInt32.self))
    }
    @inline(__always) func loadBE64(_ i: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }
}
