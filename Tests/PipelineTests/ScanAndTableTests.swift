import Testing
import ScanModel
@testable import Pipeline

@Suite struct ScanDebounceTests {
    let presentation = DeviceIndex(5), handheld = DeviceIndex(6)

    func harness() throws -> Harness {
        try Harness(zones: [zone()], scanners: [ScannerConfig(device: presentation, debounce: ms(500)),
                                                ScannerConfig(device: handheld)])
    }

    @Test func presentationScannerRereadsAreOneScan() throws {
        let h = try harness()
        // Held in front of the scanner: re-read every 100 ms for 2 s (sliding window).
        let held = (0..<20).map { Scan(text: "0104012345012345", device: presentation, time: ms(Int64($0) * 100)) }
        h.pipeline.ingest(scans: held)
        // A B A within the window: still one A; after 600 ms quiet, A again.
        h.pipeline.ingest(scans: [Scan(text: "B", device: presentation, time: ms(2000)),
                                  Scan(text: "0104012345012345", device: presentation, time: ms(2100)),
                                  Scan(text: "0104012345012345", device: presentation, time: ms(2800))])
        h.drain()
        #expect(h.scans.map { String(decoding: $0.data, as: UTF8.self) } == ["0104012345012345", "B", "0104012345012345"])
        #expect(h.scans.map(\.time) == [ms(0), ms(2000), ms(2800)])
        #expect(h.pipeline.counters.scansDebounced == 20)
    }

    @Test func triggerHandheldKeepsEveryScan() throws {
        let h = try harness()
        h.pipeline.ingest(scans: [Scan(text: "A", device: handheld, time: ms(0)), Scan(text: "A", device: handheld, time: ms(1)),
                                  Scan(text: "A", device: DeviceIndex(77), time: ms(2))])   // unknown scanner: no debounce
        h.drain()
        #expect(h.scans.count == 3)
        #expect(h.pipeline.counters.scansIn == 3)
    }

    @Test func debounceForgetsOldestOfManyCodes() throws {
        let h = try harness()
        let codes = (0..<10).map { Scan(text: "C\($0)", device: presentation, time: ms(Int64($0))) }
        h.pipeline.ingest(scans: codes + [Scan(text: "C0", device: presentation, time: ms(20)),    // forgotten: new scan
                                          Scan(text: "C9", device: presentation, time: ms(21))])   // remembered: debounced
        h.drain()
        #expect(h.scans.count == 11)
    }
}

@Suite struct TagTableTests {
    /// Random inserts and removals against a Set: finds, misses and the
    /// backward-shift deletion keep every key reachable.
    @Test func indexAgreesWithASetUnderChurn() {
        let table = TagTable(maxRows: 50_000, wheelSlots: 64, tickMicros: 1000, startTime: 0)
        var rng = SplitMix64(seed: 3)
        var model: [EPC: Int32] = [:]
        for step in 0..<60_000 {
            // Few distinct high bits so many keys share probe clusters.
            let epc = EPC(hi: UInt64(rng.below(4)), lo32: UInt32(rng.below(20_000)))
            let h = TagTable.hash(epc)
            let row = table.find(epc, hash: h)
            #expect(row == (model[epc] ?? -1), "step \(step)")
            if row < 0, !table.isFull, rng.below(3) > 0 {
                let r = table.insert(epc, hash: h)
                table.hot(r).pointee.state = RowState.glimpsed
                model[epc] = r
            } else if row >= 0, rng.below(2) == 0 {
                table.remove(row)
                model[epc] = nil
            }
        }
        #expect(table.count == model.count)
        for (epc, row) in model {
            #expect(table.find(epc, hash: TagTable.hash(epc)) == row)
            #expect(table.epc(of: row) == epc)
        }
    }

    @Test func fullTableRefusesInsteadOfOverrunning() {
        let table = TagTable(maxRows: 2, wheelSlots: 8, tickMicros: 1000, startTime: 0)
        for n in 0..<2 { #expect(table.insert(tag(n), hash: TagTable.hash(tag(n))) >= 0) }
        #expect(table.isFull)
        #expect(table.insert(tag(9), hash: TagTable.hash(tag(9))) == -1)
        #expect(table.count == 2 && table.find(tag(9), hash: TagTable.hash(tag(9))) == -1)
    }

    @Test func wheelFiresEachRowOnceAtOrAfterItsDeadline() {
        let table = TagTable(maxRows: 1000, wheelSlots: 16, tickMicros: 1000, startTime: 0)
        var deadlines: [Int32: Int64] = [:]
        var rng = SplitMix64(seed: 8)
        for n in 0..<500 {
            let epc = tag(n)
            let row = table.insert(epc, hash: TagTable.hash(epc))
            let d = Int64(rng.below(200_000))   // up to 200 ticks: many revolutions of 16
            deadlines[row] = d
            table.schedule(row, at: d)
        }
        var fired: [Int32: Int64] = [:]
        var now: Int64 = 0
        while now < 250_000 {
            now += Int64(1 + rng.below(7)) * 1000
            let done = table.expire(upTo: now / 1000, shouldStop: { false }) { row in
                let d = deadlines[row] ?? 0
                if d <= table.processedTime {
                    #expect(fired[row] == nil)
                    fired[row] = table.processedTime
                } else {
                    table.schedule(row, at: d)
                }
            }
            #expect(done)
        }
        #expect(fired.count == 500)
        for (row, t) in fired {
            let d = deadlines[row] ?? 0
            #expect(t >= d && t - d < 1000, "row \(row) deadline \(d) fired \(t)")   // within one tick
        }
    }
}

@Suite struct ClockTests {
    @Test func virtualClockDrivesThePipeline() throws {
        let clock = ManualClock(ms(0))
        let p = try Pipeline(config: PipelineConfig(zones: [zone()]), startTime: clock.now())
        p.ingest(batch: [read(tag(1), at: clock.now()), read(tag(1), at: clock.advance(by: ms(10)))])
        clock.advance(by: ms(-5000))             // never backwards
        #expect(clock.now() == ms(10))
        clock.advance(by: .seconds(3))
        p.advance(clock: clock)
        var kinds: [String] = []
        p.drainEvents { if case .arrived = $0 { kinds.append("A") } else if case .departed = $0 { kinds.append("D") } }
        #expect(kinds == ["A", "D"])
        let a = MonotonicClock().now(), b = MonotonicClock().now()
        #expect(b >= a)
    }
}
