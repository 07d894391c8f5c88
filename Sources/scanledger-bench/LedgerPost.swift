import CSQLite
import Foundation
import Ledger
import ScanModel

/// `ledger-post`: group-committed bursts and single-posting commit latency
/// with synchronous=FULL, against raw SQLite inserts of the same rows
/// (postings, entries, idempotency keys, outbox rows; same schema, same
/// transaction per burst) through the C API; then a stock query by item and
/// location on a large ledger.
let ledgerPostBenchmark = Benchmark(name: "ledger-post") {
    let env = ProcessInfo.processInfo.environment
    let queryLedgerEntries = Int(env["LEDGER_BENCH_ENTRIES"] ?? "") ?? 10_000_000
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }

    let items = (0..<1_000).map { String(format: "SKU-%05d", $0) }
    let locations = (0..<100).map { String(format: "S-%03d", $0) }
    let linesPerPosting = 5
    let burst = 2_000

    // Engine: bursts.
    let enginePath = directory.appendingPathComponent("engine.db").path
    guard let ledger = try? Ledger(path: enginePath) else { return ["error": "cannot open \(enginePath)"] }
    try? ledger.importItems(items.map { Item(sku: $0) })
    try? ledger.importLocations(locations.map { Location(code: $0) })
    func burstRequests(_ round: Int) -> [PostingRequest] {
        (0..<burst).map { n in
            let lines = (0..<linesPerPosting).map { l in
                PostingLine(item: ItemCode(items[(n * linesPerPosting + l) % items.count]), qty: 1 + Int64(l),
                            from: VirtualLocation.supplier, to: LocationCode(locations[n % locations.count]))
            }
            return PostingRequest(key: "burst-\(round)-\(n)", kind: .receipt, ref: "ASN-\(round)", station: "dock-1",
                                  eventTime: "2024-05-01T10:00:00Z", lines: lines)
        }
    }
    // Requests are built before timing: the clock covers posting only. Engine
    // and raw bursts alternate so both see the same load on a shared machine.
    let runs = 9
    let bursts = (0..<runs).map(burstRequests)
    let rawPath = directory.appendingPathComponent("raw.db").path
    guard let raw = RawLedgerInserts(path: rawPath, items: items, locations: locations) else { return ["error": "cannot open \(rawPath)"] }
    var engineRates: [Double] = [], rawRates: [Double] = [], engineCPURates: [Double] = [], rawCPURates: [Double] = []
    for round in 0..<runs {
        let engine = timed { blackHole((try? ledger.postAndWait(bursts[round]))?.count) }
        let baseline = timed { raw.insertBurst(postings: burst, lines: linesPerPosting) }
        guard round > 0 else { continue } // warm-up
        engineRates.append(Double(burst) / engine.wall); engineCPURates.append(Double(burst) / engine.cpu)
        rawRates.append(Double(burst) / baseline.wall); rawCPURates.append(Double(burst) / baseline.cpu)
    }
    func median(_ v: [Double]) -> Double { v.isEmpty ? 0 : v.sorted()[v.count / 2] }
    let postingsPerSec = median(engineRates), rawRate = median(rawRates)
    let entriesPerPosting = linesPerPosting * 2
    ledger.close()

    // Engine: single postings, each its own commit (FULL, and NORMAL for the trade-off).
    func singleCommitLatencies(_ synchronous: LedgerOptions.Synchronous) -> [Double] {
        guard let single = try? Ledger(path: enginePath, options: LedgerOptions(synchronous: synchronous)) else { return [] }
        defer { single.close() }
        var latencies: [Double] = []
        for n in 0..<1_000 {
            let request = PostingRequest(key: "single-\(synchronous.rawValue)-\(n)", kind: .move,
                                         lines: [PostingLine(item: ItemCode(items[n % items.count]), qty: 1, from: LocationCode(locations[n % 100]),
                                                             to: LocationCode(locations[(n + 1) % 100]))])
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try? single.postAndWait([request])
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return latencies.sorted()
    }
    let latencies = singleCommitLatencies(.full)
    let normalLatencies = singleCommitLatencies(.normal)

    // Stock query by item and location on a large ledger.
    let bigPath = directory.appendingPathComponent("big.db").path
    let built = RawLedgerInserts(path: bigPath, items: items, locations: locations)?.fill(entries: queryLedgerEntries) ?? 0
    var queryMillis: [Double] = []
    if let big = try? Ledger(path: bigPath) {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let item = items[Int(rng.next() % UInt64(items.count))], location = locations[Int(rng.next() % UInt64(locations.count))]
            let start = DispatchTime.now().uptimeNanoseconds
            let rows = (try? big.stock(StockQuery(location: location, item: item))) ?? []
            queryMillis.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            blackHole(rows)
        }
        big.close()
    }
    queryMillis.sort()

    func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? -1 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
    let entriesPerSec = postingsPerSec * Double(entriesPerPosting)
    return [
        "synchronous": "FULL",
        "burst_postings": burst,
        "entries_per_posting": entriesPerPosting,
        "postings_per_sec": Int(postingsPerSec),
        "entries_per_sec": Int(entriesPerSec),
        "raw_sqlite_entries_per_sec": Int(rawRate * Double(entriesPerPosting)),
        "ratio_to_raw": (postingsPerSec / max(rawRate, 1) * 1000).rounded() / 1000,
        // Per CPU-second of the process: the same comparison without the other tenants' load.
        "entries_per_cpu_sec": Int(median(engineCPURates) * Double(entriesPerPosting)),
        "raw_sqlite_entries_per_cpu_sec": Int(median(rawCPURates) * Double(entriesPerPosting)),
        "single_commit_p50_ms": (percentile(latencies, 0.50) * 1000).rounded() / 1000,
        "single_commit_p99_ms": (percentile(latencies, 0.99) * 1000).rounded() / 1000,
        "single_commit_normal_p50_ms": (percentile(normalLatencies, 0.50) * 1000).rounded() / 1000,
        "single_commit_normal_p99_ms": (percentile(normalLatencies, 0.99) * 1000).rounded() / 1000,
        "query_ledger_entries": built,
        "stock_query_p50_ms": (percentile(queryMillis, 0.50) * 1000).rounded() / 1000,
        "stock_query_p99_ms": (percentile(queryMillis, 0.99) * 1000).rounded() / 1000,
        "targets": "entries_per_sec>=100000 ratio_to_raw>=0.5 single_commit_p99_ms<=5 stock_query<=1ms",
    ]
}

/// Writes ledger rows straight through the SQLite C API, on the ledger's own
/// schema (created by opening a `Ledger` once): the baseline, and the filler
/// for the large query ledger.
final class RawLedgerInserts {
    private var db: OpaquePointer?
    private var accounts: [Int64] = []
    private var nextSeq: Int64 = 1

    init?(path: String, items: [String], locations: [String]) {
        guard let schema = try? Ledger(path: path) else { return nil }
        try? schema.importItems(items.map { Item(sku: $0) })
        try? schema.importLocations(locations.map { Location(code: $0) })
        schema.close()
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else { return nil }
        exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON")
        // One account per item and location, like the engine creates on first use.
        exec("BEGIN")
        exec("INSERT INTO accounts(location_id, item_id) SELECT l.id, i.id FROM locations l, items i WHERE l.type <> 'virtual'")
        exec("INSERT INTO accounts(location_id, item_id) SELECT l.id, i.id FROM locations l, items i WHERE l.code = '@supplier'")
        exec("COMMIT")
        var s: OpaquePointer?
        sqlite3_prepare_v2(db, "SELECT id FROM accounts ORDER BY id", -1, &s, nil)
        while sqlite3_step(s) == SQLITE_ROW { accounts.append(sqlite3_column_int64(s, 0)) }
        sqlite3_finalize(s)
    }

    deinit { sqlite3_close_v2(db) }

    private func exec(_ sql: String) { sqlite3_exec(db, sql, nil, nil, nil) }

    private func prepare(_ sql: String) -> OpaquePointer? {
        var s: OpaquePointer?
        sqlite3_prepare_v2(db, sql, -1, &s, nil)
        return s
    }

    /// Inserts `postings` postings of `lines` lines (2 entries each) in one transaction.
    private func insert(postings: Int, lines: Int, payload: String) {
        let posting = prepare("INSERT INTO postings(seq, key, kind, station, ref, event_time, commit_time) VALUES (?, ?, 'receipt', 'dock-1', 'ASN', '2024-05-01T10:00:00Z', ?)")
        let entry = prepare("INSERT INTO entries(seq, line, account_id, qty) VALUES " + Array(repeating: "(?, ?, ?, ?)", count: lines * 2).joined(separator: ", "))
        let key = prepare("INSERT INTO idempotency(key, seq) VALUES (?, ?)")
        let outbox = prepare("INSERT INTO outbox(seq, payload) VALUES (?, ?)")
        defer { for s in [posting, entry, key, outbox] { sqlite3_finalize(s) } }
        let physical = accounts.count * 100 / 101 // accounts of physical locations come first
        exec("BEGIN")
        for _ in 0..<postings {
            let seq = nextSeq
            nextSeq += 1
            let k = "raw-\(seq)"
            sqlite3_bind_int64(posting, 1, seq)
            sqlite3_bind_text(posting, 2, k, -1, CSQLite_transient())
            sqlite3_bind_int64(posting, 3, 1_700_000_000_000_000)
            sqlite3_step(posting); sqlite3_reset(posting)
            // All entries of the posting in one multi-row INSERT, as the engine writes them.
            for l in 0..<lines {
                let to = accounts[Int(seq &* 7 &+ Int64(l) &* 131) % max(physical, 1)]
                let from = accounts[physical + Int(seq &+ Int64(l)) % max(accounts.count - physical, 1)]
                for (side, (account, qty)) in [(from, -1 - Int64(l)), (to, 1 + Int64(l))].enumerated() {
                    let line = Int32(l * 2 + side), base = line * 4
                    sqlite3_bind_int64(entry, base + 1, seq); sqlite3_bind_int64(entry, base + 2, Int64(line))
                    sqlite3_bind_int64(entry, base + 3, account); sqlite3_bind_int64(entry, base + 4, qty)
                }
            }
            sqlite3_step(entry); sqlite3_reset(entry)
            sqlite3_bind_text(key, 1, k, -1, CSQLite_transient())
            sqlite3_bind_int64(key, 2, seq)
            sqlite3_step(key); sqlite3_reset(key)
            sqlite3_bind_int64(outbox, 1, seq)
            sqlite3_bind_text(outbox, 2, payload, -1, CSQLite_transient())
            sqlite3_step(outbox); sqlite3_reset(outbox)
        }
        exec("COMMIT")
    }

    /// One raw burst: the rows a burst of engine postings writes (no balances, no checks).
    func insertBurst(postings: Int, lines: Int) {
        // About the size of the engine's canonical payload for five lines.
        let payload = String(repeating: "{\"epc\":null,\"item\":\"SKU-00001\",\"location\":\"S-001\",\"qty\":1},", count: lines * 2)
        insert(postings: postings, lines: lines, payload: payload)
    }

    /// Fills the ledger with about `entries` entries, then sets every balance
    /// to the re-sum of its entries (so `verify` holds); returns the count.
    func fill(entries: Int) -> Int {
        let perPosting = 10
        let chunk = 100_000
        var written = 0
        exec("PRAGMA synchronous = OFF") // filler only: durability is not what is measured here
        while written < entries {
            let postings = min(chunk, (entries - written + perPosting - 1) / perPosting)
            insert(postings: postings, lines: perPosting / 2, payload: "{}")
            written += postings * perPosting
        }
        exec("UPDATE accounts SET balance = (SELECT ifnull(sum(qty), 0) FROM entries WHERE account_id = accounts.id)")
        exec("PRAGMA wal_checkpoint(TRUNCATE)")
        return written
    }
}

/// Wall and process CPU seconds of `body`.
func timed(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
    let start = DispatchTime.now().uptimeNanoseconds, cpu0 = cpuSeconds()
    body()
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, max(cpuSeconds() - cpu0, 1e-9))
}
