#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import ScanModel

@Suite struct SyscallWrapperTests {
    /// A call cut short by a signal is made again; the caller never sees EINTR.
    @Test func interruptedCallsAreRetried() throws {
        var calls = 0
        let result = try valueOrErrno("read(\"/dev/ttyUSB0\")") { () -> Int in
            calls += 1
            if calls < 3 { errno = EINTR; return -1 }
            return 42
        }
        #expect(result == 42)
        #expect(calls == 3)
    }

    /// Asked not to retry, EINTR comes back like any other failure.
    @Test func interruptRetryCanBeTurnedOff() {
        var calls = 0
        #expect(throws: Errno(EINTR, call: "poll")) {
            try valueOrErrno("poll", retryOnInterrupt: false) { () -> Int32 in
                calls += 1
                errno = EINTR
                return -1
            }
        }
        #expect(calls == 1)
    }

    /// The error says which call, on what, and errno both as a name and as text.
    @Test func theErrorNamesTheCallAndTheCode() {
        do {
            _ = try FileDescriptor.open("/nonexistent/ttyUSB0", O_RDWR)
            Issue.record("opened a file that does not exist")
        } catch {
            #expect(error.code == ENOENT)
            #expect(error.description == "open(\"/nonexistent/ttyUSB0\"): ENOENT (No such file or directory)")
        }
        #expect(Errno(12345, call: "ioctl").description.hasPrefix("ioctl: errno 12345 ("))
    }

    /// A real read interrupted by a signal (SIGURG, ignored by default, here
    /// with a handler installed without SA_RESTART, sent to this thread only)
    /// is retried and then gets the byte written later.
    @Test func aReadInterruptedByASignalIsRetried() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        let reader = FileDescriptor(rawValue: fds[0]), writer = FileDescriptor(rawValue: fds[1])
        defer { reader.close(); writer.close() }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        action.sa_flags = 0   // no SA_RESTART: the kernel returns EINTR
        var previous = sigaction()
        sigaction(SIGURG, &action, &previous)
        defer { sigaction(SIGURG, &previous, nil) }
        let me = pthread_self(), writeEnd = fds[1]
        let helper = Thread {
            usleep(50_000); pthread_kill(me, SIGURG)      // interrupts the blocked read
            usleep(100_000); var b: UInt8 = 7; _ = write(writeEnd, &b, 1)
        }
        helper.start()
        var byte: UInt8 = 0
        let n = try withUnsafeMutableBytes(of: &byte) { try reader.read(into: $0) }
        #expect(n == 1 && byte == 7)
    }

    @Test func aDescriptorIsClosedOnce() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        var held: FileDescriptor? = FileDescriptor(rawValue: fds[0])
        held.closeOnce()
        #expect(held == nil)
        held.closeOnce()  // nothing left to close: no double close of a reused number
        FileDescriptor(rawValue: fds[1]).close()
    }
}

@Suite struct BackoffTests {
    @Test func doublesFromTheFirstWaitToTheCap() {
        let b = Backoff(initial: .seconds(1), maximum: .seconds(8))
        #expect((1...6).map { b.delay(attempt: $0) } == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
        #expect(b.delay(attempt: 10_000) == .seconds(8), "no overflow however long it fails")
    }

    @Test func aHealthyConnectionStartsOverAndAShortOneDoesNot() {
        var b = Backoff(initial: .milliseconds(100), maximum: .seconds(1), healthyAfter: .seconds(10))
        #expect(b.failed() == .milliseconds(100))
        #expect(b.failed(connectedFor: .seconds(2)) == .milliseconds(200))
        #expect(b.failed(connectedFor: .seconds(10)) == .milliseconds(100))
        #expect(b.current == .milliseconds(200))
        b.reset()
        #expect(b.failed() == .milliseconds(100))
    }

    @Test func aMaximumBelowTheFirstWaitIsRaisedToIt() {
        let b = Backoff(initial: .seconds(5), maximum: .seconds(1))
        #expect(b.maximum == .seconds(5) && b.delay(attempt: 3) == .seconds(5))
    }
}

@Suite struct ClockTests {
    @Test func theManualClockMovesOnlyForwardAndOnlyWhenTold() {
        let clock = ManualClock(.milliseconds(10))
        #expect(clock.now() == .milliseconds(10))
        #expect(clock.advance(by: .milliseconds(5)) == .milliseconds(15))
        clock.advance(by: Microseconds(-100))
        clock.set(.milliseconds(1))
        #expect(clock.now() == .milliseconds(15), "never backward")
        clock.set(.seconds(1))
        #expect(clock.now() == .seconds(1))
        clock.advance(by: Microseconds(.max))
        #expect(clock.now() == Microseconds(.max), "saturates instead of wrapping")
    }

    @Test func wallAndMonotonicClocksRun() {
        let wall = WallClock().now()
        #expect(wall > .seconds(1_700_000_000), "after 2023")
        let a = MonotonicClock().now(), b = MonotonicClock().now()
        #expect(b >= a)
        let clocks: [any MicrosecondClock] = [WallClock(), MonotonicClock(), ManualClock()]
        #expect(clocks.count == 3)
    }

    /// Only a step shows: both clocks running together, or the wall clock
    /// slewed below the threshold, is no step; a step is reported once, by
    /// its size and sign, and the extreme never traps.
    @Test func wallStepWatchSeesStepsAndNotRunning() {
        let wall = SteppableClock(.seconds(1_000)), monotonic = ManualClock(.seconds(5))
        var watch = WallStepWatch(IntervalClocks(wall: wall, monotonic: monotonic))
        #expect(watch.step() == nil)
        wall.step(by: .seconds(2)); monotonic.advance(by: .seconds(2))
        #expect(watch.step() == nil, "both ran two seconds")
        wall.step(by: .milliseconds(100))
        #expect(watch.step() == nil, "100 ms is slewing, not a step")
        wall.step(by: .seconds(-3600))
        #expect(watch.step() == .seconds(-3600))
        #expect(watch.step() == nil, "reported once")
        wall.step(by: .seconds(86_400 * 365 * 50)); monotonic.advance(by: .seconds(1))
        #expect(watch.step() == .seconds(86_400 * 365 * 50 - 1))
        wall.step(by: Microseconds(.min))
        #expect(watch.step() != nil)
    }

    /// A pause between the two clocks' reads (the thread descheduled) is not
    /// a step: the pair is read again. Before, a 300 ms pause there logged
    /// "wall clock stepped by +0.300 s" and moved every device timer.
    @Test func aPauseBetweenTheReadsIsNotAStep() {
        let time = ScriptedTime()
        let clocks = IntervalClocks(wall: ScriptedTime.Clock(time: time, offset: 1_000_000_000), monotonic: ScriptedTime.Clock(time: time, offset: 0))
        var watch = WallStepWatch(clocks)
        time.advance(by: 1_000_000)
        time.pauseAt(read: time.reads + 2, for: 300_000)   // a pause just before the second read of the look
        #expect(watch.step() == nil)
        time.advance(by: 1_000_000)
        #expect(watch.step() == nil)
    }
}

/// One timeline both clocks of a test read (the wall ahead by an offset),
/// which can pause before a chosen read, as a descheduled thread would.
final class ScriptedTime: @unchecked Sendable {
    // @unchecked Sendable: used from one test's thread only.
    private(set) var reads = 0
    private var now: Int64 = 0
    private var pause: (read: Int, length: Int64)? = nil
    func advance(by micros: Int64) { now += micros }
    func pauseAt(read: Int, for micros: Int64) { pause = (read, micros) }
    func read() -> Int64 {
        reads += 1
        if let p = pause, p.read == reads { now += p.length; pause = nil }
        return now
    }
    struct Clock: MicrosecondClock {
        let time: ScriptedTime
        let offset: Int64
        func now() -> Microseconds { Microseconds(time.read() + offset) }
    }
}
