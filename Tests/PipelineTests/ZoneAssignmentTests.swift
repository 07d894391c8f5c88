import Testing
import ScanModel
@testable import Pipeline

@Suite struct ZoneAssignmentTests {
    func doors(_ policy: AssignmentPolicy) throws -> Harness {
        try Harness(zones: [zone("door-1", device: reader), zone("door-2", device: reader2)],
                    groups: [AssignmentGroup(name: "dock", zones: ["door-1", "door-2"], policy: policy)])
    }

    /// A tag between two doors, seen by both with noisy, similar RSSI: it is
    /// announced in one door only and does not flap.
    @Test func overlappingZonesDoNotFlapWithinHysteresis() throws {
        let h = try doors(.strongestRSSI(hysteresis: 3, staleAfter: .seconds(1)))
        var rng = SplitMix64(seed: 42)
        var reads: [TagRead] = []
        for i in 0..<400 {
            let t = ms(Int64(i) * 25)
            reads.append(read(tag(1), at: t, device: reader, rssi: -55 + Float(rng.below(5)) - 2))
            reads.append(read(tag(1), at: t + ms(5), device: reader2, rssi: -56 + Float(rng.below(5)) - 2))
        }
        h.feed(reads)
        #expect(h.arrivals.count == 1)
        #expect(h.arrivals.first?.zone.name == "door-1")
        #expect(h.departures.isEmpty)
        h.tick(to: ms(20_000))
        #expect(h.departures.map(\.zone.name) == ["door-1"])
    }

    /// The forklift drives through door 2: its RSSI there becomes clearly
    /// stronger and the tag moves, with a departure naming the new zone.
    @Test func clearlyStrongerZoneTakesTheTagOver() throws {
        let h = try doors(.strongestRSSI(hysteresis: 3, staleAfter: .seconds(5)))
        var reads: [TagRead] = []
        for i in 0..<100 {
            let t = ms(Int64(i) * 20)
            let near2 = Float(i) / 100
            reads.append(read(tag(7), at: t, device: reader, rssi: -50 - 20 * near2))
            reads.append(read(tag(7), at: t + ms(1), device: reader2, rssi: -70 + 20 * near2))
        }
        h.feed(reads)
        #expect(h.arrivals.map(\.zone.name) == ["door-1", "door-2"])
        let d = try #require(h.departures.first)
        #expect(h.departures.count == 1)
        let door2 = try #require(h.pipeline.zone(named: "door-2"))
        #expect(d.zone.name == "door-1" && d.reason == .reassigned(to: door2))
        #expect(h.counters("door-2")?.reassignments == 1)
    }

    @Test func firstZoneKeepsTheTagUntilLostThere() throws {
        let h = try doors(.firstZone)
        h.feed([read(tag(1), at: ms(0), device: reader, rssi: -80), read(tag(1), at: ms(10), device: reader, rssi: -80),
                read(tag(1), at: ms(20), device: reader2, rssi: -30), read(tag(1), at: ms(30), device: reader2, rssi: -30)])
        #expect(h.arrivals.map(\.zone.name) == ["door-1"])
        // Door 1 stops seeing it; door 2 keeps reading: door 2 gets it after door 1 loses it.
        h.feed((1...150).map { read(tag(1), at: ms(30 + Int64($0) * 20), device: reader2, rssi: -30) })
        #expect(h.arrivals.map(\.zone.name) == ["door-1", "door-2"])
        #expect(h.departures.map(\.zone.name) == ["door-1"])
        #expect(h.departures.first?.reason == .notSeen)
    }

    @Test func ungroupedZonesEachReportTheTag() throws {
        let h = try Harness(zones: [zone("a", device: reader), zone("b", device: reader2)])
        h.feed([read(tag(1), at: ms(0), device: reader), read(tag(1), at: ms(1), device: reader),
                read(tag(1), at: ms(2), device: reader2), read(tag(1), at: ms(3), device: reader2)])
        #expect(h.arrivals.map(\.zone.name) == ["a", "b"])
    }

    @Test func configErrorsNameTheKey() {
        func key(_ c: PipelineConfig) -> String? {
            do { _ = try Pipeline(config: c); return nil } catch { return error.key }
        }
        #expect(key(PipelineConfig(zones: [zone("a"), zone("a", device: reader2)])) == "zones[1].name")
        #expect(key(PipelineConfig(zones: [zone("a"), zone("b")])) == "zones[1].readers[0]")
        #expect(key(PipelineConfig(zones: [zone("a", antennas: [1]), zone("b", antennas: [2, 1])])) == "zones[1].readers[0]")
        #expect(key(PipelineConfig(zones: [zone("a", antennas: [1]), zone("b", antennas: [2])])) == nil)
        #expect(key(PipelineConfig(zones: [zone("a", maxTags: 0)])) == "zones[0].maxTags")
        #expect(key(PipelineConfig(zones: [zone("a", smoothing: SmoothingConfig(observedCount: 0))]))
                == "zones[0].smoothing.observedCount")
        #expect(key(PipelineConfig(zones: [zone("a", smoothing: SmoothingConfig(lostTimeout: .zero))]))
                == "zones[0].smoothing.lostTimeout")
        #expect(key(PipelineConfig(zones: [zone("a", cycle: CycleConfig(start: .continuous))])) == "zones[0].cycle")
        #expect(key(PipelineConfig(zones: [zone("a")], groups: [AssignmentGroup(name: "g", zones: ["a", "x"])]))
                == "groups[0].zones[1]")
        #expect(key(PipelineConfig(zones: [zone("a")], scanners: [ScannerConfig(device: reader2, zone: "nope")]))
                == "scanners[0].zone")
        #expect(key(PipelineConfig(zones: [zone("a")], tick: .zero)) == "tick")
        let huge = SmoothingConfig(adaptive: AdaptiveWindow(maximum: Microseconds(.max)))
        #expect(key(PipelineConfig(zones: [zone("a", smoothing: huge)])) == "zones[0].smoothing.adaptive")
        #expect(key(PipelineConfig(zones: [zone("a")], scanners: [ScannerConfig(device: reader2, debounce: .zero)]))
                == "scanners[0].debounce")
        let e = PipelineConfigError(key: "zones[0].name", "must not be empty")
        #expect(e.description == "pipeline config zones[0].name: must not be empty")
    }
}
