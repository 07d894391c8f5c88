import ScanModel

/// The conversation of a device that takes fixed commands: init and start
/// commands on connect, stop commands on the way out, no timers and no
/// answer to wait for. LLRP (`LLRPDriver`) replaces all of it with its session.
extension DeviceDriver {
    public func connectionOpened(now: Microseconds, into batch: inout EventBatch) {
        batch.outgoing += initCommands + startCommands
    }
    public func tick(now: Microseconds, into batch: inout EventBatch) throws(DeviceError) {}
    public var nextDeadline: Microseconds? { nil }
    public func wallClockStepped(by delta: Microseconds) {}
    public func closing(now: Microseconds, into batch: inout EventBatch) -> Microseconds? {
        batch.outgoing += stopCommands
        return nil
    }
    public var isClosed: Bool { true }
    public func connectionFailed(now: Microseconds, opened: Bool, reason: String) {}
    public func drainLog(_ log: (LogLevel, String) -> Void) {}
    public var protocolStatus: ProtocolStatus? { nil }
    public var garbled: String? { nil }
    public func feedbackStep(_ bytes: [UInt8], now: Microseconds, into batch: inout EventBatch) {
        batch.outgoing.append(bytes)
    }
}

/// Status beyond the common counters, for protocols with a session.
public enum ProtocolStatus: Sendable, Equatable {
    case llrp(LLRPClientStatus)

    /// False while the session is still being set up (the device counts as
    /// connected only once it reports).
    public var isReady: Bool {
        switch self {
        case .llrp(let status): return status.isRunning
        }
    }
}
