import CSQLite
import Foundation
import Ledger

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
    let sync: LedgerOptions.Synchronous = env["LEDGER_BENCH_SYNC"] == "normal" ? .normal : .full
    guard let ledger = try? Ledger(path: enginePath, options: LedgerOptions(synchronous: sync)) else { return ["error": "cannot open \(enginePath)"] }
    try? ledger.importItems(items.map { Item(sku: $0) })
    try? ledger.importLocations(locations.map { Location(code: $0) })
    func burstRequests(_ round: Int) -> [PostingRequest] {
        (0..<burst).map { n in
            let lines = (0..<linesPerPosting).map { l in
                PostingLine(item: items[(n * linesPerPosting + l) % items.count], qty: 1 + Int64(l),
                            from: VirtualLocation.supplier, to: locations[n % locations.count])
            }
            return PostingRequest(key: "burst-\(round)-\(n)", kind: .receipt, ref: "ASN-\(round)", station: "dock-1",
                                  eventTime: "2024-05-01T10:00:00Z", lines: lines)
        }
    }
    // Requests are built before timing: the clock covers posting only.
    let bursts = (0..<8).map(burstRequests)
    var round = 0
    let postingsPerSec = medianRate(runs: 7, work: burst) {
        let prepared = bursts[min(round, bursts.count - 1)]
        let t0 = DispatchTime.now().uptimeNanoseconds
        var ru0 = rusage(); getrusage(RUSAGE_SELF.rawValue, &ru0)
        let b0 = ledger.committedBatches
        let results = (try? ledger.postAndWait(prepared)) ?? []
        blackHole(results.count)
        if env["LEDGER_BENCH_DEBUG"] != nil {
            var ru1 = rusage(); getrusage(RUSAGE_SELF.rawValue, &ru1)
            let cpu = Double(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1000 + Double(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1000
            let sys = Double(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1000 + Double(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1000
            FileHandle.standardError.write(Data("burst \(round): user \(cpu) ms sys \(sys) ms wall \(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6) ms, \(ledger.committedBatches - b0) batches, \(results.filter { $0.status != .posted }.count) not posted \(results.first.map { String(describing: $0) } ?? "")\n".utf8))
        }
        round += 1
    }
    let entriesPerPosting = linesPerPosting * 2

    if env["LEDGER_BENCH_DEBUG"] != nil { return ["postings_per_sec": Int(postingsPerSec)] }
    // Engine: single postings, each its own commit.
    var latencies: [Double] = []
    for n in 0..<1_000 {
        let request = PostingRequest(key: "single-\(n)", kind: .move,
                                     lines: [PostingLine(item: items[n % items.count], qty: 1, from: locations[n % 100], to: locations[(n + 1) % 100])])
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try? ledger.postAndWait([request])
        latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    latencies.sort()
    ledger.close()

    // Raw baseline: the same rows through the C API.
    let rawPath = directory.appendingPathComponent("raw.db").path
    let rawRate = RawLedgerInserts(path: rawPath, items: items, locations: locations)?
        .burstRate(burst: burst, linesPerPosting: linesPerPosting) ?? 0

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
        "single_commit_p50_ms": (percentile(latencies, 0.50) * 1000).rounded() / 1000,
        "single_commit_p99_ms": (percentile(latencies, 0.99) * 1000).rounded() / 1000,
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
    private func insert(postings: Int, lines: Int, payload: String, updateBalances: Bool) {
        let posting = prepare("INSERT INTO postings(seq, key, kind, station, ref, event_time, commit_time) VALUES (?, ?, 'receipt', 'dock-1', 'ASN', '2024-05-01T10:00:00Z', ?)")
        let entry = prepare("INSERT INTO entries(seq, account_id, qty) VALUES (?, ?, ?)")
        let key = prepare("INSERT INTO idempotency(key, payload, seq) VALUES (?, ?, ?)")
        let outbox = prepare("INSERT INTO outbox(seq, payload) VALUES (?, ?)")
        let balance = prepare("UPDATE accounts SET balance = balance + ? WHERE id = ?")
        defer { for s in [posting, entry, key, outbox, balance] { sqlite3_finalize(s) } }
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
            for l in 0..<lines {
                let to = accounts[Int(seq &* 7 &+ Int64(l) &* 131) % max(physical, 1)]
                let from = accounts[physical + Int(seq &+ Int64(l)) % max(accounts.count - physical, 1)]
                for (account, qty) in [(from, -1 - Int64(l)), (to, 1 + Int64(l))] {
                    sqlite3_bind_int64(entry, 1, seq); sqlite3_bind_int64(entry, 2, account); sqlite3_bind_int64(entry, 3, qty)
                    sqlite3_step(entry); sqlite3_reset(entry)
                    if updateBalances {
                        sqlite3_bind_int64(balance, 1, qty); sqlite3_bind_int64(balance, 2, account)
                        sqlite3_step(balance); sqlite3_reset(balance)
                    }
                }
            }
            sqlite3_bind_text(key, 1, k, -1, CSQLite_transient())
            sqlite3_bind_text(key, 2, payload, -1, CSQLite_transient())
            sqlite3_bind_int64(key, 3, seq)
            sqlite3_step(key); sqlite3_reset(key)
            sqlite3_bind_int64(outbox, 1, seq)
            sqlite3_bind_text(outbox, 2, payload, -1, CSQLite_transient())
            sqlite3_step(outbox); sqlite3_reset(outbox)
        }
        exec("COMMIT")
    }

    /// Postings per second for raw bursts (no balances, no checks).
    func burstRate(burst: Int, linesPerPosting: Int) -> Double {
        // About the size of the engine's canonical payload and outbox JSON for five lines.
        let payload = String(repeating: "{\"item\":\"SKU-00001\",\"qty\":1,\"location\":\"S-001\"},", count: linesPerPosting * 2)
        return medianRate(runs: 7, work: burst) { insert(postings: burst, lines: linesPerPosting, payload: payload, updateBalances: false) }
    }

    /// Fills the ledger with about `entries` consistent entries (balances kept); returns the count.
    func fill(entries: Int) -> Int {
        let perPosting = 10
        let chunk = 20_000
        var written = 0
        while written < entries {
            let postings = min(chunk, (entries - written + perPosting - 1) / perPosting)
            insert(postings: postings, lines: perPosting / 2, payload: "{}", updateBalances: true)
            written += postings * perPosting
        }
        exec("PRAGMA wal_checkpoint(TRUNCATE)")
        return written
    }
}
