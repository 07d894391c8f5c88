import Testing
import ScanModel
@testable import Devices

/// The queue the runner plays feedback from: steps in order, pauses kept,
/// a flood capped.
@Suite struct FeedbackPlanTests {
    let a: [UInt8] = [0x41], b: [UInt8] = [0x42]

    @Test func stepsWaitForTheirPause() {
        var q = FeedbackQueue()
        q.append(FeedbackPlan([.init(a, pauseAfter: .milliseconds(100)), .init(b)]), now: .seconds(1))
        #expect(q.takeDue(now: .seconds(1)) == [a])
        #expect(q.nextDue == .seconds(1) + .milliseconds(100))
        #expect(q.takeDue(now: .seconds(1) + .milliseconds(99)).isEmpty, "the pause was cut short")
        #expect(q.takeDue(now: .seconds(1) + .milliseconds(100)) == [b])
        #expect(q.nextDue == nil)
    }

    @Test func plansPlayOneAfterAnother() {
        var q = FeedbackQueue()
        q.append(.repeated(a, count: 2, gap: .milliseconds(10)), now: .zero)
        q.append(.bytes(b), now: .zero)
        #expect(q.takeDue(now: .zero) == [a])
        #expect(q.takeDue(now: .milliseconds(10)) == [a, b])
    }

    @Test func aFloodKeepsTheNewestSteps() {
        var q = FeedbackQueue()
        for _ in 0..<FeedbackQueue.maximumSteps { q.append(.bytes(a), now: .zero) }
        q.append(.bytes(b), now: .zero)
        #expect(q.dropped == 1)
        let all = q.takeDue(now: .zero)
        #expect(all.count == FeedbackQueue.maximumSteps)
        #expect(all.last == b)
    }

    @Test func everyBuiltInDriverTellsItsOutcomesApart() {
        for name in ["line", "tsl", "mercury", "ssi"] {
            guard let entry = DriverRegistry.entry(name) else { Issue.record("no \(name)"); continue }
            let driver = entry.make(DriverOptions())
            let plans = FeedbackOutcome.allCases.compactMap { driver.feedbackPlan($0) }
            #expect(plans.count == 4, "\(name) cannot signal every outcome")
            #expect(Set(plans).count == 4, "\(name) sounds two outcomes the same")
        }
    }
}
