import ScanModel

/// What the session asks its transport to do, and what it tells the driver.
public enum LLRPSessionOutput: Hashable, Sendable {
    case connect(host: String, port: UInt16, timeoutMilliseconds: Int)
    case send(bytes: [UInt8], messageType: UInt16, messageID: UInt32)
    case disconnect
    case note(LLRPSessionNote)
}

/// Things worth a log line or a metric.
public enum LLRPSessionNote: Hashable, Sendable {
    case state(LLRPSession.State)
    /// The reader refused this connection (e.g. another client is connected).
    case connectionRefused(LLRPConnectionAttemptStatus)
    case setupFailed(messageType: UInt16, statusCode: UInt16, description: String)
    case timeout(waitingFor: String)
    case keepaliveMissed(periods: Int)
    case linkDead
    case framingLost
    case transportFailed(reason: String)
    case transportClosed
    case reconnectScheduled(attempt: Int, delayMilliseconds: Int64)
}

/// The LLRP client conversation as a pure state machine: inputs are
/// transport results, decoded reader messages and the time (milliseconds on
/// any monotonic origin); outputs are messages to send and notes. No I/O,
/// no clock of its own, so every path is tested in virtual time.
///
/// Connection attempts: the reader opens every connection with a
/// READER_EVENT_NOTIFICATION / ConnectionAttemptEvent. "A client-initiated
/// connection already exists" means the reader still holds an earlier
/// session, typically ours from before a crash or a network cut where no FIN
/// reached the reader. A client cannot close another client's session
/// (CLOSE_CONNECTION only acts on its own), so the recovery is to close and
/// retry with backoff. The old session dies by itself: the KEEPALIVE period
/// we forced on it makes the reader write to the stale socket, and our host's
/// kernel answers that with a RST (or the reader's TCP/link monitor times
/// out), after which the next attempt succeeds. Readers without a keepalive
/// configured can hold a stale session for the TCP timeout (minutes), which
/// the capped backoff rides out without a human.
public struct LLRPSession: Sendable {
    public enum State: String, Sendable, Hashable {
        case idle, connecting, awaitingConnectionEvent, configuring, running, closing, waitingToReconnect, stopped
    }

    public private(set) var state: State = .idle
    public let config: LLRPReaderConfig
    public private(set) var reconnectAttempt = 0
    var nextMessageID: UInt32 = 1
    var setupQueue: [UInt16] = []
    var awaiting: (type: UInt16, id: UInt32)?
    var deadline: Int64 = .max
    var reconnectAt: Int64 = .max
    var lastHeard: Int64 = 0
    var missesReported = 0

    public init(config: LLRPReaderConfig) { self.config = config }

    /// When `tick` next has something to do (for the transport's poll timeout).
    public var nextDeadline: Int64? {
        switch state {
        case .connecting, .awaitingConnectionEvent, .configuring, .closing: return deadline
        case .waitingToReconnect: return reconnectAt
        case .running:
            let period = Int64(max(1, config.keepaliveMilliseconds))
            return lastHeard + period / 2 + period * Int64(missesReported + 1)
        case .idle, .stopped: return nil
        }
    }

    /// Moves every timer by `delta` milliseconds (the wall clock stepped).
    public mutating func shiftTimers(by delta: Int64) {
        if deadline != .max { deadline &+= delta }
        if reconnectAt != .max { reconnectAt &+= delta }
        lastHeard &+= delta
    }

    public var isConnected: Bool {
        switch state {
        case .awaitingConnectionEvent, .configuring, .running, .closing: return true
        default: return false
        }
    }

    public mutating func start(now: Int64, into out: inout [LLRPSessionOutput]) {
        guard state == .idle || state == .stopped else { return }
        connect(now: now, into: &out)
    }

    /// The transport reconnects on its own schedule (`DeviceRunner`'s
    /// backoff): begin a connection now, whatever reconnect timer was set.
    public mutating func restart(now: Int64, into out: inout [LLRPSessionOutput]) {
        guard !isConnected && state != .connecting else { return }
        connect(now: now, into: &out)
    }

    /// Shutdown: stop our ROSpec and send CLOSE_CONNECTION, then wait for the
    /// reader's response (or the close timeout) before dropping the socket.
    public mutating func stop(now: Int64, into out: inout [LLRPSessionOutput]) {
        switch state {
        case .running, .configuring, .awaitingConnectionEvent:
            if state == .running { send(LLRPMessageType.stopROSpec, now: now, into: &out) }
            awaiting = nil
            send(LLRPMessageType.closeConnection, now: now, into: &out)
            deadline = now + Int64(config.closeTimeoutMilliseconds)
            enter(.closing, into: &out)
        case .connecting:
            out.append(.disconnect)
            enter(.stopped, into: &out)
        case .idle, .waitingToReconnect:
            enter(.stopped, into: &out)
        case .closing, .stopped:
            break
        }
    }

    public mutating func transportConnected(now: Int64, into out: inout [LLRPSessionOutput]) {
        guard state == .connecting else { return }
        lastHeard = now
        deadline = now + Int64(config.responseTimeoutMilliseconds)
        enter(.awaitingConnectionEvent, into: &out)
    }

    public mutating func transportFailed(now: Int64, reason: String, into out: inout [LLRPSessionOutput]) {
        out.append(.note(.transportFailed(reason: reason)))
        lostConnection(now: now, into: &out)
    }

    public mutating func transportClosed(now: Int64, into out: inout [LLRPSessionOutput]) {
        guard isConnected || state == .connecting else { return }
        out.append(.note(.transportClosed))
        lostConnection(now: now, into: &out)
    }

    /// Every decoded event goes through here (tag reads only refresh liveness).
    public mutating func handle(_ event: LLRPEvent, now: Int64, into out: inout [LLRPSessionOutput]) {
        guard isConnected else { return }
        lastHeard = now
        missesReported = 0
        switch event {
        case .tag:
            return
        case .keepalive(let id):
            out.append(.send(bytes: LLRPClientMessage.keepaliveAck(messageID: id),
                             messageType: LLRPMessageType.keepaliveAck, messageID: id))
        case .reader(.connectionAttempt(let status), _, _):
            guard state == .awaitingConnectionEvent else { return } // "another connection attempted" is informational
            if status == .success {
                setupQueue = [LLRPMessageType.getReaderCapabilities, LLRPMessageType.setReaderConfig,
                              LLRPMessageType.deleteAccessSpec, LLRPMessageType.deleteROSpec,
                              LLRPMessageType.addROSpec, LLRPMessageType.enableROSpec, LLRPMessageType.startROSpec]
                enter(.configuring, into: &out)
                sendNextSetupStep(now: now, into: &out)
            } else {
                out.append(.note(.connectionRefused(status)))
                out.append(.disconnect)
                scheduleReconnect(now: now, into: &out)
            }
        case .reader:
            return
        case .response(let r):
            if state == .closing {
                if r.messageType == LLRPMessageType.closeConnectionResponse {
                    out.append(.disconnect)
                    enter(.stopped, into: &out)
                }
                return
            }
            guard state == .configuring, let want = awaiting, r.messageID == want.id else { return }
            // Deleting "all" specs on an empty reader may answer with an error
            // on some firmware; the goal (none of ours left) is met either way.
            let tolerated = want.type == LLRPMessageType.deleteROSpec || want.type == LLRPMessageType.deleteAccessSpec
            if r.isSuccess || tolerated {
                awaiting = nil
                if setupQueue.isEmpty {
                    reconnectAttempt = 0
                    enter(.running, into: &out)
                } else {
                    sendNextSetupStep(now: now, into: &out)
                }
            } else {
                out.append(.note(.setupFailed(messageType: want.type, statusCode: r.statusCode, description: r.errorDescription)))
                out.append(.disconnect)
                scheduleReconnect(now: now, into: &out)
            }
        case .error(let e):
            switch e.kind {
            case .badVersion, .badLength, .garbage, .truncated:
                guard config.reconnectOnFramingError else { return }
                out.append(.note(.framingLost))
                out.append(.disconnect)
                scheduleReconnect(now: now, into: &out)
            default:
                return
            }
        }
    }

    /// Operator feedback: one GPO write as its own SET_READER_CONFIG, with
    /// the next message ID so no request of the session is confused with
    /// it. Only while running: during setup the session waits for one
    /// response at a time, and a closing or lost session has no reader to
    /// light. The response is not awaited (`handle` passes over responses
    /// it does not wait for); a failure shows as a device problem. False
    /// when the write was dropped.
    public mutating func writeGPO(port: UInt16, high: Bool, into out: inout [LLRPSessionOutput]) -> Bool {
        guard state == .running else { return false }
        let id = nextMessageID
        nextMessageID = nextMessageID == UInt32.max ? 1 : nextMessageID + 1
        out.append(.send(bytes: LLRPClientMessage.setReaderConfigGPO(messageID: id, writes: [(port, high)]),
                         messageType: LLRPMessageType.setReaderConfig, messageID: id))
        return true
    }

    public mutating func tick(now: Int64, into out: inout [LLRPSessionOutput]) {
        switch state {
        case .connecting, .awaitingConnectionEvent, .configuring:
            guard now >= deadline else { return }
            let what = state == .connecting ? "TCP connect"
                : state == .awaitingConnectionEvent ? "ConnectionAttemptEvent"
                : LLRPMessageType.name(awaiting.map { $0.type + 10 } ?? 0) // responses are request type + 10
            out.append(.note(.timeout(waitingFor: what)))
            out.append(.disconnect)
            scheduleReconnect(now: now, into: &out)
        case .running:
            let period = Int64(max(1, config.keepaliveMilliseconds))
            // Half a period of grace: a KEEPALIVE arriving on the dot is not a miss.
            let missed = Int(max(0, now - lastHeard - period / 2) / period)
            guard missed > missesReported else { return }
            missesReported = missed
            out.append(.note(.keepaliveMissed(periods: missed)))
            if missed >= config.keepaliveMissLimit {
                out.append(.note(.linkDead))
                out.append(.disconnect)
                scheduleReconnect(now: now, into: &out)
            }
        case .closing:
            guard now >= deadline else { return }
            out.append(.note(.timeout(waitingFor: "CLOSE_CONNECTION_RESPONSE")))
            out.append(.disconnect)
            enter(.stopped, into: &out)
        case .waitingToReconnect:
            guard now >= reconnectAt else { return }
            connect(now: now, into: &out)
        case .idle, .stopped:
            return
        }
    }

    // MARK: - internals

    mutating func connect(now: Int64, into out: inout [LLRPSessionOutput]) {
        deadline = now + Int64(config.connectTimeoutMilliseconds)
        enter(.connecting, into: &out)
        out.append(.connect(host: config.host, port: config.port, timeoutMilliseconds: config.connectTimeoutMilliseconds))
    }

    mutating func lostConnection(now: Int64, into out: inout [LLRPSessionOutput]) {
        if state == .closing { enter(.stopped, into: &out); return }
        scheduleReconnect(now: now, into: &out)
    }

    mutating func scheduleReconnect(now: Int64, into out: inout [LLRPSessionOutput]) {
        awaiting = nil
        setupQueue.removeAll()
        reconnectAttempt += 1
        let delay = config.backoff.delay(attempt: reconnectAttempt).value / 1000
        reconnectAt = now + delay
        out.append(.note(.reconnectScheduled(attempt: reconnectAttempt, delayMilliseconds: delay)))
        enter(.waitingToReconnect, into: &out)
    }

    mutating func sendNextSetupStep(now: Int64, into out: inout [LLRPSessionOutput]) {
        guard !setupQueue.isEmpty else { return }
        let type = setupQueue.removeFirst()
        let id = send(type, now: now, into: &out)
        awaiting = (type, id)
        deadline = now + Int64(config.responseTimeoutMilliseconds)
    }

    @discardableResult
    mutating func send(_ type: UInt16, now: Int64, into out: inout [LLRPSessionOutput]) -> UInt32 {
        let id = nextMessageID
        nextMessageID = nextMessageID == UInt32.max ? 1 : nextMessageID + 1
        let bytes: [UInt8]
        switch type {
        case LLRPMessageType.getReaderCapabilities: bytes = LLRPClientMessage.getReaderCapabilities(messageID: id)
        case LLRPMessageType.setReaderConfig:
            bytes = LLRPClientMessage.setReaderConfig(messageID: id, keepaliveMilliseconds: config.keepaliveMilliseconds)
        case LLRPMessageType.deleteAccessSpec: bytes = LLRPClientMessage.deleteAccessSpec(messageID: id)
        case LLRPMessageType.deleteROSpec: bytes = LLRPClientMessage.deleteROSpec(messageID: id)
        case LLRPMessageType.addROSpec: bytes = LLRPClientMessage.addROSpec(messageID: id, config: config)
        case LLRPMessageType.enableROSpec: bytes = LLRPClientMessage.enableROSpec(messageID: id, roSpecID: config.roSpecID)
        case LLRPMessageType.startROSpec: bytes = LLRPClientMessage.startROSpec(messageID: id, roSpecID: config.roSpecID)
        case LLRPMessageType.stopROSpec: bytes = LLRPClientMessage.stopROSpec(messageID: id, roSpecID: config.roSpecID)
        default: bytes = LLRPClientMessage.closeConnection(messageID: id)
        }
        out.append(.send(bytes: bytes, messageType: type, messageID: id))
        return id
    }

    mutating func enter(_ s: State, into out: inout [LLRPSessionOutput]) {
        guard s != state else { return }
        state = s
        if s != .running { missesReported = 0 }
        out.append(.note(.state(s)))
    }
}
