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
