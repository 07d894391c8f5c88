import Foundation
import Ledger

/// Sends one batch of outbox records to the central database in ONE
/// transaction. Idempotent: rows already there (a re-send after a crash
/// between the central commit and the local mark) are skipped, then
/// compared: a central row whose content differs from the local posting is
/// a conflict, reported and never overwritten (the whole batch rolls back).
///
/// Two paths. The usual one COPYs the batch (columns extracted on the box,
/// binary format, entries as array columns) straight into `postings`: no
/// JSON parsing and no conflict handling on the server. It can only succeed
/// if none of the batch's rows is central yet; if one is, the (origin, seq)
/// key refuses the COPY (SQLSTATE 23505), the transaction rolls back with
/// nothing written, and the batch is sent again by the statement path below,
/// which skips existing rows (`ON CONFLICT DO NOTHING`) and compares them.
/// Re-sends are rare (a crash between central commit and local mark), so
/// the slow path's cost does not matter.
enum CentralIngest {
    /// Statement path: the whole batch travels as array parameters ($2 seq,
    /// $3 key, $4 commit time, $5 payload) and PostgreSQL parses each payload
    /// into the same columns the box extracts for COPY. One row per record.
    static let extracted = """
        SELECT seq, key, commit_us, p->>'kind' AS kind, p->>'ref' AS ref, p->>'station' AS station, p->>'device' AS device,
               p->>'sscc' AS sscc, p->>'time' AS event_time, (p->>'reverses')::bigint AS reverses,
               coalesce(e.location, '{}') AS entry_location, coalesce(e.item, '{}') AS entry_item, coalesce(e.lot, '{}') AS entry_lot,
               coalesce(e.serial, '{}') AS entry_serial, coalesce(e.epc, '{}') AS entry_epc,
               coalesce(e.expiry, '{}') AS entry_expiry, coalesce(e.qty, '{}') AS entry_qty,
               p->>'operator' AS operator, p->>'reason' AS reason
        -- OFFSET 0 keeps the subquery apart: each payload is parsed once, not once per p->>'…'.
        FROM (SELECT t.seq, t.key, t.commit_us, t.payload::jsonb AS p
              FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[]) AS t(seq, key, commit_us, payload) OFFSET 0) input,
        LATERAL (SELECT array_agg(v->>'location' ORDER BY i) AS location, array_agg(v->>'item' ORDER BY i) AS item,
                        array_agg(v->>'lot' ORDER BY i) AS lot, array_agg(v->>'serial' ORDER BY i) AS serial,
                        array_agg(v->>'epc' ORDER BY i) AS epc, array_agg(v->>'expiry' ORDER BY i) AS expiry,
                        array_agg((v->>'qty')::bigint ORDER BY i) AS qty
                 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p->'entries') = 'array' THEN p->'entries' ELSE '[]' END)
                   WITH ORDINALITY AS x(v, i)) e
        """

    static let insertPostings = """
        INSERT INTO postings(seq, key, commit_us, kind, ref, station, device, sscc, event_time, reverses,
                             entry_location, entry_item, entry_lot, entry_serial, entry_epc, entry_expiry, entry_qty,
                             operator, reason, origin)
        SELECT x.*, $1 FROM (\(extracted)) x
        ORDER BY seq
        ON CONFLICT DO NOTHING
        """

    /// The first record that is not in the central database exactly as sent:
    /// every content column compared (the commit time is the box's, not content).
    static let findConflict = """
        SELECT t.seq, p.seq IS NULL
        FROM (\(extracted)) t
        LEFT JOIN postings p ON p.origin = $1 AND p.seq = t.seq
        WHERE p.seq IS NULL
           OR (p.key, p.kind, p.ref, p.station, p.device, p.sscc, p.event_time, p.reverses, p.entry_location, p.entry_item,
               p.entry_lot, p.entry_serial, p.entry_epc, p.entry_expiry, p.entry_qty, p.operator, p.reason)
              IS DISTINCT FROM
              (t.key, t.kind, t.ref, t.station, t.device, t.sscc, t.event_time, t.reverses, t.entry_location, t.entry_item,
               t.entry_lot, t.entry_serial, t.entry_epc, t.entry_expiry, t.entry_qty, t.operator, t.reason)
        ORDER BY t.seq LIMIT 1
        """

    static let reportOrigin = """
        INSERT INTO origins(origin, site, local_head_seq, local_head_commit_us, reported_at)
        VALUES ($1, $2, $3, $4, now())
        ON CONFLICT (origin) DO UPDATE SET site = EXCLUDED.site,
          local_head_seq = greatest(origins.local_head_seq, EXCLUDED.local_head_seq),
          local_head_commit_us = greatest(origins.local_head_commit_us, EXCLUDED.local_head_commit_us),
          reported_at = now()
        """

    /// What one batch did at the central database.
    struct Outcome {
        /// Rows new to the central database (the rest were there already).
        var inserted: Int
        /// Whether it went by COPY (else by statements).
        var byCopy = false
    }

    static let uniqueViolation = "23505"

    /// Prepares and sends `records` (tests; the forwarder prepares ahead).
    static func send(_ records: [OutboxRecord], origin: String, site: String, localHead: OutboxBacklog?,
                     over db: PGConnection) throws(CentralError) -> Outcome {
        try send(CentralBatch(records, origin: origin), origin: origin, site: site, localHead: localHead, over: db)
    }

    /// Sends `batch` (ascending, non-empty) and commits. Throws without
    /// committing anything on any failure, including a conflict.
    static func send(_ batch: CentralBatch, origin: String, site: String, localHead: OutboxBacklog?,
                     over db: PGConnection) throws(CentralError) -> Outcome {
        if let copy = batch.copy {
            do throws(CentralError) {
                return try sendByCopy(batch, copy, origin: origin, site: site, localHead: localHead, over: db)
            } catch where error.sqlState == uniqueViolation {
                // Some row is central already: a re-send or a conflict; the statement path tells which.
            }
        }
        return try sendByStatements(batch.records, origin: origin, site: site, localHead: localHead, over: db)
    }

    private static func sendByCopy(_ batch: CentralBatch, _ copy: CentralBatch.Copy, origin: String, site: String,
                                   localHead: OutboxBacklog?, over db: PGConnection) throws(CentralError) -> Outcome {
        guard let last = batch.records.last else { return Outcome(inserted: 0, byCopy: true) }
        return try db.transaction { () throws(CentralError) -> Outcome in
            try reportHead(of: last, localHead: localHead, origin: origin, site: site, over: db)
            let inserted = try db.copyIn("COPY postings(\(CentralBatch.postingsColumns)) FROM STDIN (FORMAT binary)", copy.postings)
            return Outcome(inserted: inserted, byCopy: true)
        }
    }

    private static func sendByStatements(_ records: [OutboxRecord], origin: String, site: String, localHead: OutboxBacklog?,
                                         over db: PGConnection) throws(CentralError) -> Outcome {
        guard let last = records.last else { return Outcome(inserted: 0) }
        let seqs = PGArray.integers(records.map(\.seq.value))
        let keys = PGArray.texts(records.map(\.key))
        let payloads = PGArray.texts(records.map(\.payload))
        let commitTimes = PGArray.integers(records.map(\.commitTimeMicros))
        return try db.transaction { () throws(CentralError) -> Outcome in
            try reportHead(of: last, localHead: localHead, origin: origin, site: site, over: db)
            let inserted = try db.query(insertPostings, [origin, seqs, keys, commitTimes, payloads]).affected
            if inserted < records.count {
                // Some were there already: fine if identical (a re-send), a conflict otherwise.
                let check = try db.query(findConflict, [origin, seqs, keys, commitTimes, payloads])
                if check.rowCount > 0, let seq = check.int(0, 0) {
                    let missing = check.text(0, 1) == "t"
                    let key = records.first(where: { $0.seq.value == seq })?.key ?? "?"
                    throw CentralError(.conflict, missing
                        ? "central database already holds key '\(key)' of origin '\(origin)' under a different sequence than local posting \(seq); not overwritten (is another box using origin '\(origin)'?)"
                        : "central posting (\(origin), \(seq)) differs from the local posting \(seq) (key '\(key)'); not overwritten (is another box using origin '\(origin)'?)")
                }
            }
            return Outcome(inserted: inserted)
        }
    }

    /// The origin row, with the box's head no older than the batch's last posting.
    private static func reportHead(of last: OutboxRecord, localHead: OutboxBacklog?, origin: String, site: String,
                                   over db: PGConnection) throws(CentralError) {
        let headSeq = max(localHead?.headSeq.value ?? 0, last.seq.value)
        let headTime = max(localHead?.headCommitTimeMicros ?? 0, last.commitTimeMicros)
        try db.run(reportOrigin, [origin, site, String(headSeq), String(headTime)])
    }

    /// Tells the central database how far this box's own ledger is (lag), without postings.
    static func report(origin: String, site: String, head: OutboxBacklog, over db: PGConnection) throws(CentralError) {
        try db.run(reportOrigin, [origin, site, String(head.headSeq.value), String(head.headCommitTimeMicros)])
    }
}

/// PostgreSQL array literals in text form (`{1,2}`, `{"a","b\"c"}`).
public enum PGArray {
    public static func integers(_ values: [Int64]) -> String {
        var out = "{"
        out.reserveCapacity(values.count * 8 + 2)
        for (i, v) in values.enumerated() {
            if i > 0 { out += "," }
            out += String(v)
        }
        return out + "}"
    }

    /// Every element quoted; backslash and double quote escaped. Works on
    /// bytes: payloads are long and this runs for every forwarded posting.
    public static func texts(_ values: [String]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(values.reduce(2) { $0 + $1.utf8.count + 8 })
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            for b in v.utf8 {
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                // A NUL cannot travel in a C string parameter; JSON never has a raw one.
                if b != 0 { bytes.append(b) }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}
