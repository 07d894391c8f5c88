import ScanModel

/// `llrp` in the driver registry: the reader→client LLRP byte stream as a
/// `DeviceDriver` in the common event vocabulary.
///
/// Replayed (`scanledger replay --driver llrp`, capture tests, fuzzing) it
/// only decodes, answering each KEEPALIVE by queueing KEEPALIVE_ACK on
/// `EventBatch.outgoing`. Run by `DeviceRunner` on a TCP connection, the
/// first `connectionOpened` starts an `LLRPSession`, which from then on
/// holds the conversation (LLRPDriver+Session.swift): the setup steps,
/// keepalive answers and misses, STOP_ROSPEC + CLOSE_CONNECTION on stop.
public final class LLRPDriver: ListenOnlyDriver {
    public let name = "llrp"
    var decoder: LLRPDecoder
    var failedResponses: UInt64 = 0
    var lastSeen: Microseconds? = nil
    let reader: LLRPReaderConfig
    /// nil until the runner opens a connection (replay never does).
    var session: LLRPSession? = nil
    var sessionOutput: [LLRPSessionOutput] = []
    var status = LLRPClientStatus()
    var pendingLog: [(LogLevel, String)] = []

    public init(options: DriverOptions = DriverOptions()) {
        decoder = LLRPDecoder(device: options.device)
        reader = options.reader
    }

    public var counters: DriverCounters {
        var d = LLRPDriver.driverCounters(decoder.counters, failedResponses: failedResponses)
        d.lastSeen = lastSeen
        return d
    }

    /// The common counters from the decoder's (also the live reader's, `LLRPClientStatus.driverCounters`).
    public static func driverCounters(_ c: LLRPCounters, failedResponses: UInt64) -> DriverCounters {
        var d = DriverCounters(bytes: c.bytes, frames: c.messages, tagReads: c.tagReads, errors: c.errors)
        d.garbageBytes = UInt64(c.garbageBytes)
        d.deviceErrors = failedResponses
        return d
    }

    public func feed(_ bytes: UnsafeRawBufferPointer, time: Microseconds, into batch: inout EventBatch) {
        lastSeen = time
        var sink = BatchSink(time: time, batch: EventBatch(capacity: 0), answersKeepalives: session == nil)
        sink.borrowing(&batch) { decoder.feed(bytes, into: &$0) }
        failedResponses &+= sink.failedResponses
        for event in sink.forSession { converse(time) { $0.handle(event, now: $1, into: &$2) } }
        takeSends(into: &batch)
    }

    public func flush(time: Microseconds, into batch: inout EventBatch) {
        var sink = BatchSink(time: time, batch: EventBatch(capacity: 0), answersKeepalives: session == nil)
        sink.borrowing(&batch) { decoder.finish(into: &$0) }
    }

    /// Every event goes into the batch. Replayed, the driver answers
    /// keepalives itself; live, every event also goes to the session (which
    /// answers them), but a run of tags only needs to refresh liveness once.
    struct BatchSink: LLRPEventSink, BatchBorrowingSink {
        let time: Microseconds
        var batch: EventBatch
        let answersKeepalives: Bool
        var failedResponses: UInt64 = 0
        var forSession: [LLRPEvent] = []
        var sawTag = false
        init(time: Microseconds, batch: EventBatch, answersKeepalives: Bool) {
            self.time = time; self.batch = batch; self.answersKeepalives = answersKeepalives
        }
        mutating func receive(_ event: LLRPEvent) {
            if case .response(let r) = event, !r.isSuccess { failedResponses &+= 1 }
            batch.append(LLRPDriver.deviceEvent(event, time: time))
            if answersKeepalives {
                if case .keepalive(let id) = event { batch.outgoing.append(LLRPClientMessage.keepaliveAck(messageID: id)) }
                return
            }
            if case .tag = event {
                if sawTag { return }
                sawTag = true
            }
            forSession.append(event)
        }
    }

    /// The common vocabulary for one decoded LLRP event. `time` is when the
    /// bytes arrived; tag reads keep the reader's own time stamps, reader
    /// events keep the notification's UTC stamp when the reader sent one.
    public static func deviceEvent(_ event: LLRPEvent, time: Microseconds) -> DeviceEvent {
        switch event {
        case .tag(let t):
            return .tag(t.read)
        case .keepalive:
            return .keepalive(time: time)
        case .reader(let e, let stamp, let clock):
            let at = clock == .utc ? stamp : time
            switch e {
            case .connectionAttempt(let s): return .reader(event: "connection-attempt", detail: s.name, time: at)
            case .connectionClose: return .reader(event: "connection-close", detail: "", time: at)
            case .gpi(let port, let high): return .gpi(port: port, high: high, time: at)
            case .antenna(let id, let connected):
                return .reader(event: "antenna", detail: "\(id) \(connected ? "connected" : "disconnected")", time: at)
            case .roSpec(let type, let id):
                let what = ["start", "end", "preempted"].indices.contains(Int(type)) ? ["start", "end", "preempted"][Int(type)] : "type-\(type)"
                return .reader(event: "rospec", detail: "\(what) \(id)", time: at)
            case .readerException(let m): return .reader(event: "reader-exception", detail: m, time: at)
            }
        case .response(let r):
            let command = LLRPMessageType.name(r.messageType)
            if r.isSuccess { return .commandDone(command: command, time: time) }
            let reason = r.errorDescription.isEmpty ? "" : ": \(r.errorDescription)"
            return .problem(DeviceProblem(kind: .deviceError, offset: Int64(r.streamOffset), length: 0, code: Int(r.statusCode),
                                          message: "LLRP: \(command) (message \(r.messageID)) failed with status \(LLRPStatusCode.name(r.statusCode))\(reason)",
                                          time: time))
        case .error(let e):
            // Skipped garbage and a cut-off message cover `detail` bytes; the rest are located, not measured.
            let length = e.kind == .garbage || e.kind == .truncated ? e.detail : 0
            return .problem(DeviceProblem(kind: e.kind.problemKind, offset: Int64(e.offset), length: length, message: e.description, time: time))
        }
    }
}

extension LLRPDriver {
    /// `llrp` in the registry: fixed readers over TCP. Its option words
    /// (preset, antennas, report, keepalive, …) are read as a set by
    /// `LLRPReaderConfig.parsing`, which knows how they combine.
    public static let entry = DriverEntry(
        name: "llrp", transport: .tcp,
        options: LLRPReaderConfig.knownOptions.split(separator: ",").map { word in
            DriverOption(String(word.drop { $0 == " " })) { (_, _) throws(DeviceError) in }
        },
        parser: { (text, options) throws(DeviceError) in
            do throws(LLRPOptionError) {
                options.reader = try LLRPReaderConfig.parsing(options: text, host: options.reader.host, port: options.reader.port)
            } catch {
                throw .configuration(error.description)
            }
            options.reconnect = options.reader.backoff
        }
    ) { LLRPDriver(options: $0) }
}
