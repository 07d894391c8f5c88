import Testing
import ScanModel
@testable import Pipeline

/// Issue 18, "Clock jumps": the wall clock steps a day forward and an hour
/// back while tags sit in a zone. Reads are stamped with the wall clock (as
/// the device runner does) and the pipeline is driven the way the router
/// drives it (`synchronize(with:)` before each batch and each advance): the
/// dedup and departure windows run on the monotonic clock, the events carry
/// the wall stamps the reads came with.
@Suite struct ClockStepPipelineTests {
    let wall = SteppableClock(.seconds(1_795_000_000))   // late 2026
    let monotonic = ManualClock(.seconds(5_000))
    var clocks: IntervalClocks { IntervalClocks(wall: wall, monotonic: monotonic) }
    let h: Harness
    static let hour = Microseconds.seconds(3_600), day = Microseconds.seconds(86_400)

    init() throws { h = try Harness(zones: [zone()]) }   // lost after 2 s unread

    /// Real time passing: both clocks move, the router advances.
    func pass(_ milliseconds: Int64) {
        monotonic.advance(by: ms(milliseconds)); wall.step(by: ms(milliseconds))
        h.tick(to: h.pipeline.synchronize(with: clocks))
    }

    /// One read of each tag, stamped now on the wall clock, then 100 ms pass.
    /// Returns the stamp.
    @discardableResult
    func readAll(_ tags: ClosedRange<Int>) -> Microseconds {
        let stamp = wall.now()
        h.pipeline.synchronize(with: clocks)
        h.pipeline.ingest(batch: tags.map { read(tag($0), at: stamp) })
        h.drain()
        pass(100)
        return stamp
    }

    @Test func wallStepsMoveNoWindowAndEventsKeepTheWallStamps() throws {
        h.tick(to: h.pipeline.synchronize(with: clocks))
        readAll(1...50)
        let second = readAll(1...50)
        #expect(h.arrivals.count == 50)
        #expect(h.arrivals.allSatisfy { $0.time == second })   // the read that made them observed

        // A day forward: the tags are still read, nobody left.
        wall.step(by: Self.day)
        for _ in 0..<10 { readAll(1...50) }
        #expect(h.departures.isEmpty, "a step forward must not expire the zone")

        // Half the tags go; they depart 2 s after their last read, in the
        // new wall time, the others stay.
        var last = Microseconds.zero
        for _ in 0..<5 { readAll(1...25); last = readAll(26...50) }
        for _ in 0..<16 { readAll(1...25) }   // 1.7 s since 26…50 were last read
        #expect(h.departures.isEmpty)
        for _ in 0..<6 { readAll(1...25) }
        #expect(Set(h.departures.map(\.epc)) == Set((26...50).map(tag)))
        #expect(h.departures.allSatisfy { $0.lastSeen == last && $0.time == last + .seconds(2) })
        #expect(last > Self.day + .seconds(1_795_000_000))

        // An hour back: the remaining tags still depart on time.
        h.events.removeAll()
        wall.step(by: Microseconds(-Self.hour.value))
        readAll(1...25)
        let final = readAll(1...25)
        pass(2_100)
        #expect(Set(h.departures.map(\.epc)) == Set((1...25).map(tag)), "a step back must not freeze departures")
        #expect(h.departures.allSatisfy { $0.lastSeen == final && $0.time == final + .seconds(2) })

        // A new tag after the step back arrives with the stamp of its read.
        readAll(99...99)
        let stamp = readAll(99...99)
        #expect(h.arrivals.map(\.time) == [stamp])
        #expect(h.arrivals.first?.epc == tag(99))
    }

    /// A read stamped just before a step back and taken just after it is
    /// read "now", not an hour ahead (which would keep its tag an hour).
    @Test func aReadStampedBeforeAStepBackDoesNotHoldItsTag() throws {
        h.tick(to: h.pipeline.synchronize(with: clocks))
        readAll(1...1)
        let before = wall.now()
        wall.step(by: Microseconds(-Self.hour.value))
        h.pipeline.synchronize(with: clocks)
        h.pipeline.ingest(batch: [read(tag(1), at: before)])
        h.drain()
        let now = wall.now()
        pass(2_100)
        let d = try #require(h.departures.first, "the tag was held past its lost timeout")
        #expect(d.lastSeen == now && d.time == now + .seconds(2))
    }

    /// Without clocks (tests, replays) nothing is converted: one timebase.
    @Test func withoutClocksTheOffsetStaysZero() {
        #expect(h.pipeline.wallOffset == 0)
        h.feed([read(tag(1), at: ms(10)), read(tag(1), at: ms(20))])
        #expect(h.arrivals.map(\.time) == [ms(20)])
    }
}
