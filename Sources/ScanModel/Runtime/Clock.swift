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
/// `threshold`.
public struct WallStepWatch: Sendable {
    public static let threshold = Microseconds.milliseconds(250)
    /// How close the two monotonic reads around a wall read must be for the
    /// pair to count as one instant.
    static let sameInstant: Int64 = 5_000
    private let clocks: IntervalClocks
    private var last: (wall: Int64, monotonic: Int64)

    public init(_ clocks: IntervalClocks) {
        self.clocks = clocks
        last = Self.sample(clocks)
    }

    /// The step since the last look (wall moved minus monotonic moved), or
    /// nil when the wall clock only ran.
    public mutating func step() -> Microseconds? {
        let now = Self.sample(clocks)
        let drift = (now.wall &- last.wall) &- (now.monotonic &- last.monotonic)
        last = now
        return drift.magnitude >= Self.threshold.value.magnitude ? Microseconds(drift) : nil
    }

    /// Both clocks at one instant. A thread descheduled between two reads
    /// (a loaded box, a sanitizer) would make its pause look like a step, so
    /// the wall read is bracketed by two monotonic reads and taken again
    /// while they are far apart (the closest of a few tries otherwise).
    static func sample(_ clocks: IntervalClocks) -> (wall: Int64, monotonic: Int64) {
        var best: (wall: Int64, monotonic: Int64, gap: Int64)? = nil
        for _ in 0..<4 {
            let before = clocks.monotonic.now().value
            let wall = clocks.wall.now().value
            let after = clocks.monotonic.now().value
            let gap = after &- before
            if best == nil || gap < best!.gap { best = (wall, before &+ gap / 2, gap) }
            if gap <= sameInstant { break }
        }
        return (best!.wall, best!.monotonic)
    }
}
