import Foundation
import ScanModel
import Stations

/// `station-feedback`: time from an input to the station's feedback, for a
/// dock portal receiving serialised tags one arrival at a time (the worst
/// case: every arrival is checked and the whole session is saved). Target:
/// feedback within 50 ms (p99). Baseline: encoding the final session state
/// once, the floor a full-state save costs at that size.
let stationFeedbackBenchmark = Benchmark(name: "station-feedback") {
    let tags = 2_000
    let ledger = BenchLedger()
    let item = ItemCode("00614141000036")
    let expected = InMemoryExpectedDataStore(asns: [ASN(number: "ASN-B", lines: [ASNLine(item: item, quantity: tags)])])
    let deps = StationDependencies(ledger: ledger, stock: ledger, master: ledger, expected: expected, sessions: InMemorySessionStore())
    guard let gtin = GTIN(item.code),
          let station = try? ReceivingStation(config: ReceivingConfig(station: "bench", dock: "DOCK"), dependencies: deps) else {
        return ["error": "setup failed"]
    }
    var latencies: [Double] = []
    latencies.reserveCapacity(tags)
    _ = station.handle(.document("ASN-B"), at: .zero)
    let start = DispatchTime.now().uptimeNanoseconds
    for i in 0..<tags {
        let tag = EPCTag(epc: EPC(hi: 0x3074_257B_F719_4E40, lo32: UInt32(i)), gtin: gtin, serial: String(i))
        let t0 = DispatchTime.now().uptimeNanoseconds
        let event = station.handle(.tagArrived(zone: "portal", tag: tag), at: .milliseconds(Int64(i)))
        latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        blackHole(event)
    }
    let total = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let accepted = station.view.lines.first?.scanned ?? 0
    let closeStart = DispatchTime.now().uptimeNanoseconds
    _ = station.handle(.command("CLOSE"), at: .seconds(10))
    let closeMs = Double(DispatchTime.now().uptimeNanoseconds - closeStart) / 1e6

    // Baseline: one JSON encoding of an equivalent final session.
    struct Unit: Codable { var item: String; var serial: String; var epc: String; var quantity: Int }
    let units = (0..<tags).map { Unit(item: item.code, serial: String($0), epc: String(repeating: "A", count: 24), quantity: 1) }
    let encode = 1 / medianRate(runs: 5, work: 1) { blackHole(try? JSONEncoder().encode(units)) } * 1e3

    // Growth check: the median of the last tenth against the first tenth of
    // the session (1.0 means a scan costs the same at 2,000 units as at 10).
    func median(_ xs: ArraySlice<Double>) -> Double { let v = xs.sorted(); return v.isEmpty ? 0 : v[v.count / 2] }
    let tenth = max(1, latencies.count / 10)
    let growth = median(latencies.suffix(tenth)) / max(median(latencies.prefix(tenth)), 1e-9)
    latencies.sort()
    func pct(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
    return [
        "returns_through_daemon": returnsFeedbackThroughDaemon(),
        "inputs": tags, "accepted": accepted, "inputs_per_sec": Double(tags) / total,
        "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": latencies.last ?? 0, "target_p99_ms": 50,
        "close_ms": closeMs, "late_to_early_median_ratio": growth, "postings": ledger.posted,
        "baseline_full_state_encode_ms": encode, "ratio_p99_to_baseline": pct(0.99) / max(encode, 1e-9),
    ]
}

/// The smallest ledger the benchmark needs: knows one serialised item, holds
/// nothing, accepts every posting.
private final class BenchLedger: PostingGateway, StockLookup, MasterData {
    var posted = 0
    func post(_ request: PostingRequest) throws -> PostingOutcome { posted += 1; return .posted(seq: LedgerSequence(Int64(posted))) }
    func onHand(item: ItemCode, lot: String?, at location: LocationCode) throws -> Int64 { 0 }
    func balances(at location: LocationCode) throws -> [StockBalance] { [] }
    func location(ofItem item: ItemCode, serial: String) throws -> SerialPosition? { nil }
    func position(ofEPC epc: EPC) throws -> SerialPosition? { nil }
    func ledgerSequence() throws -> LedgerSequence { LedgerSequence(Int64(posted)) }
    func lastChange(at location: LocationCode) throws -> LedgerSequence { .none }
    func holdReason(item: ItemCode, lot: String) throws -> String? { nil }
    func item(_ code: ItemCode) throws -> ItemRecord? { ItemRecord(code: code, tracking: .serial) }
    func location(_ code: LocationCode) throws -> LocationRecord? { LocationRecord(code: code, kind: .dock) }
}
