import Testing
import ScanModel
@testable import Pipeline

@Suite struct CycleTests {
    func sweepZone(retention: Microseconds = .seconds(30)) -> ZoneConfig {
        zone("shelf-A", smoothing: SmoothingConfig(retention: retention), presence: false,
             cycle: CycleConfig(start: .command, stableFor: .seconds(2)))
    }

    /// A handheld sweeps a shelf: a new tag every 100 ms for 5 s, earlier
    /// tags re-read all along; once no new tag shows for 2 s the cycle ends
    /// even though re-reads continue.
    func sweep(_ h: Harness, tags: ClosedRange<Int>, from start: Int64) -> Int64 {
        var reads: [TagRead] = []
        var t = start
        for (k, n) in tags.enumerated() {
            reads.append(read(tag(n), at: ms(t), rssi: -60 + Float(k % 7)))
            if k > 0 { reads.append(read(tag(tags.lowerBound + k / 2), at: ms(t + 50), rssi: -58)) }
            t += 100
        }
        let lastNew = t - 100
        for k in 0..<30 {   // 3 s of re-reads of known tags only
            reads.append(read(tag(tags.lowerBound + k % tags.count), at: ms(t), rssi: -59))
            t += 100
        }
        h.feed(reads)
        return lastNew
    }

    @Test func shelfSweepEndsOnStableSet() throws {
        let h = try Harness(zones: [sweepZone()])
        let z = try #require(h.pipeline.zone(named: "shelf-A"))
        #expect(h.pipeline.command(.start, zone: z, at: ms(0)))
        #expect(!h.pipeline.command(.start, zone: z, at: ms(1)))   // already open
        let lastNew = sweep(h, tags: 1...50, from: 10)
        let report = try #require(h.reports.first)
        #expect(h.reports.count == 1)
        #expect(report.endReason == .stableSet)
        #expect(report.endedAt == ms(lastNew + 2000))
        #expect(report.startedAt == ms(0) && report.sequence == 1 && report.complete)
        #expect(report.current.map(\.epc) == (1...50).map(tag))
        #expect(report.additions == report.current && report.deletions.isEmpty)
        let first = try #require(report.current.first)
        #expect(first.firstSeen == ms(10))
        #expect(first.peakRSSI == -58)
        // Reads counted only until the cycle ended.
        let total = report.current.reduce(0) { $0 + Int($1.reads) }
        #expect(total == 50 + 49 + 19)   // new tags, their re-reads, re-reads before the end
        #expect(h.arrivals.isEmpty)      // presence events are off for this zone

        // Second sweep of the same shelf: 1…4 were taken, 51…55 put in.
        #expect(h.pipeline.command(.start, zone: z, at: ms(20_000)))
        _ = sweep(h, tags: 5...55, from: 20_010)
        let second = try #require(h.reports.last)
        #expect(h.reports.count == 2 && second.sequence == 2)
        #expect(second.additions.map(\.epc) == (51...55).map(tag))
        #expect(second.deletions.map(\.epc) == (1...4).map(tag))
        #expect(second.deletions.first?.firstSeen == ms(10))   // stats from the previous cycle
    }

    @Test func continuousCyclesByDurationIncludingEmptyOnes() throws {
        let z = zone("tunnel", presence: false, cycle: CycleConfig(start: .continuous, duration: .seconds(1)))
        let h = try Harness(zones: [z])
        h.feed([read(tag(1), at: ms(100)), read(tag(2), at: ms(999)), read(tag(2), at: ms(1000)),
                read(tag(3), at: ms(3500))])
        h.tick(to: ms(4000))
        let r = h.reports
        #expect(r.map(\.sequence) == [1, 2, 3, 4])
        #expect(r.map(\.endReason) == [.duration, .duration, .duration, .duration])
        #expect(r.map { $0.current.map(\.epc) } == [[tag(1), tag(2)], [tag(2)], [], [tag(3)]])
        #expect(r[1].deletions.map(\.epc) == [tag(1)] && r[1].additions.isEmpty)
        #expect(r[2].deletions.map(\.epc) == [tag(2)])
        #expect(r.map(\.endedAt) == [ms(1000), ms(2000), ms(3000), ms(4000)])
    }

    @Test func commandStopAndPerTagStats() throws {
        let z = zone("pack-1", cycle: CycleConfig(start: .command, minReads: 2))
        let h = try Harness(zones: [z])
        let id = try #require(h.pipeline.zone(named: "pack-1"))
        #expect(!h.pipeline.command(.stop, zone: id))   // nothing open
        h.pipeline.command(.start, zone: id, at: ms(0))
        h.feed([read(tag(1), at: ms(10), rssi: -70, count: 3), read(tag(1), at: ms(20), rssi: -40),
                read(tag(1), at: ms(30), rssi: nil), read(tag(2), at: ms(15), rssi: nil),
                read(tag(3), at: ms(16)), read(tag(3), at: ms(17))])
        h.pipeline.command(.stop, zone: id, at: ms(50))
        h.drain()
        let r = try #require(h.reports.first)
        #expect(r.endReason == .command && r.endedAt == ms(50))
        // tag 2 was read once: below minReads.
        #expect(r.current.map(\.epc) == [tag(1), tag(3)])
        let t1 = r.current[0]
        #expect(t1.reads == 5 && t1.peakRSSI == -40 && t1.firstSeen == ms(10) && t1.lastSeen == ms(30))
        // Reads after the stop are in no cycle.
        h.feed([read(tag(4), at: ms(60))])
        h.pipeline.finish()
        h.drain()
        #expect(h.reports.count == 1)
    }

    @Test func commandBarcodesDriveTheCycle() throws {
        let z = zone("pack-1", presence: false,
                     cycle: CycleConfig(start: .command, startBarcode: Array("CMD-START".utf8),
                                        stopBarcode: Array("CMD-STOP".utf8)))
        let h = try Harness(zones: [z], scanners: [ScannerConfig(device: DeviceIndex(9), zone: "pack-1")])
        h.pipeline.ingest(scans: [Scan(text: "CMD-START", device: DeviceIndex(9), time: ms(0))])
        h.feed([read(tag(1), at: ms(10))])
        h.pipeline.ingest(scans: [Scan(text: "0104012345012345", device: DeviceIndex(9), time: ms(20)),
                                  Scan(text: "CMD-STOP", device: DeviceIndex(9), time: ms(30))])
        h.drain()
        #expect(h.reports.map { $0.current.map(\.epc) } == [[tag(1)]])
        #expect(h.scans.map { String(decoding: $0.data, as: UTF8.self) } == ["0104012345012345"])
        #expect(h.pipeline.counters.commandScans == 2)
    }

    /// A tag that left early in a long cycle outlives its retention for the
    /// report, then is freed when the cycle ends.
    @Test func lostRowsAreHeldUntilTheCycleEnds() throws {
        let z = zone("tunnel", smoothing: SmoothingConfig(retention: ms(100)), presence: false,
                     cycle: CycleConfig(start: .command, duration: .seconds(60)))
        let h = try Harness(zones: [z])
        let id = try #require(h.pipeline.zone(named: "tunnel"))
        h.pipeline.command(.start, zone: id, at: ms(0))
        h.feed([read(tag(1), at: ms(1)), read(tag(1), at: ms(2))])
        h.tick(to: ms(30_000))
        #expect(h.counters("tunnel")?.tagsTracked == 1)
        h.tick(to: ms(60_000))
        #expect(h.reports.first?.current.map(\.epc) == [tag(1)])
        #expect(h.counters("tunnel")?.tagsTracked == 0)
    }
}
