import Testing
import ScanModel
@testable import Pipeline

@Suite struct SmoothingTests {
    /// A pallet tag passes a dock portal: read every 100 ms for 3 s, then gone.
    @Test func tagPassingPortalArrivesOnceAndDepartsOnce() throws {
        let h = try Harness(zones: [zone()])
        let epc = tag(1)
        h.feed((0..<30).map { read(epc, at: ms(1000 + Int64($0) * 100)) })
        #expect(h.arrivals.count == 1)
        #expect(h.departures.isEmpty)
        let a = try #require(h.arrivals.first)
        #expect(a.epc == epc && a.zone.name == "dock-1")
        // Observed after the 2nd read (default observedCount = 2).
        #expect(a.time == ms(1100))
        #expect(a.firstSeen == ms(1000))
        h.tick(to: ms(3900 + 1999))
        #expect(h.departures.isEmpty)  // 1 ms before the lost timeout
        h.tick(to: ms(3900 + 2000))
        let d = try #require(h.departures.first)
        #expect(h.departures.count == 1)
        #expect(d.time == ms(5900) && d.lastSeen == ms(3900) && d.reason == .notSeen)
        let c = try #require(h.counters("dock-1"))
        #expect(c.readsIn == 30 && c.arrivals == 1 && c.departures == 1 && c.tagsTracked == 1)
        // The row is kept for `retention` (30 s) after it went idle, then freed.
        h.tick(to: ms(5900 + 30_000))
        #expect(h.counters("dock-1")?.tagsTracked == 0)
    }

    /// A tag at the edge of the field reads in bursts with gaps shorter than
    /// the lost timeout, plus stray single reads of a neighbour: one arrival,
    /// one departure, no flapping, and the stray never arrives.
    @Test func edgeFlickerDoesNotFlap() throws {
        let h = try Harness(zones: [zone()])
        var rng = SplitMix64(seed: 7)
        var reads: [TagRead] = []
        var t: Int64 = 0
        for i in 0..<200 {
            t += Int64(50 + rng.below(1850))   // gaps 50…1899 ms < 2 s lost timeout
            reads.append(read(tag(1), at: ms(t), rssi: -70 + Float(rng.below(6))))
            if rng.below(10) == 0 {             // a neighbour glimpsed once, never confirmed
                reads.append(read(tag(1000 + i), at: ms(t + 1)))
            }
        }
        h.feed(reads)
        h.tick(to: ms(t + 10_000))
        #expect(h.arrivals.map(\.epc) == [tag(1)])
        #expect(h.departures.map(\.epc) == [tag(1)])
        #expect((h.counters("dock-1")?.glimpsesExpired ?? 0) > 0)
    }

    @Test func singleStrayReadNeverArrives() throws {
        let h = try Harness(zones: [zone()])
        h.feed([read(tag(9), at: ms(0)), read(tag(9), at: ms(1000))])  // second read just too late
        h.tick(to: ms(60_000))
        #expect(h.arrivals.isEmpty && h.departures.isEmpty)
        #expect(h.counters("dock-1")?.glimpsesExpired == 2)
    }

    @Test func observedByTimeThreshold() throws {
        let s = SmoothingConfig(observedCount: 100, observedTime: ms(300))
        let h = try Harness(zones: [zone(smoothing: s)])
        h.feed((0..<5).map { read(tag(1), at: ms(Int64($0) * 100)) })
        #expect(h.arrivals.map(\.time) == [ms(300)])
    }

    @Test func mergedReportCountsTowardsObserved() throws {
        let h = try Harness(zones: [zone()])
        h.feed([read(tag(1), at: ms(5), count: 4)])
        #expect(h.arrivals.count == 1)
    }

    /// Without any `advance` between two reads far apart, the first visit is
    /// still closed before the second begins (lazy expiry on read).
    @Test func lostBetweenReadsWithoutClockTicks() throws {
        let p = try Pipeline(config: PipelineConfig(zones: [zone()]))
        let epc = tag(3)
        p.ingest(batch: [read(epc, at: ms(0)), read(epc, at: ms(10)), read(epc, at: ms(10_000)), read(epc, at: ms(10_010))])
        var kinds: [String] = []
        p.drainEvents {
            switch $0 {
            case .arrived(let a): kinds.append("A@\(a.time.value / 1000)")
            case .departed(let d): kinds.append("D@\(d.time.value / 1000)")
            default: kinds.append("?")
            }
        }
        #expect(kinds == ["A@10", "D@2010", "A@10010"])
    }

    @Test func rssiFloorPerAntennaAndUnzonedReads() throws {
        let z = ZoneConfig(name: "door", readers: [ZoneReader(device: reader, antennas: [1, 2], rssiFloor: -60,
                                                               antennaRSSIFloor: [2: -40])])
        let h = try Harness(zones: [z])
        h.feed([
            read(tag(1), at: ms(0), antenna: 1, rssi: -65),  // below -60
            read(tag(1), at: ms(1), antenna: 2, rssi: -50),  // below -40 on antenna 2
            read(tag(1), at: ms(2), antenna: 3, rssi: -10),  // antenna 3 is not in the zone
            read(tag(1), at: ms(3), device: reader2),        // unknown reader
            read(tag(1), at: ms(4), antenna: 1, rssi: nil),  // no RSSI: cannot judge, accepted
            read(tag(1), at: ms(5), antenna: 2, rssi: -30),
        ])
        let c = try #require(h.counters("door"))
        #expect(c.readsIn == 4 && c.readsBelowFloor == 2)
        #expect(h.pipeline.counters.unzonedReads == 2)
        #expect(h.arrivals.map(\.time) == [ms(5)])
    }

    /// Adaptive window: a tag read every 10 ms is declared gone far sooner
    /// than one read every 400 ms, and neither departs while still reading.
    @Test func adaptiveWindowFollowsReadRate() throws {
        let s = SmoothingConfig(lostTimeout: .seconds(5),
                                adaptive: AdaptiveWindow(falseDepartureProbability: 0.01,
                                                         minimum: ms(20), maximum: .seconds(10)))
        let h = try Harness(zones: [zone(smoothing: s)])
        var reads: [TagRead] = []
        for i in 0..<100 { reads.append(read(tag(1), at: ms(Int64(i) * 10))) }
        for i in 0..<5 { reads.append(read(tag(2), at: ms(Int64(i) * 400))) }
        reads.sort { $0.time < $1.time }
        h.feed(reads)
        h.tick(to: ms(20_000))
        let fast = try #require(h.departures.first { $0.epc == tag(1) })
        let slow = try #require(h.departures.first { $0.epc == tag(2) })
        let fastWindow = fast.time - fast.lastSeen, slowWindow = slow.time - slow.lastSeen
        // ln(100) ≈ 4.6 mean intervals.
        #expect(fastWindow >= ms(40) && fastWindow <= ms(100))
        #expect(slowWindow >= ms(1500) && slowWindow <= ms(2000))
        #expect(h.arrivals.count == 2 && h.departures.count == 2)
    }

    /// EPCs differing only past bit 128, or only in length, are different tags.
    @Test func longAndShortEPCsAreDistinctKeys() throws {
        let h = try Harness(zones: [zone(smoothing: SmoothingConfig(observedCount: 1))])
        let a = try #require(EPC(hex: String(repeating: "AB", count: 24) + "01"))
        let b = try #require(EPC(hex: String(repeating: "AB", count: 24) + "02"))
        let c = try #require(EPC(hex: "3074257BF7194E4000001A85"))
        let d = try #require(EPC(hex: "3074257BF7194E4000001A8500"))
        h.feed([a, b, c, d, a, b, c, d].enumerated().map { read($1, at: ms(Int64($0))) })
        #expect(Set(h.arrivals.map(\.epc)) == [a, b, c, d])
        #expect(h.arrivals.count == 4)
        h.tick(to: ms(10_000))
        #expect(Set(h.departures.map(\.epc)) == [a, b, c, d])
    }

    @Test func hostTimestampsIgnoreDeviceClock() throws {
        let cfg = PipelineConfig(zones: [zone()], timestamps: .host)
        let p = try Pipeline(config: cfg)
        p.advance(to: ms(500))
        // The device claims a time years away; the pipeline uses its own.
        p.ingest(batch: [read(tag(1), at: .seconds(999_999_999)), read(tag(1), at: .seconds(-5))])
        guard case .arrived(let a) = p.popEvent() else { Issue.record("no arrival"); return }
        #expect(a.time == ms(500))
    }

    @Test func extremeTimestampsDoNotTrap() throws {
        let h = try Harness(zones: [zone(smoothing: SmoothingConfig(adaptive: AdaptiveWindow()))])
        h.pipeline.ingest(batch: [
            read(tag(1), at: Microseconds(.max)), read(tag(1), at: Microseconds(.min)),
            read(tag(2), at: Microseconds(.min)), read(tag(2), at: Microseconds(.max)),
        ])
        h.tick(to: Microseconds(.max))
        h.drain()
        #expect(h.counters("dock-1")?.readsIn == 4)
    }
}
