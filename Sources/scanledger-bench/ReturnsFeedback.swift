import Foundation
import Ledger
import ScanModel

/// Issue 15's target, scan → feedback byte on the wire for a returns
/// station (p99 under 5 ms): the real release scanledgerd, one pty scanner,
/// returns opened by a serial alone (the ledger looks up which order shipped
/// it), each unit then RESTOCK, and CLOSE. Every accepted scan saves the
/// session (a commit at synchronous=FULL) before it is answered; CLOSE
/// posts. Baseline from the same run and daemon: a refused scan (RESTOCK
/// with no return open), which costs transport, routing and the refusal's
/// journal commit, so the ratio shows what the returns logic adds.
func returnsFeedbackThroughDaemon() -> [String: any Sendable] {
    let orders = Int(ProcessInfo.processInfo.environment["RETURNS_BENCH_ORDERS"] ?? "") ?? 10
    let unitsPerOrder = 10
    let item = "80614141123458"
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("returns-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    guard let site = try? BenchSite(dir: dir, stations: 1) else { return ["error": "cannot set up the site in \(dir.path)"] }
    defer { site.stop() }
    do {
        let ledger = try Ledger(path: dir.appendingPathComponent("ledger.db").path)
        defer { ledger.close() }
        guard let gtin = GTIN(item) else { return ["error": "bad GTIN"] }
        try ledger.importItems([Item(gtin: gtin, tracking: .serial)])
        try ledger.importLocations([Location(code: "PACK", type: .pack), Location(code: "SHELF")])
        let serials = (0..<orders).map { o in (0..<unitsPerOrder).map { "R\(o)-\($0)" } }
        let seed = PostingRequest(key: "seed-serials", kind: .receipt, lines: serials.joined().map {
            PostingLine(item: ItemCode(item), qty: 1, from: VirtualLocation.supplier, to: "PACK", serial: $0) })
        let packs = serials.enumerated().map { o, units in
            PostingRequest(key: "pack-\(o)", kind: .pack, ref: "SO-\(o)", lines: units.map {
                PostingLine(item: ItemCode(item), qty: 1, from: "PACK", to: VirtualLocation.customer, serial: $0) })
        }
        guard try ledger.postAndWait([seed] + packs).allSatisfy({ $0.status == .posted }) else { return ["error": "seeding refused"] }
        try site.writeConfig(stations: #"{"name": "ret-0", "type": "returns", "devices": ["scanner-0"], "restock_location": "SHELF"}"#)
    } catch { return ["error": "setup: \(error)"] }
    guard site.start() else { return ["error": "scanledgerd did not answer on its socket; log: \(site.logTail)"] }
    let scanner = site.scanners[0]

    var baseline: [Double] = []
    for _ in 0..<50 {
        guard let (ms, byte) = scanner.scanAndWaitForFeedbackByte("CMD:RESTOCK"), byte == UInt8(ascii: "E") else {
            return ["error": "the baseline refusal was not answered with E; log: \(site.logTail)"]
        }
        baseline.append(ms)
    }
    var units: [Double] = [], closes: [Double] = []
    var unexpected = 0
    for o in 0..<orders {
        for u in 0..<unitsPerOrder {
            for line in ["]C101\(item)21R\(o)-\(u)", "CMD:RESTOCK"] {
                guard let (ms, byte) = scanner.scanAndWaitForFeedbackByte(line) else { return ["error": "no answer to \(line); log: \(site.logTail)"] }
                if byte != UInt8(ascii: "G") { unexpected += 1 }
                units.append(ms)
            }
        }
        guard let (ms, byte) = scanner.scanAndWaitForFeedbackByte("CMD:CLOSE") else { return ["error": "no answer to CLOSE; log: \(site.logTail)"] }
        if byte != UInt8(ascii: "D") { unexpected += 1 }
        closes.append(ms)
    }
    let posted = site.waitForPostings(orders)

    let scanP = percentiles(units), baseP = percentiles(baseline)
    return [
        "returns": orders, "postings_since_start": posted, "scans": units.count + closes.count, "unexpected_answers": unexpected,
        "scan_ms": scanP, "close_ms": percentiles(closes), "baseline_refusal_ms": baseP,
        "ratio_scan_p99_to_baseline_p99": (scanP["p99"] ?? 0) / max(baseP["p99"] ?? 0, 1e-9),
        "target": "scan p99 < 5 ms",
    ]
}
