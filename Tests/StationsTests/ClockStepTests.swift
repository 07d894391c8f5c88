import Foundation
import ScanModel
import Testing
@testable import Stations

/// Issue 18, "Clock jumps": the wall clock steps an hour back and a day
/// forward while sessions are open. Timeouts are measured on the monotonic
/// clock, so they fire once their time has passed, neither at once nor an
/// hour late; what the stations record keeps the wall time the input came
/// with, stepped or not.
@Suite struct ClockStepTests {
    let w = World()
    let wall = SteppableClock(at(2026, 11, 22))
    let monotonic = ManualClock(.seconds(5_000))
    var clocks: IntervalClocks { IntervalClocks(wall: wall, monotonic: monotonic) }
    static let hour = Microseconds.seconds(3_600), day = Microseconds.seconds(86_400)

    /// Real time passing: both clocks move.
    func pass(_ seconds: Int64) {
        monotonic.advance(by: .seconds(seconds)); wall.step(by: .seconds(seconds))
    }

    func deps() -> StationDependencies {
        StationDependencies(ledger: w.ledger, stock: w.ledger, master: w.ledger, expected: w.expected, sessions: w.sessions,
                            shipments: w.ledger, clocks: clocks)
    }

    func announce() throws {
        try w.expected.store(asns: [ASN(number: "ASN-1", lines: [ASNLine(item: w.plainItem, quantity: 10)])], orders: [])
    }

    func receiving(idle seconds: Int64) throws -> ReceivingStation {
        var c = ReceivingConfig(station: "dock-1", dock: "DOCK-1")
        c.idleTimeout = .seconds(seconds)
        return try ReceivingStation(config: c, dependencies: deps())
    }

    @Test func aReceiptIdleCloseDoesNotFireAtOnceWhenTheWallClockJumpsADayForward() throws {
        try announce()
        let s = try receiving(idle: 60)
        s.feed(.document("ASN-1"), wall.now())
        s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 3)), wall.now())
        pass(10)
        wall.step(by: Self.day)
        #expect(s.feed(.idleTick, wall.now()).feedback.code == .ignored, "closed at once: the day-forward step counted as idle time")
        #expect(s.hasOpenSession)
        pass(49)
        #expect(s.feed(.idleTick, wall.now()).feedback.code == .ignored)
        pass(1)
        let closed = s.feed(.idleTick, wall.now())
        #expect(closed.feedback.code == .posted)
        // The posting carries the wall time of the tick that closed it: the stepped one.
        #expect(w.ledger.postings.last?.request.eventTime == .device(wall.now()))
    }

    @Test func aReceiptIdleCloseStillFiresWhenTheWallClockStepsAnHourBack() throws {
        try announce()
        let s = try receiving(idle: 60)
        let opened = wall.now()
        s.feed(.document("ASN-1"), opened)
        s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 3)), opened)
        wall.step(by: Microseconds(-Self.hour.value))
        pass(59)
        #expect(s.feed(.idleTick, wall.now()).feedback.code == .ignored)
        pass(1)
        #expect(s.feed(.idleTick, wall.now()).feedback.code == .posted, "not closed: the hour-back step held the idle time off")
        let posted = try #require(w.ledger.postings.last?.request.eventTime)
        #expect(posted == .device(opened + .seconds(60) - Self.hour), "the event time is the stepped wall time, earlier than the opening")
    }

    @Test func aMoveIdleCancelAndACountTimeLimitUseTheMonotonicClock() throws {
        var mc = MoveConfig(station: "move-1")
        mc.idleTimeout = .seconds(120)
        let move = try MoveStation(config: mc, dependencies: deps())
        w.ledger.seed(w.plainItem, 10, at: "DOCK-1")
        move.feed(.location("DOCK-1"), wall.now())
        move.feed(.tradeItem(TradeItemScan(gtin: w.plain)), wall.now())
        wall.step(by: Self.day)
        #expect(move.feed(.idleTick, wall.now()).feedback.code == .ignored)
        pass(120)
        #expect(move.feed(.idleTick, wall.now()).feedback.code == .cancelled)

        var cc = CountConfig(station: "count-1")
        cc.maxDuration = .seconds(300)
        let count = try CountStation(config: cc, dependencies: deps(), reviews: w.reviews)
        count.feed(.location("DOCK-1"), wall.now())
        #expect(count.feed(.command("COUNT-START"), wall.now()).feedback.code == .opened)
        wall.step(by: Microseconds(-Self.hour.value))
        pass(299)
        #expect(count.feed(.idleTick, wall.now()).feedback.code == .ignored)
        pass(1)
        #expect(count.feed(.idleTick, wall.now()).feedback.code != .ignored, "the count ran past its limit: the hour-back step held it off")
    }

    @Test func aSessionResumedAfterARestartAgesFromItsSavedWallTimeThenOnTheMonotonicClock() throws {
        try announce()
        _ = try receiving(idle: 60).feed(.document("ASN-1"), wall.now())
        pass(40)   // the daemon was down for 40 s
        let resumed = try receiving(idle: 60)
        #expect(resumed.feed(.idleTick, wall.now()).feedback.code == .ignored)
        wall.step(by: Self.day)
        pass(19)
        #expect(resumed.feed(.idleTick, wall.now()).feedback.code == .ignored)
        pass(1)
        #expect(resumed.feed(.idleTick, wall.now()).feedback.code == .nothingToDo)   // an empty receipt closes posting nothing
    }

    @Test func theOperatorSignOutIdleTimeIgnoresStepsEitherWay() throws {
        func attended() throws -> AttendedStation {
            var a = AttendanceConfig()
            a.idleSignOut = .seconds(30)
            return AttendedStation(station: try receiving(idle: 900), attribution: Attribution(), config: a,
                                   commands: CommandNames(), journal: FakeJournal(), monotonic: monotonic)
        }
        let forward = try attended()
        forward.handle(.badge("77"), at: wall.now(), device: "d")
        wall.step(by: Self.day)
        forward.handle(.idleTick, at: wall.now(), device: nil)
        #expect(forward.operatorID == "77", "signed out at once by the day-forward step")
        pass(30)
        #expect(forward.handle(.idleTick, at: wall.now(), device: nil).feedback.code == .signedOut)

        let back = try attended()
        back.handle(.badge("78"), at: wall.now(), device: "d")
        wall.step(by: Microseconds(-Self.hour.value))
        pass(29)
        back.handle(.idleTick, at: wall.now(), device: nil)
        #expect(back.operatorID == "78")
        pass(1)
        let out = back.handle(.idleTick, at: wall.now(), device: nil)
        #expect(out.feedback.code == .signedOut, "still signed in: the hour-back step held the idle sign-out off")
        #expect(out.time == wall.now())
    }
}
