import ScanModel

/// What a driver reports. Tag reads are fixed-size values (no heap), so a
/// batch of them is one contiguous array that is reused between reads.
public enum DeviceEvent: Sendable, Equatable {
    case tag(TagRead)
    case scan(Scan)
    /// A handheld's trigger (TSL switch) went down or up; used to start and
    /// stop count sweeps.
    case trigger(pressed: Bool, time: Microseconds)
    /// A fixed reader's general purpose input changed (LLRP GPI: a dock-door
    /// sensor or light barrier); starts and stops sweeps like a trigger.
    case gpi(port: UInt16, high: Bool, time: Microseconds)
    /// Something the reader reported about itself (LLRP reader event
    /// notification: `connection-attempt`, `connection-close`, `antenna`,
    /// `rospec`, `reader-exception`), with its detail in words.
    case reader(event: String, detail: String, time: Microseconds)
    /// The device said it is alive while it has nothing to report
    /// (Mercury status 0x0400 while streaming).
    case keepalive(time: Microseconds)
    /// A command finished: TSL `OK:`, Mercury status 0x0000 to a command.
    case commandDone(command: String, time: Microseconds)
    case connected(time: Microseconds)
    case disconnected(time: Microseconds)
    case problem(DeviceProblem)

    public var time: Microseconds {
        switch self {
        case .tag(let t): return t.time
        case .scan(let s): return s.time
        case .trigger(_, let t), .gpi(_, _, let t), .reader(_, _, let t), .keepalive(let t), .commandDone(_, let t),
             .connected(let t), .disconnected(let t): return t
        case .problem(let p): return p.time
        }
    }
}

/// Something wrong in the byte stream or reported by the device: counted,
/// logged (rate-limited) with the device name and byte offset, never fatal.
public struct DeviceProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// Checksum mismatch (Mercury CRC).
        case badCRC = "bad-crc"
        /// A length field that cannot be right (Mercury LEN > 0xF8, record
        /// lengths that overrun their frame).
        case badLength = "bad-length"
        /// Bytes that are not part of any frame, skipped while resynchronising.
        case garbage = "garbage"
        /// A text line longer than the cap (4 KiB by default).
        case lineTooLong = "line-too-long"
        /// Control bytes on a text protocol.
        case binaryNoise = "binary-noise"
        /// A frame or line cut off by a disconnect or the end of input.
        case truncated = "truncated"
        /// No valid frame in many bytes of what a wrong line speed makes
        /// (GarbleWatch): reported once, cleared by the next valid frame.
        case garbled = "garbled"
        /// The device reported an error (Mercury non-zero status, TSL `ER:`).
        case deviceError = "device-error"
        /// A well-formed frame or line this driver does not understand.
        case unknown = "unknown"
    }

    public var kind: Kind
    /// Offset of the first offending byte in this device's input stream
    /// (counted from the first byte since the driver was created).
    public var offset: Int64
    /// How many bytes the problem covers (skipped garbage, bad frame length).
    public var length: Int
    /// Device status or error code where the device gave one.
    public var code: Int?
    public var message: String
    public var time: Microseconds

    public init(kind: Kind, offset: Int64, length: Int, code: Int? = nil, message: String, time: Microseconds) {
        self.kind = kind; self.offset = offset; self.length = length
        self.code = code; self.message = message; self.time = time
    }

    public var description: String { "\(kind.rawValue) at byte \(offset): \(message)" }
}

/// A decoder's own error kind (LLRP bad version, HID POS short report, evdev
/// unknown key): finer than the common vocabulary, so it says once which
/// `DeviceProblem.Kind` it is reported and counted as.
public protocol DecoderErrorKind: Hashable {
    var problemKind: DeviceProblem.Kind { get }
}

/// A caller-owned, reusable list of events. Drivers append; the caller
/// drains and calls `removeAll()`, which keeps the storage, so the hot path
/// allocates nothing once the batch has grown to its working size.
public struct EventBatch: Sendable {
    public var events: [DeviceEvent]
    /// Bytes the driver wants sent to the device in answer to what it just
    /// read (protocols with acknowledgements, such as LLRP's KEEPALIVE_ACK).
    /// The runner writes them after each feed; replay ignores them.
    public var outgoing: [[UInt8]] = []

    public init(capacity: Int = 256) {
        events = []
        events.reserveCapacity(capacity)
    }

    @inline(__always)
    public mutating func append(_ event: DeviceEvent) { events.append(event) }

    public mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
        if !outgoing.isEmpty { outgoing.removeAll() }
    }

    public var isEmpty: Bool { events.isEmpty && outgoing.isEmpty }
    public var count: Int { events.count }
}

/// Where a decoder puts what it decoded, one event at a time. Generic (not
/// an existential) so the hot path is specialised and an event never boxes.
/// Each decoder names its own (`LLRPEventSink`: `DecoderSink<LLRPEvent>`).
public protocol DecoderSink<Event> {
    associatedtype Event
    mutating func receive(_ event: Event)
}

/// Collects a decoder's events into an array (tests, replay, low-rate callers).
public struct EventCollector<Event>: DecoderSink {
    public var events: [Event] = []
    public init() {}
    public mutating func receive(_ event: Event) { events.append(event) }
}

/// A decoder that speaks the common vocabulary itself (evdev, HID POS) feeds the
/// runner's batch directly: no per-driver conversion, no copy.
public protocol DeviceEventSink: DecoderSink where Event == DeviceEvent {}

extension EventBatch: DeviceEventSink {
    public mutating func receive(_ event: DeviceEvent) { append(event) }
}

extension EventCollector: DeviceEventSink where Event == DeviceEvent {}

/// A decoder's typed sink that turns its events into device events in a
/// batch it borrows from the caller.
protocol BatchBorrowingSink {
    var batch: EventBatch { get set }
}

extension BatchBorrowingSink {
    /// Moves the caller's batch into this sink for `body` and back after, so
    /// decoders append straight into the runner's reused storage: no copy, no
    /// allocation on the hot path.
    mutating func borrowing(_ batch: inout EventBatch, _ body: (inout Self) -> Void) {
        swap(&self.batch, &batch)
        body(&self)
        swap(&self.batch, &batch)
    }
}
