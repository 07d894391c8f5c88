#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Where code that needs "now" gets it, so timeouts, dedup windows and
/// reconnect waits are tested in virtual time. Named with its unit because
/// Swift's own `Clock` protocol (durations, `sleep`) is a different thing.
public protocol MicrosecondClock: Sendable {
    func now() -> Microseconds
}

/// Real time (CLOCK_REALTIME, µs since 1970): the stamp put on events.
public struct WallClock: MicrosecondClock {
    public init() {}
    public func now() -> Microseconds {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Microseconds(Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }
}

/// Host monotonic time (CLOCK_MONOTONIC via Dispatch): for intervals that a
/// wall-clock step (NTP, an operator) must not stretch or shrink.
public struct MonotonicClock: MicrosecondClock {
    public init() {}
    public func now() -> Microseconds {
        Microseconds(Int64(truncatingIfNeeded: DispatchTime.now().uptimeNanoseconds / 1000))
    }
}

/// A clock that moves only when told to: tests, replays, simulations.
/// `@unchecked Sendable`: `current` is only touched under `lock`.
public final class ManualClock: MicrosecondClock, @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private var current: Microseconds

    public init(_ start: Microseconds = .zero) { current = start }

    public func now() -> Microseconds { locked { current } }

    /// Moves forward by `delta` (never backward) and returns the new time.
    @discardableResult
    public func advance(by delta: Microseconds) -> Microseconds {
        locked {
            if delta.value > 0 {
                let (sum, overflow) = current.value.addingReportingOverflow(delta.value)
                current = Microseconds(overflow ? .max : sum)
            }
            return current
        }
    }

    /// Moves to `time` when that is later than now (a clock never runs back).
    public func set(_ time: Microseconds) {
        locked { if time > current { current = time } }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.wait()
        defer { lock.signal() }
        return body()
    }
}
