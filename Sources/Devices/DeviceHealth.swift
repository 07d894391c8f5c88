import ScanModel

/// How a device is doing, as the daemon shows it (`scanledger devices`,
/// `status`, metrics): up, degraded (open and read, but nothing valid comes:
/// a wrong line speed) or down (vanished, or cannot be opened), with a
/// reason that names the likely cause.
public struct DeviceHealth: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case up, degraded, down }
    public var state: State
    public var reason: String?
    /// When the device entered this state (the runner's clock).
    public var since: Microseconds

    public init(state: State, reason: String? = nil, since: Microseconds) {
        self.state = state; self.reason = reason; self.since = since
    }
}

extension DeviceRunner {
    /// Why a device is down, naming the likely cause: gone while open (with
    /// what it left half-sent, which is discarded), or not there to open.
    static func downReason(_ error: DeviceError, opened: Bool, cut events: [DeviceEvent], lastLoss: String?) -> String {
        guard opened else { return lastLoss.map { "\($0); not back yet: \(error)" } ?? "cannot open: \(error)" }
        let cut = events.reduce(0) { n, e in
            if case .problem(let p) = e, p.kind == .truncated { return n + p.length }
            return n
        }
        let lost: String
        if case .hangup = error { lost = "device vanished (\(error))" } else { lost = "connection lost (\(error))" }
        return cut == 0 ? lost : lost + " mid-frame, \(cut) bytes of an unfinished frame discarded"
    }
}
