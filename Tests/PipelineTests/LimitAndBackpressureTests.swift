import Foundation
import Testing
import ScanModel
@testable import Pipeline

@Suite struct MemoryLimitTests {
    /// At the limit the oldest lost tag is evicted first; with nothing lost
    /// left, new tags are refused, counted, and an alarm is raised once and
    /// cleared once the zone has room again.
    @Test func evictOldestLostThenRefuseWithAlarm() throws {
        let h = try Harness(zones: [zone(smoothing: SmoothingConfig(retention: .seconds(60)), maxTags: 10)])
        // Tags 1…4 visit and leave (idle, in this order), 5…10 stay.
        h.feed((1...4).flatMap { n in [read(tag(n), at: ms(Int64(n))), read(tag(n), at: ms(Int64(n) + 10))] })
        h.tick(to: ms(5000))
        #expect(h.departures.count == 4)
        var reads: [TagRead] = []
        for n in 5...10 { reads.append(read(tag(n), at: ms(5000 + Int64(n)))) }
        h.feed(reads)
        #expect(h.counters("dock-1")?.tagsTracked == 10)
        // Two new tags: evict tag 1 then tag 2 (oldest lost first).
        h.feed([read(tag(11), at: ms(5100)), read(tag(12), at: ms(5101))])
        var c = try #require(h.counters("dock-1"))
        #expect(c.evictions == 2 && c.tagsTracked == 10 && c.refusedReads == 0)
        // Keep 5…12 present; 3, 4 get evicted by 13, 14; 15 and 16 are refused.
        var keep: [TagRead] = []
        for n in 5...12 { keep.append(read(tag(n), at: ms(5200))) }
        keep += [13, 14, 15, 16].map { read(tag($0), at: ms(5300)) }
        h.feed(keep)
        c = try #require(h.counters("dock-1"))
        #expect(c.evictions == 4 && c.refusedReads == 2)
        #expect(h.alarms.map(\.kind) == [.tagLimitReached])
        #expect(h.alarms.first?.message.contains("maxTags") == true)
        h.feed([read(tag(17), at: ms(5301))])
        #expect(h.alarms.count == 1)   // raised once, counted each time
        #expect(h.counters("dock-1")?.refusedReads == 3)
        // Everything leaves and is forgotten: the alarm clears.
        h.tick(to: ms(200_000))
        #expect(h.alarms.map(\.kind) == [.tagLimitReached, .tagLimitCleared])
        #expect(h.counters("dock-1")?.tagsTracked == 0)
        // A refused tag never arrived, so it never departs either.
        #expect(!h.arrivals.contains { $0.epc == tag(15) } && !h.departures.contains { $0.epc == tag(15) })
    }

    @Test func cycleReportIsMarkedIncompleteWhenRowsWereEvicted() throws {
        let z = zone(smoothing: SmoothingConfig(retention: .seconds(60)), maxTags: 2,
                     cycle: CycleConfig(start: .command))
        let h = try Harness(zones: [z])
        let id = try #require(h.pipeline.zone(named: "dock-1"))
        h.pipeline.command(.start, zone: id, at: .zero)
        h.feed([read(tag(1), at: ms(1)), read(tag(2), at: ms(2))])
        h.tick(to: ms(5000))                       // both lost → idle, held for the cycle
        h.feed([read(tag(3), at: ms(5001))])       // evicts tag 1
        h.pipeline.command(.stop, zone: id, at: ms(6000))
        h.drain()
        let r = try #require(h.reports.first)
        #expect(!r.complete && r.evictedDuringCycle == 1)
        #expect(r.current.map(\.epc) == [tag(2), tag(3)])
    }

    @Test func memoryPerTagStaysBounded() throws {
        let p = try Pipeline(config: PipelineConfig(zones: [zone(maxTags: 200_000)]))
        var reads: [TagRead] = []
        for n in 0..<100_000 { reads.append(read(tag(n), at: ms(1))) }
        p.ingest(batch: reads)
        let id = try #require(p.zone(named: "dock-1"))
        #expect(p.counters(for: id).tagsTracked == 100_000)
        let perTag = Double(p.memoryBytes(for: id)) / 100_000
        #expect(perTag <= 128, "bytes per tag: \(perTag)")
    }
}

@Suite struct BackpressureTests {
    /// Downstream drains slowly: ingest stops at the outbox limit and says how
    /// far it got; the caller retries the rest. Every arrival comes out once.
    @Test func slowConsumerLosesNoArrivals() throws {
        let cfg = PipelineConfig(zones: [zone(smoothing: SmoothingConfig(observedCount: 1))], outboxLimit: 16)
        let p = try Pipeline(config: cfg)
        let reads = (0..<1000).map { read(tag($0), at: ms(1)) }
        var rest = reads[...]
        var arrived = Set<EPC>()
        var rounds = 0
        while !rest.isEmpty {
            let n = p.ingest(batch: rest)
            #expect(p.pendingEvents <= 16 + 2)
            rest = rest.dropFirst(n)
            // The slow consumer takes only 5 events per round.
            p.drainEvents(max: 5) { if case .arrived(let a) = $0 { #expect(arrived.insert(a.epc).inserted) } }
            rounds += 1
        }
        p.drainEvents { if case .arrived(let a) = $0 { #expect(arrived.insert(a.epc).inserted) } }
        #expect(arrived.count == 1000)
        #expect(rounds > 100)
        #expect(p.counters.backpressureStops > 0)
        #expect(p.counters.outboxHighWater <= 18)
    }

    /// Expiry also pauses at the limit and resumes without losing departures.
    @Test func advancePausesAndResumes() throws {
        let cfg = PipelineConfig(zones: [zone(smoothing: SmoothingConfig(observedCount: 1))], outboxLimit: 10)
        let p = try Pipeline(config: cfg)
        var departed = 0
        var rest = (0..<100).map { read(tag($0), at: ms(1)) }[...]
        while !rest.isEmpty { rest = rest.dropFirst(p.ingest(batch: rest)); p.drainEvents { _ in } }
        var calls = 0
        while !p.advance(to: ms(10_000)) {
            calls += 1
            p.drainEvents { if case .departed = $0 { departed += 1 } }
        }
        p.drainEvents { if case .departed = $0 { departed += 1 } }
        #expect(departed == 100 && calls >= 9)
    }

    /// A burst of 200,000 reads of 20,000 tags in one second (a hundred times
    /// a portal's normal rate) in one batch: nothing lost, counters add up.
    @Test func burstFarAboveNormalRate() throws {
        let h = try Harness(zones: [zone()])
        var rng = SplitMix64(seed: 99)
        var reads: [TagRead] = []
        for i in 0..<200_000 { reads.append(read(tag(rng.below(20_000)), at: Microseconds(Int64(i) * 5))) }
        var rest = reads[...]
        while !rest.isEmpty { rest = rest.dropFirst(h.pipeline.ingest(batch: rest)); h.drain() }
        let seen = Set(reads.map(\.epc))
        var counts: [EPC: Int] = [:]
        for r in reads { counts[r.epc, default: 0] += 1 }
        let expected = counts.values.filter { $0 >= 2 }.count
        #expect(h.arrivals.count == expected)
        #expect(Set(h.arrivals.map(\.epc)).count == expected)
        h.tick(to: ms(60_000))
        #expect(h.departures.count == expected)
        #expect(h.counters("dock-1")?.readsIn == 200_000)
        #expect(seen.count > expected)   // some tags were read only once: glimpses
    }

    @Test func boundedQueueRefusesWhenFullAndKeepsOrder() {
        let q = BoundedQueue<Int>(capacity: 2)
        #expect(q.tryPush(1) && q.tryPush(2))
        #expect(!q.tryPush(3))
        #expect(q.snapshot.rejected == 1 && q.snapshot.depth == 2)
        #expect(q.pop() == 1)
        #expect(q.tryPush(3))
        #expect(q.tryPop() == 2 && q.tryPop() == 3 && q.tryPop() == nil)
        q.close()
        #expect(!q.push(4) && q.pop() == nil)
    }

    /// A producer much faster than its consumer is held back by `push`
    /// (never more than `capacity` queued) and nothing is lost or reordered.
    @Test func boundedQueueBlocksProducerInsteadOfDropping() {
        let q = BoundedQueue<Int>(capacity: 4)
        // A real thread, not a task: it blocks, and must not starve the pool.
        let producer = Thread {
            for i in 0..<2000 { q.push(i) }
            q.close()
        }
        producer.start()
        var got: [Int] = []
        while let v = q.pop() { got.append(v) }
        #expect(got == Array(0..<2000))
        #expect(q.snapshot.highWater <= 4)
        #expect(q.snapshot.pushed == 2000 && q.snapshot.popped == 2000)
    }
}
