import Foundation
import ScanModel
import Testing

/// The kernel's lifecycle kit: Locked, the supervisor's order, ServiceThread.
@Suite struct SupervisorTests {
    /// Records starts and stops into a shared journal.
    final class Part: BackgroundService {
        let serviceName: String
        let journal: Locked<[String]>
        let failsToStart: Bool
        init(_ name: String, _ journal: Locked<[String]>, failsToStart: Bool = false) {
            serviceName = name; self.journal = journal; self.failsToStart = failsToStart
        }
        struct Refused: Error {}
        func start() throws {
            if failsToStart { throw Refused() }
            journal.withLock { $0.append("start \(serviceName)") }
        }
        func stop() { journal.withLock { $0.append("stop \(serviceName)") } }
    }

    @Test func theSupervisorStopsInReverseOrderOnce() throws {
        let journal = Locked<[String]>([])
        let supervisor = Supervisor()
        supervisor.adopt(Part("ledger", journal))
        for name in ["router", "devices", "control"] { try supervisor.start(Part(name, journal)) }
        supervisor.stopAll()
        supervisor.stopAll()   // a second stop finds nothing left to stop
        #expect(journal.snapshot == ["start router", "start devices", "start control",
                                     "stop control", "stop devices", "stop router", "stop ledger"])
    }

    @Test func aFailedStartStopsWhatStartedBeforeItAndRethrows() throws {
        let journal = Locked<[String]>([])
        let supervisor = Supervisor()
        try supervisor.start(Part("router", journal))
        #expect(throws: Part.Refused.self) { try supervisor.start(Part("control", journal, failsToStart: true)) }
        #expect(journal.snapshot == ["start router", "stop router"])
        #expect(supervisor.serviceNames.isEmpty)
    }

    @Test func aServiceThreadWaitingForStopWakesAtOnceAndStopIsIdempotent() throws {
        let thread = ServiceThread(name: "test-loop")
        let rounds = Locked(0)
        thread.start { t in
            // An hour between rounds: only stop() can end this loop in time.
            while !t.waitForStop(seconds: 3600) { rounds.withLock { $0 += 1 } }
        }
        #expect(thread.isRunning)
        thread.stop()
        #expect(!thread.isRunning)
        thread.stop()
        #expect(rounds.snapshot == 0)
    }

    @Test func stopWakesABlockingWaitThroughItsWakeHook() throws {
        let thread = ServiceThread(name: "blocked")
        let gate = DispatchSemaphore(value: 0)
        thread.start { _ in gate.wait() }      // blocked in something only `wake` ends
        thread.stop(wake: { gate.signal() })
        #expect(!thread.isRunning)
    }

    @Test func stopWakingAConditionEndsALoopThatSleepsOnIt() throws {
        let thread = ServiceThread(name: "sleeper")
        let condition = NSCondition()
        thread.start { t in
            condition.withLock {
                // Waits with no deadline: only the broadcast from stop can end it.
                while !t.shouldStop { condition.wait() }
            }
        }
        thread.stop(waking: condition)
        #expect(!thread.isRunning)
    }

    @Test func aThreadNeverStartedCountsAsStopped() {
        let thread = ServiceThread(name: "idle")
        thread.stop()
        #expect(!thread.isRunning && thread.shouldStop == false)
    }

    @Test func lockedSwapReturnsThePreviousValueUnderConcurrentIncrements() {
        let counter = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<1_000 { counter.withLock { $0 += 1 } }
        }
        #expect(counter.swap(0) == 8_000)
        #expect(counter.snapshot == 0)
    }
}
