import ScanModel

/// What an LLRP reader connection has done so far, as one consistent copy
/// (`DeviceRunner.protocolStatus` for a live reader).
public struct LLRPClientStatus: Sendable, Equatable {
    public var decoder = LLRPCounters()
    public var state: LLRPSession.State = .idle
    /// Successful connections after the first one.
    public var reconnects: UInt64 = 0
    /// TCP connects that failed (refused, unreachable, timed out).
    public var connectFailures: UInt64 = 0
    /// Reader responses with an error status.
    public var failedResponses: UInt64 = 0
    /// Connections given up by the session: refused by the reader, a setup
    /// step failed or timed out, keepalives missed, framing lost.
    public var sessionFailures: UInt64 = 0
    /// The last reason the session gave a connection up, for the runner's log.
    public var lastFailure: String? = nil
    /// When bytes last arrived from the reader.
    public var lastSeen: Microseconds? = nil
    public init() {}

    /// The reader is configured and inventorying.
    public var isRunning: Bool { state == .running }

    /// The counters every device shows (`devices` request, metrics).
    public var driverCounters: DriverCounters {
        var d = LLRPDriver.driverCounters(decoder, failedResponses: failedResponses)
        d.reconnects = reconnects
        d.lastSeen = lastSeen
        return d
    }
}
