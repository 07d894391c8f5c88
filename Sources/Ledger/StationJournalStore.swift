import ScanModel

/// What `scanledger journal` and the control socket ask for. Every filter is
/// optional; entries come in journal order (oldest first), at most `limit`.
public struct JournalQuery: Sendable, Equatable {
    public var station: String?
    public var code: String?
    public var operatorID: String?
    public var document: String?
    /// Entries at or after this time.
    public var since: Microseconds?
    public var afterID: Int64 = 0
    public var limit: Int = 10_000
    public init(station: String? = nil, code: String? = nil, operatorID: String? = nil, document: String? = nil,
                since: Microseconds? = nil, afterID: Int64 = 0, limit: Int = 10_000) {
        self.station = station; self.code = code; self.operatorID = operatorID; self.document = document
        self.since = since; self.afterID = afterID; self.limit = limit
    }
}

/// The station journal's SQL, shared by the engine (entries that commit with
/// a posting) and the ledger's own writes (entries on their own).
enum StationJournalStore {
    static let insertSQL = """
        INSERT INTO station_journal(seq, time, station, device, operator, code, severity, document, reason, message, detail)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    static let columns = "id, seq, time, station, device, operator, code, severity, document, reason, message, detail"

    static func insert(_ e: JournalEntry, seq: Int64?, with statement: Statement) throws {
        try statement.run(.optionalInt(seq), .text(timeText(e.time)), .text(e.station), .optionalText(e.device),
                          .optionalText(e.operatorID), .text(e.code), .text(e.severity.rawValue), .optionalText(e.document),
                          .optionalText(e.reason), .text(e.message), .text(e.detail))
    }

    /// Microsecond UTC text: fixed width, so text order is time order.
    static func timeText(_ time: Microseconds) -> String {
        EventTime.utcMicrosecondText(micros: EventTime.clamped(micros: time.value))
    }

    static func record(_ s: Statement) throws -> JournalRecord {
        let entry = JournalEntry(time: Microseconds(EventTime(s.text(2))?.micros ?? 0), station: s.text(3), device: s.optionalText(4),
                                 operatorID: s.optionalText(5), code: s.text(6), severity: try s.checked(7, as: JournalSeverity.self),
                                 document: s.optionalText(8), reason: s.optionalText(9), message: s.text(10), detail: s.text(11))
        return JournalRecord(id: s.int(0), seq: s.optionalInt(1).map { LedgerSequence($0) }, timeText: s.text(2), entry: entry)
    }
}

extension LedgerReader {
    public func stationJournal(_ q: JournalQuery) throws -> [JournalRecord] {
        var sql = "SELECT \(StationJournalStore.columns) FROM station_journal WHERE id > ?"
        var values: [SQLValue] = [.int(q.afterID)]
        func filter(_ column: String, _ op: String, _ value: String?) {
            guard let value else { return }
            sql += " AND \(column) \(op) ?"; values.append(.text(value))
        }
        filter("station", "=", q.station); filter("code", "=", q.code); filter("operator", "=", q.operatorID)
        filter("document", "=", q.document); filter("time", ">=", q.since.map(StationJournalStore.timeText))
        sql += " ORDER BY id LIMIT ?"
        values.append(.int(Int64(max(0, q.limit))))
        let s = try db.prepare(sql)
        try s.bind(values)
        defer { s.reset() }
        var out: [JournalRecord] = []
        while try s.step() { out.append(try StationJournalStore.record(s)) }
        return out
    }

    /// The last journal id the central forwarder has.
    public func journalForwardedUpTo() throws -> Int64 {
        try db.scalarInt("SELECT journal_forwarded_upto FROM outbox_cursor WHERE id = 1") ?? 0
    }
}

extension Ledger {
    /// Appends entries that belong to no posting (refusals, overrides,
    /// sign-ins), durably, in one transaction; returns after commit.
    public func recordJournal(_ entries: [JournalEntry]) throws(LedgerError) {
        guard !entries.isEmpty else { return }
        try writeAndWait { db in
            let s = try db.prepare(StationJournalStore.insertSQL)
            for e in entries { try StationJournalStore.insert(e, seq: nil, with: s) }
        }
    }

    public func stationJournal(_ query: JournalQuery) throws -> [JournalRecord] { try read { try $0.stationJournal(query) } }
    public func journalForwardedUpTo() throws -> Int64 { try read { try $0.journalForwardedUpTo() } }

    /// Records that the central forwarder has every journal entry up to `id`.
    public func markJournalForwarded(upTo id: Int64) throws(LedgerError) {
        try writeAndWait { db in
            try db.prepare("UPDATE outbox_cursor SET journal_forwarded_upto = max(journal_forwarded_upto, ?) WHERE id = 1").run(.int(id))
        }
    }

    /// Retention: deletes entries older than `cutoff` (UTC text). With
    /// `keepUnforwarded`, entries the central store has not yet got stay,
    /// whatever their age: retention never loses what was not forwarded.
    @discardableResult
    public func pruneJournal(before cutoff: Microseconds, keepUnforwarded: Bool) throws(LedgerError) -> Int {
        let counter = Locked(0)
        try writeAndWait { db in
            var sql = "DELETE FROM station_journal WHERE time < ?"
            if keepUnforwarded { sql += " AND id <= (SELECT journal_forwarded_upto FROM outbox_cursor WHERE id = 1)" }
            try db.prepare(sql).run(.text(StationJournalStore.timeText(cutoff)))
            counter.withLock { $0 = db.changes }
        }
        return counter.withLock { $0 }
    }
}
