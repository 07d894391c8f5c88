import ScanModel

/// The live conversation: `DeviceRunner` owns the TCP connection, its
/// backoff and reconnects; the `LLRPSession` decides what to say on it. The
/// session keeps running across connections (message ids go on), and its
/// own reconnect timer is not used: when it gives a connection up, `tick`
/// throws and the runner reconnects on its schedule.
extension LLRPDriver {
    public func connectionOpened(now: Microseconds, into batch: inout EventBatch) {
        decoder.reset()
        if session == nil { session = LLRPSession(config: reader) }
        converse(now) { session, ms, out in
            session.restart(now: ms, into: &out)
            session.transportConnected(now: ms, into: &out)
        }
        takeSends(into: &batch)
    }

    public func tick(now: Microseconds, into batch: inout EventBatch) throws(DeviceError) {
        guard let state = session?.state else { return }
        if state != .waitingToReconnect { converse(now) { $0.tick(now: $1, into: &$2) } }
        takeSends(into: &batch)
        if session?.state == .waitingToReconnect {
            throw .connection(status.lastFailure ?? "LLRP session with \(reader.host):\(reader.port) ended")
        }
    }

    public var nextDeadline: Microseconds? {
        guard let session, session.state != .waitingToReconnect, let ms = session.nextDeadline else { return nil }
        return Microseconds(ms.multipliedReportingOverflow(by: 1000).partialValue)
    }

    public func wallClockStepped(by delta: Microseconds) { session?.shiftTimers(by: delta.value / 1000) }

    public func closing(now: Microseconds, into batch: inout EventBatch) -> Microseconds? {
        guard session != nil else { return nil }
        converse(now) { $0.stop(now: $1, into: &$2) }
        takeSends(into: &batch)
        guard session?.state == .closing, let ms = session?.nextDeadline else { return nil }
        return Microseconds(ms * 1000)
    }

    /// A feedback step is a GPO write (`LLRPGPOStep`); the session sends it
    /// as SET_READER_CONFIG while it runs and drops it otherwise (a light
    /// for a scan made while the reader was away means nothing later).
    public func feedbackStep(_ bytes: [UInt8], now: Microseconds, into batch: inout EventBatch) {
        guard let gpo = LLRPGPOStep.decode(bytes) else {
            pendingLog.append((.warning, "feedback step \(bytes) is not a GPO write; dropped"))
            return
        }
        var sent = false
        converse(now) { session, _, out in sent = session.writeGPO(port: gpo.port, high: gpo.high, into: &out) }
        if !sent { pendingLog.append((.debug, "GPO \(gpo.port) write dropped: the LLRP session is not running")) }
        takeSends(into: &batch)
    }

    public var isClosed: Bool { session.map { $0.state != .closing } ?? true }

    public func connectionFailed(now: Microseconds, opened: Bool, reason: String) {
        guard opened else {
            status.connectFailures &+= 1
            status.state = .waitingToReconnect
            return
        }
        // The runner logs the failure itself; the session only has to know
        // the connection is gone (its notes would say it twice).
        if session?.isConnected == true {
            var ignored: [LLRPSessionOutput] = []
            session?.transportFailed(now: now.value / 1000, reason: reason, into: &ignored)
            status.state = session?.state ?? status.state
        }
    }

    public func drainLog(_ log: (LogLevel, String) -> Void) {
        for (level, line) in pendingLog { log(level, line) }
        pendingLog.removeAll()
    }

    /// Also before the first connection: a reader that is down from the
    /// start shows its failed connects.
    public var protocolStatus: ProtocolStatus? {
        var s = status
        s.decoder = decoder.counters
        s.failedResponses = failedResponses
        s.lastSeen = lastSeen
        return .llrp(s)
    }

    /// Runs one session step at `now` and carries out its outputs: sends
    /// wait in `sessionOutput` for `takeSends`, notes become counts and log lines.
    func converse(_ now: Microseconds, _ step: (inout LLRPSession, Int64, inout [LLRPSessionOutput]) -> Void) {
        guard var current = session else { return }
        var out: [LLRPSessionOutput] = []
        step(&current, now.value / 1000, &out)
        session = current
        status.state = current.state
        for output in out {
            guard case .note(let note) = output else { sessionOutput.append(output); continue }
            switch note {
            case .connectionRefused, .setupFailed, .timeout, .linkDead, .framingLost: status.sessionFailures &+= 1
            default: break
            }
            if case .reconnectScheduled = note { continue }  // the runner reconnects, on its own schedule
            if let line = LLRPDriver.logLine(note, config: reader) {
                pendingLog.append(line)
                if line.0 == .warning { status.lastFailure = line.1 }
            }
        }
    }

    /// Moves the session's messages onto the batch for the runner to write.
    func takeSends(into batch: inout EventBatch) {
        for case .send(let bytes, _, _) in sessionOutput { batch.outgoing.append(bytes) }
        sessionOutput.removeAll(keepingCapacity: true)
    }

    /// The log line for a session note; nil for the ones that are noise.
    static func logLine(_ note: LLRPSessionNote, config: LLRPReaderConfig) -> (LogLevel, String)? {
        let peer = "\(config.host):\(config.port)"
        switch note {
        case .state(.running): return (.info, "LLRP reader \(peer) configured and inventorying")
        case .state(.stopped): return (.info, "LLRP session with \(peer) closed")
        case .state: return nil
        case .connectionRefused(let s): return (.warning, "reader \(peer) refused the connection: \(s.name)")
        case .setupFailed(let type, let code, let text):
            return (.warning, "\(LLRPMessageType.name(type)) failed with \(LLRPStatusCode.name(code))\(text.isEmpty ? "" : ": \(text)")")
        case .timeout(let what): return (.warning, "timed out waiting for \(what) from \(peer)")
        case .keepaliveMissed(let n): return n > 1 ? (.warning, "\(n) keepalive periods without a word from \(peer)") : nil
        case .linkDead: return (.warning, "link to \(peer) declared dead (no keepalive)")
        case .framingLost: return (.warning, "lost LLRP framing with \(peer)")
        case .transportFailed(let reason): return (.warning, reason)
        case .transportClosed: return (.warning, "reader \(peer) closed the connection")
        case .reconnectScheduled(let attempt, let delay): return (.info, "reconnect attempt \(attempt) in \(delay) ms")
        }
    }
}
