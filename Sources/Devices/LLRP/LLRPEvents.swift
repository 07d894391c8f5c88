import ScanModel

/// Which clock a tag report's timestamps come from. LLRP readers send either
/// wall-clock UTC or microseconds since reader boot ("uptime"); the two must
/// not be mixed, so the driver decides what to do with uptime stamps.
public enum LLRPClock: UInt8, Sendable, Hashable {
    case none, utc, uptime
}

/// One TagReportData parameter, decoded. `read.time` is LastSeen if present,
/// else FirstSeen, in the clock named by `clock` (0 when the reader sent none).
public struct LLRPTagReport: Hashable, Sendable {
    public var read: TagRead
    /// RF channel index (1-based in the reader's hop table); 0 when absent.
    public var channelIndex: UInt16
    public var firstSeen: Microseconds?
    public var lastSeen: Microseconds?
    public var clock: LLRPClock
    /// ROSpecID the read belongs to; 0 when absent.
    public var roSpecID: UInt32
}

/// Events carried by READER_EVENT_NOTIFICATION that a driver acts on.
public enum LLRPReaderEvent: Hashable, Sendable {
    case connectionAttempt(LLRPConnectionAttemptStatus)
    case connectionClose
    /// A general purpose input changed (dock-door sensor, light barrier).
    case gpi(port: UInt16, high: Bool)
    case antenna(id: UInt16, connected: Bool)
    /// ROSpecEvent type: 0 start, 1 end, 2 preempted.
    case roSpec(eventType: UInt8, roSpecID: UInt32)
    case readerException(message: String)
}

/// A reader's answer to one client request, with its LLRPStatus.
public struct LLRPResponse: Hashable, Sendable {
    public var messageType: UInt16
    public var messageID: UInt32
    public var statusCode: UInt16
    /// The reader's ErrorDescription (empty on success).
    public var errorDescription: String
    /// Where the response message starts in the reader→client stream.
    public var streamOffset: Int = 0
    public var isSuccess: Bool { statusCode == LLRPStatusCode.success }
}

/// A decoding problem, located by byte offset in the reader→client stream.
public struct LLRPDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, DecoderErrorKind {
        /// Header with reserved bits set or a version other than 1 (LLRP 1.0.1) or 2 (LLRP 1.1).
        case badVersion
        /// Message length below the 10-byte header or above the configured maximum.
        case badLength
        /// Bytes skipped while looking for the next plausible message header.
        case garbage
        /// A parameter's length runs past its container, or is shorter than its own header.
        case badParameter
        /// A TV parameter of unknown type: it has no length, so the rest of its container is lost.
        case unknownTVParameter
        /// EPC longer than the 256 bits an `EPC` holds.
        case epcTooLong
        /// TagReportData without EPC-96 or EPCData.
        case missingEPC
        /// The stream ended (or the connection closed) in the middle of a message.
        case truncated

        public var problemKind: DeviceProblem.Kind {
            switch self {
            case .badVersion, .badLength, .badParameter, .epcTooLong: return .badLength
            case .garbage: return .garbage
            case .truncated: return .truncated
            case .unknownTVParameter, .missingEPC: return .unknown
            }
        }
    }
    public var kind: Kind
    /// Offset of the offending byte from the start of the stream (connection).
    public var offset: Int
    /// The message type the problem was found in (0 when unknown).
    public var messageType: UInt16
    /// Extra number: the bad length, the unknown type, the EPC bit count, the skipped byte count.
    public var detail: Int

    public var description: String {
        switch kind {
        case .badVersion: return "LLRP: bad header (reserved bits/version byte 0x\(String(detail, radix: 16))) at byte \(offset)"
        case .badLength: return "LLRP: impossible message length \(detail) at byte \(offset)"
        case .garbage: return "LLRP: skipped \(detail) bytes of garbage at byte \(offset)"
        case .badParameter: return "LLRP: parameter type \(detail) overruns its container at byte \(offset) in \(LLRPMessageType.name(messageType))"
        case .unknownTVParameter: return "LLRP: unknown TV parameter type \(detail) at byte \(offset) in \(LLRPMessageType.name(messageType)); rest of the parameter list skipped"
        case .epcTooLong: return "LLRP: EPC of \(detail) bits at byte \(offset) is longer than 256 bits; tag read dropped"
        case .missingEPC: return "LLRP: TagReportData without an EPC at byte \(offset)"
        case .truncated: return "LLRP: stream ended \(detail) bytes into a message at byte \(offset)"
        }
    }
}

/// What the decoder emits, in stream order.
public enum LLRPEvent: Hashable, Sendable {
    case tag(LLRPTagReport)
    /// The reader's KEEPALIVE; answer with `LLRPClientMessage.keepaliveAck(messageID:)`.
    case keepalive(messageID: UInt32)
    /// A reader event with the notification's timestamp (UTC or uptime µs).
    case reader(LLRPReaderEvent, timestamp: Microseconds, clock: LLRPClock)
    case response(LLRPResponse)
    case error(LLRPDecodeError)
}

/// Receives the LLRP decoder's events (`DecoderSink`).
public protocol LLRPEventSink: DecoderSink where Event == LLRPEvent {}
public typealias LLRPEventCollector = EventCollector<LLRPEvent>
extension EventCollector: LLRPEventSink where Event == LLRPEvent {}

/// Running totals for the device status page and metrics.
public struct LLRPCounters: Hashable, Sendable {
    public var bytes: Int = 0
    public var messages: Int = 0
    public var tagReads: Int = 0
    public var keepalives: Int = 0
    public var readerEvents: Int = 0
    public var responses: Int = 0
    /// Messages of types this decoder does not interpret (skipped whole).
    public var unknownMessages: Int = 0
    /// TLV parameters skipped because their type is not interpreted.
    public var unknownParameters: Int = 0
    /// Custom (vendor, type 1023) parameters and messages skipped.
    public var customSkipped: Int = 0
    public var garbageBytes: Int = 0
    /// Errors by kind.
    public var errors: [LLRPDecodeError.Kind: Int] = [:]
    public var errorTotal: Int { errors.values.reduce(0, +) }
    public init() {}
}
