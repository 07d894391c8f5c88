import ScanModel

/// The statements every posting runs, prepared once.
final class EngineStatements {
    static let entriesPerInsert = 16
    private var entryInserts: [Statement?] = Array(repeating: nil, count: EngineStatements.entriesPerInsert + 1)

    /// `INSERT INTO entries … VALUES (…), (…)` for `rows` rows.
    func insertEntries(_ rows: Int, _ db: Connection) throws -> Statement {
        if let s = entryInserts[rows] { return s }
        let values = Array(repeating: "(?, ?, ?, ?)", count: rows).joined(separator: ", ")
        let s = try db.prepare("INSERT INTO entries(seq, line, account_id, qty) VALUES " + values)
        entryInserts[rows] = s
        return s
    }

    let dataVersion, lastSeq, lookupKey, savepoint, release, rollbackTo: Statement
    let insertPosting, setBalance, insertPostedKey, insertRejectedKey, insertOutbox, insertJournal, serialOnHand, lotHold: Statement

    init(_ db: Connection) throws {
        dataVersion = try db.prepare("PRAGMA data_version")
        lastSeq = try db.prepare("SELECT ifnull(max(seq), 0) FROM postings")
        lookupKey = try db.prepare("SELECT k.seq, k.error, ifnull(o.payload, k.payload) FROM idempotency k LEFT JOIN outbox o ON o.seq = k.seq WHERE k.key = ?")
        savepoint = try db.prepare("SAVEPOINT posting")
        release = try db.prepare("RELEASE posting")
        rollbackTo = try db.prepare("ROLLBACK TO posting")
        insertPosting = try db.prepare("""
            INSERT INTO postings(seq, key, kind, station, device, ref, sscc, event_time, commit_time, reverses, operator, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        setBalance = try db.prepare("UPDATE accounts SET balance = ? WHERE id = ?")
        insertPostedKey = try db.prepare("INSERT INTO idempotency(key, seq) VALUES (?, ?)")
        insertRejectedKey = try db.prepare("INSERT INTO idempotency(key, payload, error) VALUES (?, ?, ?)")
        insertOutbox = try db.prepare("INSERT INTO outbox(seq, payload) VALUES (?, ?)")
        insertJournal = try db.prepare(StationJournalStore.insertSQL)
        serialOnHand = try db.prepare("""
            SELECT ifnull(sum(a.balance), 0) FROM accounts a JOIN locations l ON l.id = a.location_id
            WHERE a.serial_id = ? AND l.type <> 'virtual'
            """)
        lotHold = try db.prepare("SELECT reason FROM lot_holds WHERE lot_id = ?")
    }
}

extension Statement {
    /// First column of the first row, for single-value statements.
    func firstInt() throws -> Int64? {
        defer { reset() }
        guard try step() else { return nil }
        return isNull(0) ? nil : int(0)
    }
}
