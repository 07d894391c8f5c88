import ScanModel

// The raw sums every KPI is a ratio of, read from postings, entries and the
// station journal only (docs/kpis.md), so central PostgreSQL views can sum
// the same. One query per source, each grouped by the `--by` key; reversed
// postings and reversals count as neither (a correction undoes, it is no work).

/// The period and grouping of a KPI request. Postings are in the window by
/// commit time, journal entries by their time; `since` inclusive, `until` exclusive.
public struct KPIRequest: Sendable, Equatable {
    public enum Grouping: String, Sendable, CaseIterable { case all, day, station, `operator` }
    public var since: Microseconds?
    public var until: Microseconds?
    public var by: Grouping
    public init(since: Microseconds? = nil, until: Microseconds? = nil, by: Grouping = .all) {
        self.since = since; self.until = until; self.by = by
    }
}

/// The sums for one group (the whole period when not grouped).
public struct KPICounts: Sendable, Equatable {
    public var postings: Int64 = 0
    public var units: Int64 = 0
    public var activeHours: Int64 = 0
    public var unitsReceived: Int64 = 0
    public var unitsPacked: Int64 = 0
    public var unitsShipped: Int64 = 0
    public var unitsReturned: Int64 = 0
    public var unitsScrapped: Int64 = 0
    public var countLossUnits: Int64 = 0
    public var countGainUnits: Int64 = 0
    /// Lines (positive entries) of move and pack postings: what was picked.
    public var pickedLines: Int64 = 0
    public var ordersPacked: Int64 = 0
    public var ordersCompleteFirstTime: Int64 = 0
    public var shortPacks: Int64 = 0
    public var unitsShortPacked: Int64 = 0
    public var ordersConsideredForBackorder: Int64 = 0
    public var ordersBackordered: Int64 = 0
    public var backorderedEntries: Int64 = 0
    public var packErrors: Int64 = 0
    public var pickErrors: Int64 = 0
    public var countsPosted: Int64 = 0
    public var countsExact: Int64 = 0
    public var serialsFound: Int64 = 0
    public var serialsMissing: Int64 = 0
    public var asnLines: Int64 = 0
    public var asnLinesDiscrepant: Int64 = 0
    public var asnUnitsExpected: Int64 = 0
    public var asnUnitsDiscrepant: Int64 = 0
    /// Seconds from each receipt line to its put-away move (sorted).
    public var dockToStockSeconds: [Double] = []
    /// Receipt lines with no put-away move yet.
    public var receiptLinesWaiting: Int64 = 0
    /// Seconds from each shipped order's first pack posting to its first ship posting (sorted).
    public var orderCycleSeconds: [Double] = []
    public var returnedByReason: [String: Int64] = [:]
    public init() {}

    /// The sums of several ledgers together (the central views' "all origins").
    /// Active hours are not additive (two boxes busy in the same hour): the
    /// caller sets them from the union of the hours.
    public mutating func add(_ o: KPICounts) {
        let paths: [WritableKeyPath<KPICounts, Int64>] = [
            \.postings, \.units, \.activeHours, \.unitsReceived, \.unitsPacked, \.unitsShipped, \.unitsReturned, \.unitsScrapped,
            \.countLossUnits, \.countGainUnits, \.pickedLines, \.ordersPacked, \.ordersCompleteFirstTime, \.shortPacks, \.unitsShortPacked,
            \.ordersConsideredForBackorder, \.ordersBackordered, \.backorderedEntries, \.packErrors, \.pickErrors, \.countsPosted,
            \.countsExact, \.serialsFound, \.serialsMissing, \.asnLines, \.asnLinesDiscrepant, \.asnUnitsExpected, \.asnUnitsDiscrepant,
            \.receiptLinesWaiting,
        ]
        for p in paths { self[keyPath: p] += o[keyPath: p] }
        dockToStockSeconds = (dockToStockSeconds + o.dockToStockSeconds).sorted()
        orderCycleSeconds = (orderCycleSeconds + o.orderCycleSeconds).sorted()
        returnedByReason.merge(o.returnedByReason, uniquingKeysWith: +)
    }
}

/// Journal codes the pack and pick error rates count (refusals, severity `error`).
public enum KPICodes {
    public static let packErrors = ["wrong-item-for-order", "over-pack", "wrong-serial"]
    /// Moves and packs taking what is not there or held, and the pick
    /// station's refusals (a FEFO warning is not counted; as an error it is).
    public static let pickErrors = ["not-in-source", "held-stock", "wrong-location", "wrong-item", "wrong-lot", "over-pick", "wrong-tote", "fefo"]
    public static let backordered = "backordered"
}

extension LedgerReader {
    /// The sums per group, keys sorted ("" is the whole period).
    public func kpiCounts(_ request: KPIRequest) throws -> [(key: String, counts: KPICounts)] {
        var groups: [String: KPICounts] = [:]
        let q = KPISQL(request)
        func each(_ sql: String, _ body: (Statement, inout KPICounts) -> Void) throws {
            let s = try db.prepare(sql)
            try s.bind(q.parameters(for: sql))
            defer { s.reset() }
            while try s.step() {
                // Ungrouped queries have no GROUP BY: one row, even over no rows (key NULL then).
                let key = request.by == .all ? "" : s.optionalText(0) ?? "-"
                body(s, &groups[key, default: KPICounts()])
            }
        }
        try each("SELECT \(q.postingKey), count(*), count(DISTINCT p.commit_time / 3600000000) FROM postings p WHERE \(q.live)\(q.groupBy)") { s, c in
            c.postings = s.int(1); c.activeHours = s.int(2)
        }
        // One pass over the period's entries; per kind by CASE rather than GROUP BY kind, and no
        // GROUP BY at all when ungrouped, so SQLite aggregates as it reads instead of sorting.
        // Only the positive side of each line is aggregated, but both sides of a count's adjustment:
        // a loss is the quantity into `@adjustment`, a gain the quantity out of it (a count may also
        // relocate between two physical locations, which is neither).
        func units(_ kinds: String) -> String { "sum(CASE WHEN p.kind IN (\(kinds)) THEN e.qty ELSE 0 END)" }
        try each("""
            SELECT \(q.postingKey), sum(max(e.qty, 0)), \(units("'receipt'")), \(units("'pack'")), \(units("'ship'")),
              \(units("'return'")), \(units("'scrap'")), sum(p.kind IN ('move', 'pack')),
              sum(CASE WHEN p.kind = 'adjustment' AND \(q.atAdjustment) THEN max(e.qty, 0) ELSE 0 END),
              sum(CASE WHEN p.kind = 'adjustment' AND \(q.atAdjustment) THEN max(-e.qty, 0) ELSE 0 END)
            FROM postings p JOIN entries e ON e.seq = p.seq WHERE \(q.live) AND (e.qty > 0 OR p.kind = 'adjustment')\(q.groupBy)
            """) { s, c in
            c.units = s.int(1); c.unitsReceived = s.int(2); c.unitsPacked = s.int(3); c.unitsShipped = s.int(4)
            c.unitsReturned = s.int(5); c.unitsScrapped = s.int(6); c.pickedLines = s.int(7)
            c.countLossUnits = s.int(8); c.countGainUnits = s.int(9)
        }
        // Orders at packing: the first unreversed pack posting of each order, and whether it was short.
        try each("""
            SELECT \(q.postingKey), count(*), sum(p.seq NOT IN (SELECT seq FROM station_journal WHERE code = 'short-pack' AND seq IS NOT NULL))
            FROM postings p WHERE p.kind = 'pack' AND p.ref IS NOT NULL AND \(q.live)
              AND NOT EXISTS (SELECT 1 FROM postings f WHERE f.ref = p.ref AND f.kind = 'pack' AND f.seq < p.seq
                              AND NOT EXISTS (SELECT 1 FROM postings r WHERE r.reverses = f.seq))
            \(q.groupBy)
            """) { s, c in c.ordersPacked = s.int(1); c.ordersCompleteFirstTime = s.int(2) }
        try each("""
            SELECT k, count(DISTINCT doc), count(DISTINCT CASE WHEN b = 1 THEN doc END), sum(b) FROM (
              SELECT \(q.postingKey) AS k, p.ref AS doc, 0 AS b FROM postings p WHERE p.kind = 'pack' AND p.ref IS NOT NULL AND \(q.live)
              UNION ALL
              SELECT \(q.journalKey), j.document, 1 FROM station_journal j WHERE j.code = '\(KPICodes.backordered)' AND j.document IS NOT NULL AND \(q.journalWindow))
            \(q.groupBy)
            """) { s, c in c.ordersConsideredForBackorder = s.int(1); c.ordersBackordered = s.int(2); c.backorderedEntries = s.int(3) }
        try each("""
            SELECT \(q.journalKey),
              sum(j.code IN (\(KPISQL.list(KPICodes.packErrors))) AND j.severity = 'error'),
              sum(j.code IN (\(KPISQL.list(KPICodes.pickErrors))) AND j.severity = 'error'),
              sum(j.code = 'short-pack'), sum(CASE WHEN j.code = 'short-pack' THEN json_extract(j.detail, '$.missing') ELSE 0 END)
            FROM station_journal j
            WHERE j.code IN (\(KPISQL.list(KPICodes.packErrors + KPICodes.pickErrors + ["short-pack"]))) AND \(q.journalWindow)\(q.groupBy)
            """) { s, c in c.packErrors = s.int(1); c.pickErrors = s.int(2); c.shortPacks = s.int(3); c.unitsShortPacked = s.int(4) }
        try each("""
            SELECT \(q.journalKey), count(*),
              sum(json_extract(j.detail, '$.missing') = 0 AND json_extract(j.detail, '$.misplaced') = 0
                  AND json_extract(j.detail, '$.unknown') = 0 AND json_extract(j.detail, '$.adjustment_lines') = 0),
              sum(json_extract(j.detail, '$.found')), sum(json_extract(j.detail, '$.missing'))
            FROM station_journal j WHERE j.code = 'count-posted' AND \(q.journalWindow)\(q.groupBy)
            """) { s, c in c.countsPosted = s.int(1); c.countsExact = s.int(2); c.serialsFound = s.int(3); c.serialsMissing = s.int(4) }
        try each("""
            SELECT \(q.journalKey), count(*), sum(json_extract(l.value, '$.over') > 0 OR json_extract(l.value, '$.short') > 0),
              sum(json_extract(l.value, '$.expected')), sum(json_extract(l.value, '$.over') + json_extract(l.value, '$.short'))
            FROM station_journal j, json_each(j.detail, '$.lines') l WHERE j.code = 'receipt-report' AND \(q.journalWindow)\(q.groupBy)
            """) { s, c in c.asnLines += s.int(1); c.asnLinesDiscrepant += s.int(2); c.asnUnitsExpected += s.int(3); c.asnUnitsDiscrepant += s.int(4) }
        // Unexpected items: a discrepant line each, all of it over.
        try each("""
            SELECT \(q.journalKey), count(*), sum(json_extract(l.value, '$.received'))
            FROM station_journal j, json_each(j.detail, '$.unexpected') l WHERE j.code = 'receipt-report' AND \(q.journalWindow)\(q.groupBy)
            """) { s, c in c.asnLines += s.int(1); c.asnLinesDiscrepant += s.int(1); c.asnUnitsDiscrepant += s.int(2) }
        try each("""
            SELECT \(q.journalKey), ifnull(j.reason, '-'), sum(ifnull(json_extract(j.detail, '$.qty'), 1))
            FROM station_journal j WHERE j.code = 'returned' AND \(q.journalWindow) GROUP BY 1, 2
            """) { s, c in c.returnedByReason[s.text(1), default: 0] += s.int(2) }
        // Dock to stock: each receipt line to the next move (by sequence) taking stock out of the same account.
        try each("""
            SELECT \(q.postingKey), (SELECT m.commit_time FROM entries x JOIN postings m ON m.seq = x.seq
                                       WHERE x.account_id = e.account_id AND x.qty < 0 AND x.seq > e.seq AND m.kind = 'move'
                                         AND NOT EXISTS (SELECT 1 FROM postings r WHERE r.reverses = m.seq)
                                       ORDER BY x.seq LIMIT 1) - p.commit_time
            FROM postings p JOIN entries e ON e.seq = p.seq WHERE p.kind = 'receipt' AND e.qty > 0 AND \(q.live)
            """) { s, c in
            if s.isNull(1) { c.receiptLinesWaiting += 1 } else { c.dockToStockSeconds.append(Double(s.int(1)) / 1e6) }
        }
        try each("""
            SELECT \(q.postingKey), p.commit_time - (SELECT min(f.commit_time) FROM postings f WHERE f.ref = p.ref AND f.kind = 'pack'
                                                      AND NOT EXISTS (SELECT 1 FROM postings r WHERE r.reverses = f.seq))
            FROM postings p WHERE p.kind = 'ship' AND p.ref IS NOT NULL AND \(q.live)
              AND NOT EXISTS (SELECT 1 FROM postings f WHERE f.ref = p.ref AND f.kind = 'ship' AND f.seq < p.seq
                              AND NOT EXISTS (SELECT 1 FROM postings r WHERE r.reverses = f.seq))
            """) { s, c in if !s.isNull(1) { c.orderCycleSeconds.append(Double(s.int(1)) / 1e6) } }
        return groups.keys.sorted().map { key in
            var c = groups[key]!
            c.dockToStockSeconds.sort(); c.orderCycleSeconds.sort()
            return (key, c)
        }
    }

    /// Postings and units per station and UTC hour (hour = µs / 3.6e9), for the report's chart.
    public func kpiHourly(_ request: KPIRequest) throws -> [(station: String, hour: Int64, postings: Int64, units: Int64)] {
        let q = KPISQL(request)
        let s = try db.prepare("""
            SELECT ifnull(p.station, '-'), p.commit_time / 3600000000, count(DISTINCT p.seq), sum(CASE WHEN e.qty > 0 THEN e.qty ELSE 0 END)
            FROM postings p JOIN entries e ON e.seq = p.seq WHERE \(q.live) GROUP BY 1, 2 ORDER BY 2, 1
            """)
        try s.bind(q.parameters(for: "?2"))
        defer { s.reset() }
        var out: [(String, Int64, Int64, Int64)] = []
        while try s.step() { out.append((s.text(0), s.int(1), s.int(2), s.int(3))) }
        return out
    }
}

/// The request's SQL pieces: window filters, group keys and parameters
/// (?1 since µs, ?2 until µs, ?3 since text, ?4 until text).
struct KPISQL {
    let postingKey: String
    let journalKey: String
    let parameters: [SQLValue]
    /// Ungrouped, no GROUP BY: the aggregate is computed while reading, without a sort.
    var groupBy: String { postingKey == "''" ? "" : " GROUP BY 1" }
    let live = "p.commit_time >= ?1 AND p.commit_time < ?2 AND p.kind <> 'reversal' AND NOT EXISTS (SELECT 1 FROM postings r WHERE r.reverses = p.seq)"
    let journalWindow = "j.time >= ?3 AND j.time < ?4"
    /// Whether entry `e` is at `@adjustment`: looked up for adjustment postings only,
    /// not joined for every entry of the period (a third of the KPI time on 10 M entries).
    let atAdjustment = "(SELECT location_id FROM accounts WHERE id = e.account_id) = (SELECT id FROM locations WHERE code = '\(VirtualLocation.adjustment.code)')"

    init(_ r: KPIRequest) {
        switch r.by {
        case .all: postingKey = "''"; journalKey = "''"
        case .day: postingKey = "date(p.commit_time / 1000000, 'unixepoch')"; journalKey = "substr(j.time, 1, 10)"
        case .station: postingKey = "p.station"; journalKey = "j.station"
        case .operator: postingKey = "p.operator"; journalKey = "j.operator"
        }
        let since = r.since?.value ?? 0, until = r.until?.value ?? Int64.max
        parameters = [.int(since), .int(until), .text(StationJournalStore.timeText(Microseconds(since))),
                      .text(StationJournalStore.timeText(Microseconds(until)))]
    }

    /// SQLite numbers parameters up to the highest one a statement names: bind that many.
    func parameters(for sql: String) -> [SQLValue] {
        let highest = (1...parameters.count).last { sql.contains("?\($0)") } ?? 0
        return Array(parameters.prefix(highest))
    }

    static func list(_ codes: [String]) -> String { codes.map { "'\($0)'" }.joined(separator: ",") }
}
