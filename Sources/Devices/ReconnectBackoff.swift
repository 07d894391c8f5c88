import ScanModel

/// How long to wait before the next connection attempt: starts at
/// `initial`, doubles after each failure up to `maximum`, and starts over
/// once a connection has stayed up for `healthyAfter` (so one glitch a day
/// does not leave a device waiting 30 s to come back).
public struct ReconnectBackoff: Sendable, Equatable {
    public let initial: Microseconds
    public let maximum: Microseconds
    public let healthyAfter: Microseconds
    public private(set) var current: Microseconds

    public init(initial: Microseconds, maximum: Microseconds, healthyAfter: Microseconds) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.healthyAfter = healthyAfter
        current = initial
    }

    /// Call after a failure; `connectedFor` is how long the connection that
    /// just ended lasted (nil if it never opened). Returns the wait.
    public mutating func failed(connectedFor: Microseconds?) -> Microseconds {
        if let up = connectedFor, up >= healthyAfter { current = initial }
        let wait = current
        current = Microseconds(min(current.value.multipliedReportingOverflow(by: 2).partialValue, maximum.value))
        return wait
    }
}
