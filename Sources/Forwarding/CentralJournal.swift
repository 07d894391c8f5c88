import Ledger
import ScanModel

/// The station journal's way into the central database: the same
/// exactly-once scheme as the postings (central commit first, then the
/// box's journal mark; a re-send is skipped by the (origin, id) key and
/// compared, a differing central row is a conflict and never overwritten).
///
/// Statements only, no COPY: a station writes a few entries per document,
/// not thousands of rows a second, so the server may parse them. The rows
/// travel as one JSON array parameter, which carries NULLs and any
/// character without an array-literal encoding of its own.
enum CentralJournal {
    /// The sent rows as the table's columns (`$2`: the JSON array). The
    /// journal's time is UTC text with a `Z`, so the cast does not depend on
    /// the session's time zone; the detail is sent as text and parsed here,
    /// so a detail PostgreSQL cannot hold fails this batch alone, by name.
    static let sent = """
        SELECT t.id, t.seq, t.time::timestamptz AS time, t.station, t.device, t.operator, t.code, t.severity, t.document,
               t.reason, t.message, t.detail::jsonb AS detail
        FROM jsonb_to_recordset($2::jsonb) AS t(id bigint, seq bigint, time text, station text, device text, operator text,
                                                 code text, severity text, document text, reason text, message text, detail text)
        """

    static let insert = """
        INSERT INTO station_journal(id, seq, time, station, device, operator, code, severity, document, reason, message, detail, origin)
        SELECT s.*, $1 FROM (\(sent)) s
        ORDER BY id
        ON CONFLICT DO NOTHING
        """

    /// The first sent entry that is not central exactly as sent (every column but the arrival time).
    static let findConflict = """
        SELECT t.id
        FROM (\(sent)) t
        LEFT JOIN station_journal j ON j.origin = $1 AND j.id = t.id
        WHERE j.id IS NULL
           OR (j.seq, j.time, j.station, j.device, j.operator, j.code, j.severity, j.document, j.reason, j.message, j.detail)
              IS DISTINCT FROM
              (t.seq, t.time, t.station, t.device, t.operator, t.code, t.severity, t.document, t.reason, t.message, t.detail)
        ORDER BY t.id LIMIT 1
        """

    /// The entries as the JSON array `sent` reads.
    static func rows(_ records: [JournalRecord]) -> String {
        var out = "["
        for (i, r) in records.enumerated() {
            let e = r.entry
            if i > 0 { out += "," }
            out += JSONText.object([
                ("id", String(r.id)), ("seq", JSONText.number(r.seq?.value)), ("time", JSONText.quote(r.timeText)),
                ("station", JSONText.quote(e.station)), ("device", JSONText.quote(e.device)), ("operator", JSONText.quote(e.operatorID)),
                ("code", JSONText.quote(e.code)), ("severity", JSONText.quote(e.severity.rawValue)), ("document", JSONText.quote(e.document)),
                ("reason", JSONText.quote(e.reason)), ("message", JSONText.quote(e.message)), ("detail", JSONText.quote(e.detail)),
            ])
        }
        return out + "]"
    }

    /// Sends `records` (ascending ids) in one transaction and commits;
    /// returns how many were new. Throws without committing anything on any
    /// failure, including a conflict.
    static func send(_ records: [JournalRecord], origin: String, over db: PGConnection) throws(CentralError) -> Int {
        guard !records.isEmpty else { return 0 }
        let rows = rows(records)
        return try db.transaction { () throws(CentralError) -> Int in
            let inserted = try db.query(insert, [origin, rows]).affected
            if inserted < records.count {
                // Some were there already: fine if identical (a re-send after a crash), a conflict otherwise.
                let check = try db.query(findConflict, [origin, rows])
                if check.rowCount > 0, let id = check.int(0, 0) {
                    throw CentralError(.conflict, "central journal entry (\(origin), \(id)) differs from the local journal entry \(id); not overwritten (is another box using origin '\(origin)'?)")
                }
            }
            return inserted
        }
    }
}

extension PGConnection {
    /// Runs `body` between BEGIN and COMMIT; on any failure rolls back and rethrows.
    func transaction<T>(_ body: () throws(CentralError) -> T) throws(CentralError) -> T {
        try run("BEGIN")
        do throws(CentralError) {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            _ = exec("ROLLBACK")
            throw error
        }
    }
}
