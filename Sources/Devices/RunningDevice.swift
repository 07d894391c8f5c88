import ScanModel

/// What the daemon needs from a running device. Every device kind runs on
/// `DeviceRunner`; the protocol is the seam the daemon and its tests hold.
public protocol RunningDevice: AnyObject, Sendable {
    var isConnected: Bool { get }
    var counters: DriverCounters { get }
    /// A protocol's own status beyond the counters (LLRP: session state,
    /// connect and session failures, keepalives); nil for plain streams.
    var protocolStatus: ProtocolStatus? { get }
    /// Up, degraded or down, with the likely cause (`scanledger devices`).
    var health: DeviceHealth { get }
    func start()
    func stop()
    /// Operator feedback for one outcome; false when the device cannot
    /// signal it (a station may then name an indicator device).
    func feedback(_ outcome: FeedbackOutcome) -> Bool
}

extension DeviceRunner: RunningDevice {
    public func feedback(_ outcome: FeedbackOutcome) -> Bool { send(outcome) }
}
