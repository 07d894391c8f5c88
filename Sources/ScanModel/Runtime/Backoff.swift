/// How long to wait before trying again after a failure (a device that would
/// not open, a reader that refused, a central server that is down): starts
/// at `initial`, doubles after each failure up to `maximum`, and starts over
/// once a connection stayed up for `healthyAfter`, so one glitch a day does
/// not leave a device waiting the maximum to come back. No jitter here: each
/// device has its own schedule; a caller that shares a server adds its own.
public struct Backoff: Sendable, Hashable {
    public let initial: Microseconds
    public let maximum: Microseconds
    /// nil: only `reset()` starts over.
    public let healthyAfter: Microseconds?
    /// Failures since the last start-over.
    public private(set) var failures = 0

    /// `initial` is at least 1 µs and `maximum` at least `initial`.
    public init(initial: Microseconds, maximum: Microseconds, healthyAfter: Microseconds? = nil) {
        self.initial = Microseconds(max(1, initial.value))
        self.maximum = Microseconds(max(self.initial.value, maximum.value))
        self.healthyAfter = healthyAfter
    }

    /// The wait before attempt number `attempt` (1-based): initial·2^(attempt−1), capped.
    public func delay(attempt: Int) -> Microseconds {
        var wait = initial.value
        var n = 1
        while n < attempt && wait < maximum.value {
            wait = wait.multipliedReportingOverflow(by: 2).partialValue
            n += 1
        }
        return Microseconds(min(max(wait, initial.value), maximum.value))
    }

    /// The wait the next failure will get.
    public var current: Microseconds { delay(attempt: failures + 1) }

    /// Call after a failure; `connectedFor` is how long the connection that
    /// just ended lasted (nil if it never opened). Returns the wait.
    public mutating func failed(connectedFor: Microseconds? = nil) -> Microseconds {
        if let up = connectedFor, let healthy = healthyAfter, up >= healthy { failures = 0 }
        failures += 1
        return delay(attempt: failures)
    }

    /// A success that counts as healthy at once (an LLRP reader that finished its setup).
    public mutating func reset() { failures = 0 }
}
