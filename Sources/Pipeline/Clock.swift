import Dispatch
import ScanModel

/// Where the pipeline's owner gets "now" for `Pipeline.advance(to:)`. The
/// pipeline itself never reads a clock; injecting one keeps every timeout
/// testable in virtual time.
public protocol PipelineClock: Sendable {
    func now() -> Microseconds
}

/// Host monotonic time (CLOCK_MONOTONIC via Dispatch), for readers whose
/// timestamps are not trusted (`TimestampSource.host`) or to stamp reads.
public struct MonotonicClock: PipelineClock {
    public init() {}
    public func now() -> Microseconds {
        Microseconds(Int64(truncatingIfNeeded: DispatchTime.now().uptimeNanoseconds / 1000))
    }
}

/// A clock that moves only when told to: tests, replays, simulations.
public final class VirtualClock: PipelineClock, @unchecked Sendable {
    private let lock = ClockLock()
    private var current: Microseconds

    public init(_ start: Microseconds = .zero) { current = start }

    public func now() -> Microseconds { lock.withLock { current } }

    /// Moves forward by `delta` (never backward) and returns the new time.
    @discardableResult
    public func advance(by delta: Microseconds) -> Microseconds {
        lock.withLock {
            if delta.value > 0 { current = Microseconds(satAdd(current.value, delta.value)) }
            return current
        }
    }

    public func set(_ time: Microseconds) {
        lock.withLock { if time > current { current = time } }
    }
}

extension Pipeline {
    /// `advance(to: clock.now())`.
    @discardableResult
    public func advance(clock: some PipelineClock) -> Bool { advance(to: clock.now()) }
}

/// A minimal lock without Foundation (Dispatch semaphore as a mutex).
final class ClockLock: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 1)
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        semaphore.wait()
        defer { semaphore.signal() }
        return try body()
    }
}
