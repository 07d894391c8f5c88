import CSQLite
import Foundation
import Ledger
import ScanModel

/// `kpi`: `Ledger.kpis` for one month of a ledger of KPI_BENCH_ENTRIES
/// entries (default 10,000,000) spread evenly over ten months, with every
/// posting kind and the journal entries the KPIs read; against a same-run
/// baseline, a raw SQLite `count(*)` and `sum(qty)` over the same month's
/// entries (the least any KPI over the month must read). Built with SQL in
/// the database itself (no engine checks, no balances, no outbox: the KPIs
/// read none of them).
let kpiBenchmark = Benchmark(name: "kpi") {
    let env = ProcessInfo.processInfo.environment
    let entries = Int(env["KPI_BENCH_ENTRIES"] ?? "") ?? 10_000_000
    let runs = Int(env["KPI_BENCH_RUNS"] ?? "") ?? 7
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kpi-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    // KPI_BENCH_KEEP=1 leaves the ledger in the temporary directory to look at its queries.
    defer { if env["KPI_BENCH_KEEP"] != "1" { try? FileManager.default.removeItem(at: directory) } }
    let path = directory.appendingPathComponent("kpi.db").path
    let items = 100, physical = 50
    do {
        let schema = try Ledger(path: path)
        try schema.importItems((0..<items).map { Item(sku: String(format: "SKU-%03d", $0)) })
        try schema.importLocations((0..<physical).map { Location(code: String(format: "L-%02d", $0)) })
        schema.close()
    } catch { return ["error": "cannot create \(path): \(error)"] }
    var db: OpaquePointer?
    guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else { return ["error": "cannot open \(path)"] }
    defer { sqlite3_close_v2(db) }
    func exec(_ sql: String) -> String? {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &message) != SQLITE_OK else { return nil }
        defer { sqlite3_free(message) }
        return message.map { String(cString: $0) } ?? "sqlite error"
    }
    let postings = entries / 10, month: Int64 = 30 * 86_400_000_000
    let start: Int64 = 1_767_225_600_000_000 // 2026-01-01T00:00:00Z
    let step = 10 * month / Int64(max(postings, 1))
    // Kinds by seq % 20: receipts, moves (put-away and picks), packs of orders (every 4th short), ships, returns, counts, scraps.
    let kind = """
        CASE seq % 20 WHEN 0 THEN 'receipt' WHEN 1 THEN 'receipt' WHEN 2 THEN 'receipt' WHEN 3 THEN 'receipt'
          WHEN 4 THEN 'move' WHEN 5 THEN 'move' WHEN 6 THEN 'move' WHEN 7 THEN 'move' WHEN 8 THEN 'move' WHEN 19 THEN 'move'
          WHEN 9 THEN 'pack' WHEN 10 THEN 'pack' WHEN 11 THEN 'pack' WHEN 12 THEN 'pack'
          WHEN 13 THEN 'ship' WHEN 14 THEN 'ship' WHEN 15 THEN 'ship' WHEN 16 THEN 'return' WHEN 17 THEN 'adjustment' ELSE 'scrap' END
        """
    let build = timed {
        let failed = [
            "PRAGMA synchronous = OFF", "BEGIN",
            "CREATE TEMP TABLE phys(k INTEGER PRIMARY KEY, id INTEGER)", "CREATE TEMP TABLE virt(k INTEGER PRIMARY KEY, id INTEGER)",
            // Account ids: physical item × location, then each virtual location × item.
            """
            INSERT INTO accounts(location_id, item_id) SELECT l.id, i.id FROM items i, locations l WHERE l.type <> 'virtual' ORDER BY i.id, l.id;
            INSERT INTO phys SELECT row_number() OVER (ORDER BY id) - 1, id FROM accounts;
            INSERT INTO accounts(location_id, item_id) SELECT l.id, i.id FROM locations l, items i WHERE l.type = 'virtual' ORDER BY l.code, i.id;
            INSERT INTO virt SELECT row_number() OVER (ORDER BY a.id) - 1, a.id FROM accounts a JOIN locations l ON l.id = a.location_id WHERE l.type = 'virtual';
            """,
            """
            WITH RECURSIVE n(seq) AS (SELECT 1 UNION ALL SELECT seq + 1 FROM n WHERE seq < \(postings))
            INSERT INTO postings(seq, key, kind, station, ref, commit_time, operator, reason)
            SELECT seq, 'k' || seq, \(kind), 'st-' || (seq % 8),
                   CASE WHEN \(kind) IN ('pack', 'ship', 'return') THEN 'SO-' || (seq / 20) WHEN \(kind) = 'receipt' THEN 'ASN-' || (seq / 20) END,
                   \(start) + seq * \(step), 'op-' || (seq % 20), CASE WHEN \(kind) = 'scrap' THEN 'DAMAGED' END FROM n
            """,
            // Five lines of two entries each, item and locations hashed from the posting (a move from
            // the posting four before it: seq % 20 = 4 puts away the receipt at 0); virtual ordinals:
            // @adjustment 0, @customer 1, @scrap 2, @supplier 3, @transit 4.
            """
            WITH RECURSIVE l(line) AS (SELECT 0 UNION ALL SELECT line + 1 FROM l WHERE line < 4)
            INSERT INTO entries(seq, line, account_id, qty)
            SELECT seq, line * 2 + side, CASE
                WHEN side = 0 AND kind IN ('receipt') THEN (SELECT id FROM virt WHERE k = 3 * \(items) + item)
                WHEN side = 0 AND kind = 'return' THEN (SELECT id FROM virt WHERE k = 1 * \(items) + item)
                WHEN side = 1 AND kind = 'ship' THEN (SELECT id FROM virt WHERE k = 1 * \(items) + item)
                WHEN side = 1 AND kind = 'adjustment' THEN (SELECT id FROM virt WHERE k = 0 * \(items) + item)
                WHEN side = 1 AND kind = 'scrap' THEN (SELECT id FROM virt WHERE k = 2 * \(items) + item)
                ELSE (SELECT id FROM phys WHERE k = item * \(physical) + CASE side WHEN 0 THEN src ELSE dst END) END,
              CASE side WHEN 0 THEN -(line + 1) ELSE line + 1 END
            FROM (SELECT seq, kind, line, h % \(items) AS item,
                         CASE WHEN kind = 'move' THEN (h / 100) % \(physical) ELSE (h / 5000) % \(physical) END AS src,
                         CASE WHEN kind = 'move' THEN (h / 5000) % \(physical) ELSE (h / 100) % \(physical) END AS dst
                  FROM (SELECT p.seq, p.kind, l.line,
                               ((CASE WHEN p.kind = 'move' THEN p.seq - 4 ELSE p.seq END) * 2654435761 + l.line * 40503) % 1000003 AS h
                        FROM postings p, l)), (SELECT 0 AS side UNION ALL SELECT 1)
            ORDER BY seq, line * 2 + side
            """,
            // The journal the KPIs read: reports, shortages, counts, returns, refusals.
            """
            INSERT INTO station_journal(seq, time, station, operator, code, severity, document, reason, message, detail)
            SELECT seq, strftime('%Y-%m-%dT%H:%M:%S.000000Z', commit_time / 1000000, 'unixepoch'), station, operator,
                   CASE kind WHEN 'receipt' THEN 'receipt-report' WHEN 'pack' THEN 'short-pack' WHEN 'adjustment' THEN 'count-posted'
                             WHEN 'return' THEN 'returned' ELSE 'not-in-source' END,
                   CASE kind WHEN 'move' THEN 'error' ELSE 'warning' END, ref, CASE kind WHEN 'return' THEN 'LATE' END, kind,
                   CASE kind WHEN 'receipt' THEN '{"lines":[{"expected":15,"received":14,"over":0,"short":1}],"unexpected":[],"partial":false}'
                             WHEN 'pack' THEN '{"missing":1}' WHEN 'return' THEN '{"qty":15}'
                             WHEN 'adjustment' THEN '{"found":14,"missing":1,"misplaced":0,"unknown":0,"adjustment_lines":5}' ELSE '{}' END
            FROM postings WHERE kind IN ('receipt', 'adjustment', 'return') OR (kind = 'pack' AND seq % 80 = 9) OR (kind = 'move' AND seq % 100 = 4)
            """,
            "COMMIT", "PRAGMA wal_checkpoint(TRUNCATE)", "ANALYZE",
        ].compactMap(exec)
        if let first = failed.first { print("kpi bench: build failed: \(first)") }
    }
    var count: OpaquePointer?
    sqlite3_prepare_v2(db, "SELECT count(*) FROM entries", -1, &count, nil)
    let built = sqlite3_step(count) == SQLITE_ROW ? Int(sqlite3_column_int64(count, 0)) : -1
    sqlite3_finalize(count)
    // The month in the middle of the ten.
    let since = Microseconds(start + 4 * month), until = Microseconds(start + 5 * month)
    guard let ledger = try? Ledger(path: path) else { return ["error": "cannot open the built ledger"] }
    defer { ledger.close() }
    var kpiSeconds: [Double] = [], baselineSeconds: [Double] = [], cpuSeconds: [Double] = []
    var sample: KPITable?
    let baselineSQL = """
        SELECT count(*), sum(e.qty > 0) FROM postings p JOIN entries e ON e.seq = p.seq
        WHERE p.commit_time >= \(since.value) AND p.commit_time < \(until.value)
        """
    for _ in 0...runs {  // the first is a warm-up
        let k = timed { sample = try? ledger.kpis(KPIRequest(since: since, until: until)) }
        let b = timed { _ = exec(baselineSQL) }
        kpiSeconds.append(k.wall); cpuSeconds.append(k.cpu); baselineSeconds.append(b.wall)
    }
    func median(_ v: [Double]) -> Double { let s = v.dropFirst().sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
    let values = sample?.groups.first?.values ?? []
    func figure(_ name: String) -> String { values.first { $0.name == name }?.text ?? "missing" }
    return [
        "ledger_entries": built,
        "month_postings": Int(figure("postings")) ?? -1,
        "build_seconds": (build.wall * 10).rounded() / 10,
        "kpi_month_p50_s": (median(kpiSeconds) * 1000).rounded() / 1000,
        "kpi_month_max_s": ((kpiSeconds.dropFirst().max() ?? 0) * 1000).rounded() / 1000,
        "kpi_month_cpu_p50_s": (median(cpuSeconds) * 1000).rounded() / 1000,
        "baseline_raw_count_p50_s": (median(baselineSeconds) * 1000).rounded() / 1000,
        "ratio_to_baseline": (median(kpiSeconds) / max(median(baselineSeconds), 1e-9) * 100).rounded() / 100,
        "fill_rate": figure("fill_rate"), "dock_to_stock_p50_min": figure("dock_to_stock_p50"),
        "targets": "kpi_month_p50_s<2 on 10M entries",
    ]
}
