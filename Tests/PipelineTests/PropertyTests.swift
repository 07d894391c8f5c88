import Testing
import ScanModel
@testable import Pipeline

/// The smoothing rules written the slow, obvious way (a dictionary, full
/// scans on every tick), to check the table + timing wheel + lazy expiry.
struct ReferenceSmoother {
    struct State { var observed: Bool; var announced: Bool; var lastSeen: Int64; var since: Int64; var reads: UInt32 }
    let s: SmoothingConfig
    let tick: Int64
    var tags: [EPC: State] = [:]
    var log: [EPC: [String]] = [:]

    mutating func advance(to now: Int64) {
        let p = (now / tick) * tick   // expiry runs on whole ticks
        for (epc, st) in tags {
            let timeout = st.observed ? s.lostTimeout.value : s.glimpsedTimeout.value
            let deadline = st.lastSeen + timeout
            guard deadline <= p else { continue }
            if st.announced { log[epc, default: []].append("D\(deadline)/\(st.lastSeen)") }
            tags[epc] = nil
        }
    }

    mutating func read(_ epc: EPC, at t: Int64, count: UInt32) {
        var st = tags[epc] ?? State(observed: false, announced: false, lastSeen: t, since: t, reads: 0)
        let gap = t - st.lastSeen
        if st.observed, gap >= s.lostTimeout.value {
            if st.announced { log[epc, default: []].append("D\(st.lastSeen + s.lostTimeout.value)/\(st.lastSeen)") }
            st = State(observed: false, announced: false, lastSeen: t, since: t, reads: 0)
        } else if !st.observed, gap >= s.glimpsedTimeout.value {
            st = State(observed: false, announced: false, lastSeen: t, since: t, reads: 0)
        }
        st.lastSeen = max(st.lastSeen, t)
        st.reads += count
        if !st.observed, st.reads >= s.observedCount || t - st.since >= (s.observedTime?.value ?? .max) {
            st.observed = true
        }
        if st.observed, !st.announced {
            st.announced = true
            log[epc, default: []].append("A\(t)")
        }
        tags[epc] = st
    }
}

@Suite struct PropertyTests {
    func randomSmoothing(_ rng: inout SplitMix64) -> SmoothingConfig {
        SmoothingConfig(observedCount: UInt32(1 + rng.below(4)),
                        observedTime: rng.below(2) == 0 ? nil : ms(Int64(100 + rng.below(900))),
                        glimpsedTimeout: ms(Int64(2 + rng.below(13)) * 100),
                        lostTimeout: ms(Int64(3 + rng.below(27)) * 100),
                        retention: ms(Int64(rng.below(5000))))
    }

    /// Monotone read times with bursts, pauses and merged reports.
    /// `grid` (µs) makes times coincide exactly with deadlines now and then.
    func randomStream(_ rng: inout SplitMix64, tags: Int, reads: Int, grid: Int64 = 1) -> [TagRead] {
        var t: Int64 = 0
        var out: [TagRead] = []
        for _ in 0..<reads {
            switch rng.below(20) {
            case 0: t += Int64(2000 + rng.below(4000)) * 1000   // the field goes quiet
            case 1...5: t += Int64(rng.below(800)) * 1000
            default: t += Int64(rng.below(50_000))
            }
            t -= t % grid
            let epc = tag(rng.below(4) == 0 ? rng.below(tags) : rng.below(max(1, tags / 5)))
            out.append(read(epc, at: Microseconds(t), count: UInt32(1 + rng.below(3) / 2)))
        }
        return out
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func tableAndWheelMatchReferenceModel(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let smoothing = randomSmoothing(&rng)
        let tick = Int64([1, 7, 50][rng.below(3)]) * 1000
        // A tiny wheel forces rounds and clock jumps longer than the wheel.
        let cfg = PipelineConfig(zones: [zone(smoothing: smoothing, maxTags: 1000)], tick: Microseconds(tick),
                                 wheelSlots: [4, 64, 8192][rng.below(3)])
        let h = try Harness(cfg)
        var ref = ReferenceSmoother(s: smoothing, tick: tick)
        let grid: Int64 = [1, 1000, 10_000, 100_000][Int(seed % 4)]
        for r in randomStream(&rng, tags: 60, reads: 3000, grid: grid) {
            ref.advance(to: r.time.value)
            ref.read(r.epc, at: r.time.value, count: r.count)
            h.feed([r])
        }
        let end = (h.pipeline.now + .seconds(60)).value
        ref.advance(to: end)
        h.tick(to: Microseconds(end))
        var log: [EPC: [String]] = [:]
        for e in h.events {
            switch e {
            case .arrived(let a): log[a.epc, default: []].append("A\(a.time.value)")
            case .departed(let d): log[d.epc, default: []].append("D\(d.time.value)/\(d.lastSeen.value)")
            default: break
            }
        }
        for epc in Set(log.keys).union(ref.log.keys) where log[epc] != ref.log[epc] {
            Issue.record("tag \(epc): pipeline \(log[epc] ?? []) reference \(ref.log[epc] ?? [])")
        }
        #expect(!log.isEmpty)
        #expect(h.counters("dock-1")?.tagsTracked == 0)
    }

    /// Random cycles (commands, durations, stable sets): consecutive reports
    /// chain exactly (previous + additions − deletions = current), and each
    /// CURRENT is exactly the tags read in [startedAt, endedAt).
    @Test(arguments: [11, 12, 13, 14, 15, 16] as [UInt64])
    func additionsAndDeletionsReconstructCurrent(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let start: CycleStart = [.command, .firstRead, .continuous][rng.below(3)]
        let cycle = CycleConfig(start: start,
                                duration: rng.below(3) == 0 && start != .continuous ? nil : ms(Int64(500 + rng.below(3000))),
                                stableFor: rng.below(2) == 0 ? nil : ms(Int64(200 + rng.below(1500))))
        let h = try Harness(zones: [zone(smoothing: randomSmoothing(&rng), cycle: cycle)])
        let id = try #require(h.pipeline.zone(named: "dock-1"))
        let reads = randomStream(&rng, tags: 40, reads: 2500)
        for r in reads {
            if rng.below(40) == 0 { h.tick(to: r.time); h.pipeline.command(rng.below(2) == 0 ? .start : .stop, zone: id) }
            h.feed([r])
        }
        h.tick(to: (reads.last?.time ?? .zero) + .seconds(1))
        h.pipeline.finish()
        h.drain()
        let reports = h.reports
        #expect(reports.count >= 3)
        var previous = Set<EPC>()
        for (k, r) in reports.enumerated() {
            #expect(r.sequence == UInt64(k + 1))
            let current = Set(r.current.map(\.epc)), add = Set(r.additions.map(\.epc)), del = Set(r.deletions.map(\.epc))
            #expect(previous.union(add).subtracting(del) == current)
            #expect(add.isDisjoint(with: previous) && del.isSubset(of: previous) && del.isDisjoint(with: current))
            #expect(r.current.map(\.epc) == r.current.map(\.epc).sorted())
            let inWindow = reads.filter { $0.time >= r.startedAt && $0.time < r.endedAt }
            #expect(current == Set(inWindow.map(\.epc)), "cycle \(r.sequence)")
            for stats in r.current {
                let mine = inWindow.filter { $0.epc == stats.epc }
                #expect(stats.reads == mine.reduce(0) { $0 + $1.count })
                #expect(stats.firstSeen == mine.first?.time && stats.lastSeen == mine.last?.time)
            }
            #expect(r.complete)
            previous = current
        }
    }

    /// Two grouped zones, out-of-order timestamps, random RSSI: per zone and
    /// tag, events alternate arrived/departed, every arrival is a read of
    /// that tag in that zone, and no tag arrives again without a new read.
    @Test(arguments: [21, 22, 23, 24] as [UInt64])
    func noArrivalOrDepartureWithoutReads(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let policy: AssignmentPolicy = rng.below(2) == 0 ? .firstZone : .strongestRSSI(hysteresis: 2, staleAfter: ms(300))
        let h = try Harness(zones: [zone("a", device: reader, smoothing: randomSmoothing(&rng)),
                                    zone("b", device: reader2, smoothing: randomSmoothing(&rng))],
                            groups: [AssignmentGroup(name: "g", zones: ["a", "b"], policy: policy)])
        var reads = randomStream(&rng, tags: 30, reads: 3000)
        for i in reads.indices {
            reads[i].device = rng.below(2) == 0 ? reader : reader2
            reads[i].rssi = -80 + Float(rng.below(40))
            if rng.below(15) == 0 { reads[i].time = reads[i].time - ms(Int64(rng.below(3000))) }  // late report
        }
        // Feed one read at a time, noting which read each event came from.
        var caused: [(event: PipelineEvent, read: Int?)] = []
        for (k, r) in reads.enumerated() {
            h.tick(to: r.time)
            caused += h.events.map { ($0, nil) }
            h.events = []
            h.feed([r])
            caused += h.events.map { ($0, k) }
            h.events = []
        }
        h.tick(to: (reads.map(\.time).max() ?? .zero) + .seconds(100))
        caused += h.events.map { ($0, nil) }
        var open: [String: TagArrival] = [:]
        var lastDeparture: [String: TagDeparture] = [:]
        var presentIn: [EPC: String] = [:]
        for (e, cause) in caused {
            switch e {
            case .arrived(let a):
                let key = "\(a.zone.name)/\(a.epc)"
                #expect(open[key] == nil, "arrived twice: \(key)")
                // Caused by a read of this tag by this zone's reader, at its time.
                let k = try #require(cause, "arrival without a read: \(key)")
                #expect(reads[k].epc == a.epc && reads[k].device == a.device && reads[k].time == a.time)
                #expect(a.device == (a.zone.name == "a" ? reader : reader2))
                #expect(presentIn[a.epc] == nil, "present in two zones of a group")
                open[key] = a
                presentIn[a.epc] = a.zone.name
            case .departed(let d):
                let key = "\(d.zone.name)/\(d.epc)"
                let a = try #require(open[key], "departed without arriving: \(key)")
                if d.reason == .notSeen {
                    #expect(d.lastSeen >= a.time)
                    #expect(d.time - d.lastSeen >= ms(300))
                }
                open[key] = nil
                lastDeparture[key] = d
                presentIn[d.epc] = nil
            default: break
            }
        }
        #expect(open.isEmpty)
        #expect(!lastDeparture.isEmpty)
    }
}
