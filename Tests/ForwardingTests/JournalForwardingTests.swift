import Foundation
import Testing
@testable import Forwarding
@testable import Ledger // OutboxRecord(seq:key:commitTimeMicros:payload:) for hand-made payloads
import ScanModel

/// The station journal and the operator/reason of postings at the central
/// database: each entry once, after its posting, re-sends skipped, a
/// differing central row a conflict; schema 2 databases migrate. Part of the
/// serialized ForwardingTests suite (others there restart the server).
extension ForwardingTests {
    static func journalEntry(_ code: String, station: String = "dock1", at seconds: Int64 = 1_700_000_000, message: String? = nil,
                             detail: String = #"{"line":1,"note":"tab\there é"}"#) -> JournalEntry {
        JournalEntry(time: Microseconds(seconds * 1_000_000 + 123_456), station: station, device: "scanner-1", operatorID: "op-7",
                     code: code, severity: .warning, document: "ASN-1", reason: "DAMAGED-BOX",
                     message: message ?? "\(code) at \(station)", detail: detail)
    }

    /// Postings (every other with operator, reason and journal entries) with
    /// standalone entries in between; returns the local journal.
    @discardableResult
    static func postWithJournal(_ box: Box, count: Int, tag: String) throws -> [JournalRecord] {
        for i in 0..<count {
            var request = PostingRequest(key: "\(box.origin)-\(tag)-j\(i)", kind: .receipt, ref: "ASN-1", station: box.origin,
                                         lines: [PostingLine(item: ItemCode(Box.bolt), qty: 1, from: VirtualLocation.supplier, to: "A-02")])
            if i % 2 == 0 {
                request.operatorID = "op-\(i)"
                request.reason = "REASON-\(i)"
                request.journal = [journalEntry("short", at: 1_700_000_000 + Int64(i)), journalEntry("over", at: 1_700_000_100 + Int64(i))]
            }
            let result = try box.ledger.postAndWait([request])
            try #require(result.first?.status == .posted)
            if i % 3 == 0 { try box.ledger.recordJournal([journalEntry("unknown-item", at: 1_700_000_200 + Int64(i))]) }
        }
        return try box.ledger.stationJournal(JournalQuery())
    }

    @Test func journalEntriesArriveExactlyOnceAfterTheirPostingsWithOperatorAndReason() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let box = try Box(origin: "dock1")
        try box.postMix(4, tag: "plain") // payloads without operator or reason
        let local = try Self.postWithJournal(box, count: 9, tag: "a")
        #expect(local.count == 13 && local.contains { $0.seq == nil } && local.contains { $0.seq != nil })
        let forwarder = try box.forwarder(try server.settings(database: name), batchSize: 3)
        #expect(try forwarder.forwardPending() == 13)
        let db = try server.connect(name)
        #expect(try count(db, "SELECT count(*) FROM station_journal WHERE origin = 'dock1'") == 13)
        #expect(try count(db, "SELECT count(DISTINCT id) FROM station_journal") == 13)
        // Every column as the box has it (time to the microsecond, detail as JSON).
        for r in local {
            let row = try db.query("""
                SELECT seq, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), station, device, operator, code, severity,
                       document, reason, message, detail = $3::jsonb FROM station_journal WHERE origin = $1 AND id = $2
                """, ["dock1", String(r.id), r.entry.detail])
            #expect(row.rowCount == 1)
            #expect(row.int(0, 0) == r.seq?.value && row.text(0, 1) == r.timeText, "\(r)")
            let e = r.entry
            #expect([row.text(0, 2), row.text(0, 3), row.text(0, 4), row.text(0, 5), row.text(0, 6), row.text(0, 7), row.text(0, 8), row.text(0, 9)]
                    == [e.station, e.device, e.operatorID, e.code, e.severity.rawValue, e.document, e.reason, e.message])
            #expect(row.text(0, 10) == "t")
        }
        // Operator and reason where set, NULL on the older payloads.
        #expect(try db.query("SELECT operator, reason FROM postings WHERE key = 'dock1-a-j4'").text(0, 1) == "REASON-4")
        #expect(try db.query("SELECT operator FROM postings WHERE key = 'dock1-a-j4'").text(0, 0) == "op-4")
        #expect(try count(db, "SELECT count(*) FROM postings WHERE operator IS NULL AND reason IS NULL") == 4 + 4)
        #expect(try box.ledger.journalForwardedUpTo() == local.last?.id)
        let status = forwarder.status
        #expect(status.forwardedJournalEntries == 13 && status.alreadyCentralJournalEntries == 0)
        #expect(status.journalForwardedUpTo == local.last?.id && status.backlogJournalEntries == 0)
        // Nothing pending: a second run sends nothing.
        #expect(try forwarder.forwardPending() == 0)
        #expect(forwarder.status.forwardedJournalEntries == 13)
        #expect(try count(db, "SELECT count(*) FROM station_journal") == 13)
        // More later, standalone only: forwarded by the running forwarder too.
        let running = try box.forwarder(try server.settings(database: name))
        running.start()
        defer { running.stop() }
        try box.ledger.recordJournal([Self.journalEntry("operator-signed-out")])
        running.wake()
        try waitUntil("the new entry is central") { running.status.journalForwardedUpTo == local.last!.id + 1 }
        #expect(try count(db, "SELECT count(*) FROM station_journal") == 14)
    }

    /// An entry whose posting is not central yet waits for it: the batch of
    /// entries stops before it, and the central foreign key is never needed.
    @Test func journalEntryWaitsForItsPostingAndTheBacklogCountsIt() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let box = try Box(origin: "pack1")
        // Postings without entries first: the first batches of entries are
        // ready long before the postings they name are.
        try box.postMix(5, tag: "pre")
        let local = try Self.postWithJournal(box, count: 6, tag: "w")
        let forwarder = try box.forwarder(try server.settings(database: name), batchSize: 2)
        try forwarder.forwardPending()
        #expect(try box.ledger.journalForwardedUpTo() == local.last?.id)
        let db = try server.connect(name)
        // Arrival order: no entry before its posting (ingested_at is the transaction's time).
        #expect(try count(db, "SELECT count(*) FROM station_journal j JOIN postings p ON p.origin = j.origin AND p.seq = j.seq WHERE j.ingested_at < p.ingested_at") == 0)
        #expect(try count(db, "SELECT count(*) FROM station_journal WHERE seq IS NOT NULL") == Int64(local.filter { $0.seq != nil }.count))
        // The central key refuses an entry without its posting: the order is enforced, not only kept.
        #expect(throws: CentralError.self) {
            try CentralJournal.send([JournalRecord(id: 999, seq: LedgerSequence(999), timeText: "2024-01-01T00:00:00.000000Z",
                                                    entry: Self.journalEntry("x"))], origin: "pack1", over: db)
        }
        try box.ledger.recordJournal([Self.journalEntry("a"), Self.journalEntry("b")])
        let backlog = try box.ledger.journalBacklog()
        #expect(backlog.pendingEntries == 2 && backlog.forwardedUpTo == local.last?.id)
    }

    /// The forwarder dies after the central commit of journal entries but
    /// before their local mark: they are re-sent, and not duplicated.
    @Test func journalResendAfterCrashBetweenCentralCommitAndMarkIsNotDuplicated() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let box = try Box(origin: "bench1")
        let local = try Self.postWithJournal(box, count: 8, tag: "c")
        let settings = try server.settings(database: name)
        let db = try server.connect(name)
        // What a crashed forwarder left behind: every posting and the first 5 entries central, journal mark still 0.
        _ = try CentralIngest.send(try box.ledger.pendingOutbox(limit: 100), origin: "bench1", site: "site-1", localHead: nil, over: db)
        try box.ledger.markForwarded(upTo: LedgerSequence(box.head))
        #expect(try CentralJournal.send(Array(local.prefix(5)), origin: "bench1", over: db) == 5)
        #expect(try box.ledger.journalForwardedUpTo() == 0)

        let forwarder = try box.forwarder(settings, batchSize: 4)
        try forwarder.forwardPending()
        #expect(forwarder.status.alreadyCentralJournalEntries == 5)
        #expect(forwarder.status.forwardedJournalEntries == Int64(local.count - 5))
        #expect(try count(db, "SELECT count(*) FROM station_journal") == Int64(local.count))
        #expect(try box.ledger.journalForwardedUpTo() == local.last?.id)
    }

    @Test func centralJournalRowThatDiffersIsAConflictNeverOverwritten() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let settings = try server.settings(database: name)
        let first = try Box(origin: "dock1")
        try first.postMix(3, tag: "one")
        try first.ledger.recordJournal([Self.journalEntry("short", message: "first box")])
        try first.forwarder(settings).forwardPending()
        // A second box with the same origin and the same postings (so those are
        // a harmless re-send), but a journal entry that differs in its detail only.
        let impostor = try Box(origin: "dock1")
        try impostor.postMix(3, tag: "one")
        try impostor.ledger.recordJournal([Self.journalEntry("short", message: "first box", detail: #"{"line":2}"#)])
        let forwarder = try impostor.forwarder(settings)
        #expect {
            try forwarder.forwardPending()
        } throws: { isConflict($0, naming: "journal entry (dock1, 1)") }
        #expect(forwarder.status.errorsByKind["conflict"] == 1)
        #expect(try impostor.ledger.journalForwardedUpTo() == 0)
        #expect(try impostor.ledger.forwardedUpTo() == LedgerSequence(3))
        let db = try server.connect(name)
        #expect(try db.query("SELECT detail->>'line' FROM station_journal WHERE origin = 'dock1' AND id = 1").text(0, 0) == "1")
        #expect(try count(db, "SELECT count(*) FROM station_journal") == 1)
    }

    /// Operator and reason: stored by COPY and by statements alike, and part
    /// of the content a re-send is compared with.
    @Test func operatorAndReasonTravelByBothPathsAndAreCompared() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let db = try server.connect(name)
        func record(_ seq: Int64, reason: String) -> OutboxRecord {
            let base = Self.record(seq: seq, value: "v")
            let payload = base.payload.replacingOccurrences(of: #""kind":"receipt","#,
                                                            with: #""kind":"receipt","operator":"op \"7\"","reason":\#(JSONText.quote(reason)),"#)
            return OutboxRecord(seq: base.seq, key: base.key, commitTimeMicros: base.commitTimeMicros, payload: payload)
        }
        let records = [record(1, reason: "DAMAGED\tBOX"), Self.record(seq: 2, value: "v")]
        let batch = CentralBatch(records, origin: "a")
        #expect(batch.copy != nil, "\(batch.unreadable ?? "")")
        #expect(try CentralIngest.send(batch, origin: "a", site: "s", localHead: nil, over: db).byCopy)
        #expect(try CentralIngest.send(CentralBatch(statementsOnly: records), origin: "b", site: "s", localHead: nil, over: db).inserted == 2)
        for origin in ["a", "b"] {
            let row = try db.query("SELECT operator, reason FROM postings WHERE origin = $1 ORDER BY seq", [origin])
            #expect(row.text(0, 0) == "op \"7\"" && row.text(0, 1) == "DAMAGED\tBOX", "\(origin)")
            #expect(row.isNull(1, 0) && row.isNull(1, 1), "\(origin)")
        }
        // The same posting with another reason is a conflict, whichever path it takes.
        #expect {
            try CentralIngest.send(CentralBatch([record(1, reason: "OTHER")], origin: "a"), origin: "a", site: "s", localHead: nil, over: db)
        } throws: { isConflict($0, naming: "(a, 1)") }
        #expect(try db.query("SELECT reason FROM postings WHERE origin = 'a' AND seq = 1").text(0, 0) == "DAMAGED\tBOX")
    }

    /// A database at schema 2 with postings a box had sent: `central init`
    /// adds operator and reason (NULL for those rows), and re-sending them is
    /// a harmless re-send, not a conflict.
    @Test func schemaTwoMigratesAndItsRowsStillCompareEqual() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase(initialize: false)
        let db = try server.connect(name)
        #expect(try CentralSchema.migrate(db, to: 2) == (0, 2))
        let box = try Box(origin: "old2")
        try box.postMix(6, tag: "v2")
        // What a schema-2 forwarder wrote (its statement path, without operator and reason).
        let old = try box.ledger.pendingOutbox(limit: 4)
        try db.run("""
            INSERT INTO postings(seq, key, commit_us, kind, ref, station, device, sscc, event_time, reverses, entry_location, entry_item,
                                 entry_lot, entry_serial, entry_epc, entry_expiry, entry_qty, origin)
            SELECT seq, key, commit_us, kind, ref, station, device, sscc, event_time, reverses, entry_location, entry_item,
                   entry_lot, entry_serial, entry_epc, entry_expiry, entry_qty, $1 FROM (\(CentralIngest.extracted)) x
            """, ["old2", PGArray.integers(old.map(\.seq.value)), PGArray.texts(old.map(\.key)),
                  PGArray.integers(old.map(\.commitTimeMicros)), PGArray.texts(old.map(\.payload))])
        #expect(throws: CentralError.self) { try box.forwarder(try server.settings(database: name)).forwardPending() }
        #expect(try CentralDatabase(try server.settings(database: name)).initialize() == (2, CentralDatabase.supportedSchemaVersion))
        #expect(try count(db, "SELECT count(*) FROM postings WHERE operator IS NULL AND reason IS NULL") == 4)
        let forwarder = try box.forwarder(try server.settings(database: name))
        #expect(try forwarder.forwardPending() == 2)
        #expect(forwarder.status.alreadyCentralPostings == 4)
        #expect(forwarder.status.errorsByKind["conflict"] == nil)
        #expect(try centralBalances(db) == box.balances())
    }
}

/// The payload reader's new fields: read where set, refused when mistyped.
extension OutboxPayloadReaderTests {
    @Test func readsOperatorAndReason() throws {
        #expect(try text(#"{"operator":"op \"7\"","reason":"DAMAGED-BOX","kind":"receipt"}"#) { $0.operatorID } == "op \"7\"")
        #expect(try text(#"{"reason":"DAMAGED-BOX"}"#) { $0.reason } == "DAMAGED-BOX")
        #expect(try read(#"{"kind":"receipt"}"#).operatorID == .null)
    }

    @Test(arguments: [#"{"operator":{"id":1}}"#, #"{"reason":["DAMAGED"]}"#, #"{"reason":true}"#])
    func refusesMistypedOperatorOrReason(json: String) {
        #expect(throws: OutboxPayloadReader.Failure.self) { _ = try read(json) }
    }
}
