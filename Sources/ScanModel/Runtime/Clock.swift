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

/// A wall clock an operator or NTP can step either way (`ManualClock` only
/// runs forward, as a monotonic clock does): tests of clock steps.
public final class SteppableClock: MicrosecondClock {
    private let current: Locked<Microseconds>
    public init(_ start: Microseconds) { current = Locked(start) }
    public func now() -> Microseconds { current.snapshot }
    public func step(by delta: Microseconds) { current.withLock { $0 = $0 + delta } }
}

/// The two clocks a state machine with timeouts needs (issue 18): wall time
/// only labels what happened (event, posting and journal times, calendar
/// dates); intervals (idle timeouts, session time limits) are measured on
/// `monotonic`, so NTP or an operator stepping the wall clock neither fires a
/// timeout at once nor holds it off until the wall clock catches up.
public struct IntervalClocks: Sendable {
    public let wall: any MicrosecondClock
    public let monotonic: any MicrosecondClock

    public init(wall: any MicrosecondClock, monotonic: any MicrosecondClock) {
        self.wall = wall; self.monotonic = monotonic
    }

    /// CLOCK_REALTIME and CLOCK_MONOTONIC: what the daemon runs on.
    public static let system = IntervalClocks(wall: WallClock(), monotonic: MonotonicClock())

    /// The monotonic instant of a wall stamp whose own instant was never
    /// taken (a mark saved before a restart): its age judged on the wall
    /// clock now, never negative. A step between the mark and now counts
    /// once, here; from then on the mark ages on the monotonic clock.
    public func monotonicInstant(ofWall mark: Int64) -> Microseconds {
        let (age, overflow) = wall.now().value.subtractingReportingOverflow(mark)
        let now = monotonic.now().value
        return Microseconds(overflow || age <= 0 ? now : now - min(age, now))
    }
}

/// Notices the wall clock being stepped (NTP at boot on a box without a
/// real-time clock moves it years forward; an operator's `date -s` either
/// way) by comparing how far it moved with how far CLOCK_MONOTONIC moved
/// since the last look. For a component that stamps in wall time but keeps
/// timers in the same base (a device driver): on a step it moves its timers
/// by the step, so a deadline neither fires at once nor waits for the wall
/// clock to catch up. NTP's slewing (at most 500 ppm) stays far below
/// `threshold`, as does the time between the two reads.
public struct WallStepWatch: Sendable {
    public static let threshold = Microseconds.milliseconds(250)
    private let clocks: IntervalClocks
    private var lastWall: Int64
    private var lastMonotonic: Int64

    public init(_ clocks: IntervalClocks) {
        self.clocks = clocks
        lastWall = clocks.wall.now().value
        lastMonotonic = clocks.monotonic.now().value
    }

    /// The step since the last look (wall moved minus monotonic moved), or
    /// nil when the wall clock only ran.
    public mutating func step() -> Microseconds? {
        let wall = clocks.wall.now().value, monotonic = clocks.monotonic.now().value
        let drift = (wall &- lastWall) &- (monotonic &- lastMonotonic)
        lastWall = wall; lastMonotonic = monotonic
        return drift.magnitude >= Self.threshold.value.magnitude ? Microseconds(drift) : nil
    }
}
