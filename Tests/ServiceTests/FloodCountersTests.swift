import Foundation
import Pipeline
import ScanModel
import Stations
import Testing
@testable import Service

/// What a reader's flood (`scanledger-bench flood-llrp`) showed was missing:
/// drops an admin could not see, and a station overflow that was "logged
/// once" per freed slot, thousands of times a second.
@Suite struct FloodCountersTests {
    /// A zone at its tag limit refuses reads of new tags; before, the count
    /// lived only in the pipeline (and the alarm's one log line).
    @Test func readsRefusedAtAZonesTagLimitAndTheWatchDropsAreInTheMetrics() throws {
        let reader = DeviceIndex(1)
        let p = try Pipeline(config: PipelineConfig(zones: [ZoneConfig(name: "door", readers: [ZoneReader(device: reader)], maxTags: 4)]))
        let reads = (0..<10).map { TagRead(epc: EPC(hi: 0x3074_257B_F719_4E40, lo32: UInt32($0)), device: reader, time: Microseconds(1_000)) }
        #expect(p.ingest(batch: reads) == 10)
        let text = PrometheusText.render(ZoneMetrics.families(zones: p.zoneCounters, watchEventsDropped: 2_500))
        #expect(text.contains("scanledger_zone_reads_total{zone=\"door\"} 10\n"))
        // Glimpsed tags are not idle, so none could be evicted: 6 refused.
        #expect(text.contains("scanledger_zone_reads_refused_total{zone=\"door\"} 6\n"), "\(text)")
        #expect(text.contains("scanledger_zone_tags_tracked{zone=\"door\"} 4\n"))
        #expect(text.contains("scanledger_zone_tags_evicted_total{zone=\"door\"} 0\n"))
        #expect(text.contains("scanledger_watch_events_dropped_total 2500\n"))
    }

    /// Under a steady flood the station frees a slot and the next input
    /// takes it at once; each of those was a new "overflow" with its own log
    /// line. The overflow now lasts until the queue has drained to half.
    @Test func aStationOverflowUnderASteadyFloodIsLoggedOnceUntilTheQueueDrainsToHalf() throws {
        let w = try RealLedgerWorld()
        let sessions = GatedSessionStore(w.stores, stepwise: true)
        let deps = StationDependencies(ledger: w.gateway, stock: w.gateway, master: w.gateway, expected: w.stores, sessions: sessions)
        let logs = Locked<[String]>([])
        let host = try StationHost(specs: [StationSpec(name: "mover", kind: .move, devices: ["flooder"], zones: [])], dependencies: deps,
                                   reviews: w.stores, hub: EventHub(), signal: { _, _ in },
                                   log: { _, line in logs.withLock { $0.append(line) } })
        // Each location scan saves the move's source: one pass through the gate each.
        let input = StationInput.location("A-01")
        func send(_ n: Int) { for _ in 0..<n { host.deliver(input, to: "mover", at: today(), from: "flooder") } }
        func handleOne() { sessions.gate.signal(); sessions.entered.wait() }
        func overflowLines() -> Int { logs.withLock { $0 }.filter { $0.contains("input queue full") }.count }
        send(1)
        sessions.entered.wait()
        send(StationHost.queueLimit - 1 + 3)
        #expect(host.droppedInputs == ["mover": 3])
        // The flood goes on: every slot freed is taken, the next input dropped.
        for _ in 0..<5 { handleOne(); send(2) }
        #expect(host.droppedInputs == ["mover": 8])
        #expect(overflowLines() == 1)
        // Drained to below half, then full again: a new overflow, said again.
        for _ in 0..<(StationHost.queueLimit / 2 + 1) { handleOne() }
        send(StationHost.queueLimit / 2 + 1)
        #expect(host.droppedInputs == ["mover": 8])
        send(1)
        #expect(host.droppedInputs == ["mover": 9])
        #expect(overflowLines() == 2)
        sessions.open(); sessions.gate.signal()
        host.drain()
    }

    /// Even once per overflow was hundreds of lines a minute when a fast
    /// station (ignoring a portal's arrivals) drained to half between a
    /// reader's bursts: at most 5 a minute per station, then a count.
    @Test func overflowLinesArePacedToFiveAMinutePerStation() throws {
        let w = try RealLedgerWorld()
        let sessions = GatedSessionStore(w.stores, stepwise: true)
        let deps = StationDependencies(ledger: w.gateway, stock: w.gateway, master: w.gateway, expected: w.stores, sessions: sessions)
        let logs = Locked<[String]>([])
        let clock = ManualClock(.seconds(1_000))
        let host = try StationHost(specs: [StationSpec(name: "mover", kind: .move, devices: ["flooder"], zones: [])], dependencies: deps,
                                   reviews: w.stores, hub: EventHub(), signal: { _, _ in },
                                   log: { _, line in logs.withLock { $0.append(line) } }, queueLimit: 4, clock: clock)
        func send(_ n: Int) { for _ in 0..<n { host.deliver(.location("A-01"), to: "mover", at: today(), from: "flooder") } }
        func handleOne() { sessions.gate.signal(); sessions.entered.wait() }
        func lines() -> [String] { logs.withLock { $0 }.filter { $0.contains("input queue full") } }
        /// Drains to below half (one left, held at the gate), then fills and overflows by one.
        func anotherOverflow() { for _ in 0..<3 { handleOne() }; send(4) }
        send(1)
        sessions.entered.wait()
        send(4)                                   // full at 4, one dropped: the first overflow
        for _ in 0..<6 { anotherOverflow() }
        #expect(host.droppedInputs == ["mover": 7])
        #expect(lines().count == 5)
        clock.advance(by: .seconds(61))
        anotherOverflow()
        #expect(lines().count == 6)
        #expect(lines().last?.contains("(2 more overflows in the last minute were not logged)") == true, "\(lines())")
        sessions.open(); sessions.gate.signal()
        host.drain()
    }

    /// A portal's arrivals and departures that change nothing are not
    /// published, but they are counted: every input is accepted, refused,
    /// ignored or dropped.
    @Test func arrivalsAndDeparturesThatChangeNothingAreCountedAsIgnored() throws {
        let w = try RealLedgerWorld()
        let deps = StationDependencies(ledger: w.gateway, stock: w.gateway, master: w.gateway, expected: w.stores, sessions: w.stores)
        let host = try StationHost(specs: [StationSpec(name: "mover", kind: .move, devices: [], zones: ["door"])], dependencies: deps,
                                   reviews: w.stores, hub: EventHub(), signal: { _, _ in })
        let tag = ScanTranslator.tag(try #require(EPC(hex: "3074257BF7194E4000001A85")))
        host.deliver(.tagDeparted(zone: "door", tag: tag), to: "mover", at: today(), from: nil)
        host.deliver(.tagArrived(zone: "door", tag: tag), to: "mover", at: today(), from: nil)
        host.drain()
        #expect(host.ignoredInputs == 2)
        #expect(host.counts == (accepted: 0, refused: 0))
    }

    /// A reader's input is built (its EPC decoded) only once the station has
    /// room, and on the station's queue, not on the router's thread.
    @Test func aReadersInputIsBuiltOnlyWhenTheStationTakesIt() throws {
        let w = try RealLedgerWorld()
        let sessions = GatedSessionStore(w.stores, stepwise: true)
        let deps = StationDependencies(ledger: w.gateway, stock: w.gateway, master: w.gateway, expected: w.stores, sessions: sessions)
        let host = try StationHost(specs: [StationSpec(name: "mover", kind: .move, devices: ["scanner"], zones: ["door"])], dependencies: deps,
                                   reviews: w.stores, hub: EventHub(), signal: { _, _ in })
        // Location scans, each held at the gate: the station stays busy.
        for _ in 0..<StationHost.queueLimit { host.deliver(.location("A-01"), to: "mover", at: today(), from: "scanner") }
        sessions.entered.wait()
        let built = Locked(0)
        let tag = ScanTranslator.tag(try #require(EPC(hex: "3074257BF7194E4000001A85")))
        func arrive() { host.deliver(to: "mover", at: today()) { built.withLock { $0 += 1 }; return .tagArrived(zone: "door", tag: tag) } }
        for _ in 0..<5 { arrive() }
        #expect(host.droppedInputs == ["mover": 5])
        #expect(built.withLock { $0 } == 0, "a dropped input was built")
        sessions.gate.signal(); sessions.entered.wait()  // one handled: room for one
        arrive()
        #expect(host.droppedInputs == ["mover": 5])
        #expect(built.withLock { $0 } == 0, "built on the caller's thread, not when the station came to it")
        sessions.open(); sessions.gate.signal()
        host.drain()
        #expect(built.withLock { $0 } == 1)
    }
}
