import Foundation
import Testing
@testable import Forwarding
import ScanModel
@testable import Ledger // OutboxRecord(seq:key:commitTimeMicros:payload:) for hand-made payloads

/// The COPY path: columns extracted on the box must be exactly what the
/// server's own JSON extraction gives, whatever the characters; a batch
/// that meets existing rows falls back to the statement path, which still
/// detects conflicts; schema 1 databases migrate. Part of the serialized
/// ForwardingTests suite: other tests there stop and restart the server.
extension ForwardingTests {
    /// Values that break naive COPY text escaping or JSON handling.
    static let oddValues = [
        "tab\there", "new\nline", "carriage\rreturn", "back\\slash", "\\N", "quote\"d", "{curly,\"array\"}",
        "unicode é ü 倉庫 😀", "\u{1F}unit separator", "trailing backslash\\", "  spaced  ", "",
    ]

    /// A canonical payload (as the ledger writes it) with odd characters in every text field.
    static func record(seq: Int64, value: String, key: String? = nil) -> OutboxRecord {
        let q = JSONText.quote
        let payload = "{\"device\":\(q(value)),\"entries\":[{\"epc\":null,\"expiry\":null,\"item\":\(q("item " + value)),\"location\":\"@supplier\",\"lot\":\(q(value)),\"qty\":-3,\"serial\":null},"
            + "{\"epc\":\(q("epc" + value)),\"expiry\":\"2025-01-31\",\"item\":\(q("item " + value)),\"location\":\(q("loc " + value)),\"lot\":\(q(value)),\"qty\":3,\"serial\":\(q(value))}],"
            + "\"kind\":\"receipt\",\"ref\":\(q(value)),\"reverses\":null,\"sscc\":\(q(value)),\"station\":\(q(value)),\"time\":\(q(value))}"
        return OutboxRecord(seq: LedgerSequence(seq), key: key ?? "key \(value) \(seq)", commitTimeMicros: 1_700_000_000_000_000 + seq, payload: payload)
    }

    @Test func oddCharactersRoundTripExactlyThroughCopy() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let db = try server.connect(name)
        let records = Self.oddValues.enumerated().map { Self.record(seq: Int64($0.offset + 1), value: $0.element) }
        let batch = CentralBatch(records, origin: "odd\tbox")
        #expect(batch.copy != nil, "\(batch.unreadable ?? "")")
        let outcome = try CentralIngest.send(batch, origin: "odd\tbox", site: "s", localHead: nil, over: db)
        #expect(outcome.byCopy && outcome.inserted == records.count)

        for (i, value) in Self.oddValues.enumerated() {
            let row = try db.query("SELECT key, ref, station, device, sscc, event_time FROM postings WHERE origin = $1 AND seq = $2",
                                   ["odd\tbox", String(i + 1)])
            #expect(row.rowCount == 1)
            #expect(row.text(0, 0) == records[i].key)
            for column in 1...5 { #expect(row.text(0, column) == value, "column \(column) of \(value.debugDescription)") }
            let entries = try db.query("SELECT line, location, item, lot, serial, epc, qty, expiry FROM entries WHERE origin = $1 AND seq = $2 ORDER BY line",
                                       ["odd\tbox", String(i + 1)])
            #expect(entries.rowCount == 2)
            #expect(entries.text(1, 1) == "loc " + value && entries.text(1, 2) == "item " + value)
            #expect(entries.text(1, 3) == value && entries.text(1, 4) == value && entries.text(1, 5) == "epc" + value)
            #expect(entries.isNull(0, 4) && entries.int(0, 6) == -3 && entries.int(1, 6) == 3)
            #expect(entries.isNull(0, 7) && entries.text(1, 7) == "2025-01-31")
        }
        // The box's extraction equals the server's own: the conflict check
        // (which parses the sent payloads on the server) finds no difference.
        let check = try db.query(CentralIngest.findConflict, ["odd\tbox", PGArray.integers(records.map(\.seq.value)), PGArray.texts(records.map(\.key)),
                                                             PGArray.integers(records.map(\.commitTimeMicros)), PGArray.texts(records.map(\.payload))])
        #expect(check.rowCount == 0)
        #expect(try count(db, "SELECT count(*) FROM entries") == Int64(2 * records.count))
    }

    @Test func copyAndStatementPathsStoreTheSameRows() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let db = try server.connect(name)
        let records = Self.oddValues.enumerated().map { Self.record(seq: Int64($0.offset + 1), value: $0.element) }
        #expect(try CentralIngest.send(CentralBatch(records, origin: "a"), origin: "a", site: "s", localHead: nil, over: db).byCopy)
        let slow = try CentralIngest.send(CentralBatch(statementsOnly: records), origin: "b", site: "s", localHead: nil, over: db)
        #expect(!slow.byCopy && slow.inserted == records.count)
        let columns = "seq, key, kind, ref, station, device, sscc, event_time, reverses, commit_us, entry_location, entry_item, entry_lot, entry_serial, entry_epc, entry_expiry, entry_qty"
        #expect(try count(db, "SELECT count(*) FROM ((SELECT \(columns) FROM postings WHERE origin = 'a' EXCEPT SELECT \(columns) FROM postings WHERE origin = 'b') UNION ALL (SELECT \(columns) FROM postings WHERE origin = 'b' EXCEPT SELECT \(columns) FROM postings WHERE origin = 'a')) d") == 0)
        let entryColumns = "seq, line, location, item, lot, serial, epc, qty, expiry"
        #expect(try count(db, "SELECT count(*) FROM ((SELECT \(entryColumns) FROM entries WHERE origin = 'a' EXCEPT SELECT \(entryColumns) FROM entries WHERE origin = 'b') UNION ALL (SELECT \(entryColumns) FROM entries WHERE origin = 'b' EXCEPT SELECT \(entryColumns) FROM entries WHERE origin = 'a')) d") == 0)
        #expect(try count(db, "SELECT count(*) FROM entries WHERE origin = 'b'") == Int64(2 * records.count))
    }

    /// A COPY-ready batch whose first row is central with other content:
    /// the COPY is refused, the statement path reports the conflict, nothing is written.
    @Test func conflictingCentralRowIsDetectedWhenTheBatchGoesByCopy() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let db = try server.connect(name)
        let original = (1...3).map { Self.record(seq: $0, value: "first") }
        _ = try CentralIngest.send(original, origin: "dock1", site: "s", localHead: nil, over: db)
        // Same keys and sequences, one payload differing only in a tab inside the ref.
        var changed = (1...6).map { Self.record(seq: $0, value: "first", key: "key first \($0)") }
        changed[1] = Self.record(seq: 2, value: "fir\tst", key: "key first 2")
        let batch = CentralBatch(changed, origin: "dock1")
        #expect(batch.copy != nil)
        #expect {
            try CentralIngest.send(batch, origin: "dock1", site: "s", localHead: nil, over: db)
        } throws: { isConflict($0, naming: "(dock1, 2)") }
        #expect(try count(db, "SELECT count(*) FROM postings") == 3)
        #expect(try count(db, "SELECT count(*) FROM entries") == 6)
        #expect(try db.query("SELECT ref FROM postings WHERE seq = 2").text(0, 0) == "first")

        // The identical re-send of 1…3 with 4…6 new: statement path, only the new ones inserted.
        let resend = try CentralIngest.send((1...6).map { Self.record(seq: $0, value: "first") }, origin: "dock1", site: "s", localHead: nil, over: db)
        #expect(!resend.byCopy && resend.inserted == 3)
        #expect(try count(db, "SELECT count(*) FROM postings") == 6)
        #expect(try count(db, "SELECT count(*) FROM entries") == 12)
    }

    /// A database at schema 1 (payload jsonb, entries table) with rows a box
    /// had sent: `central init` migrates it, and re-sending those rows is a
    /// harmless re-send (same content), not a conflict.
    @Test func schemaOneMigratesAndItsRowsStillCompareEqual() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase(initialize: false)
        let db = try server.connect(name)
        #expect(try CentralSchema.migrate(db, to: 1) == (0, 1))
        let box = try Box(origin: "old1")
        try box.postMix(9, tag: "v1")
        // What a schema-1 forwarder wrote (its statements): postings with jsonb payloads, entries as rows.
        let old = try box.ledger.pendingOutbox(limit: 4)
        try db.run("""
            INSERT INTO postings(origin, seq, key, kind, ref, station, device, sscc, event_time, reverses, commit_us, payload)
            SELECT $1, seq, key, p->>'kind', p->>'ref', p->>'station', p->>'device', p->>'sscc', p->>'time',
                   (p->>'reverses')::bigint, commit_us, p
            FROM (SELECT t.seq, t.key, t.commit_us, t.payload::jsonb AS p
                  FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[]) AS t(seq, key, commit_us, payload)) input
            """, ["old1", PGArray.integers(old.map(\.seq.value)), PGArray.texts(old.map(\.key)),
                  PGArray.integers(old.map(\.commitTimeMicros)), PGArray.texts(old.map(\.payload))])
        try db.run("""
            INSERT INTO entries(origin, seq, line, location, item, lot, serial, epc, qty)
            SELECT origin, seq, (ord - 1)::int, v->>'location', v->>'item', v->>'lot', v->>'serial', v->>'epc', (v->>'qty')::bigint
            FROM postings, jsonb_array_elements(payload->'entries') WITH ORDINALITY AS x(v, ord)
            """)
        let entriesBefore = try count(db, "SELECT count(*) FROM entries")
        #expect(entriesBefore >= 4)
        #expect(throws: CentralError.self) { try box.forwarder(try server.settings(database: name)).forwardPending() }
        #expect(try CentralDatabase(try server.settings(database: name)).initialize() == (1, CentralDatabase.supportedSchemaVersion))
        #expect(try count(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'postings' AND column_name = 'payload'") == 0)
        // The entries moved into the postings' arrays; the entries view shows them as before.
        #expect(try count(db, "SELECT count(*) FROM entries") == entriesBefore)
        #expect(try count(db, "SELECT count(*) FROM information_schema.views WHERE table_name = 'entries'") == 1)
        let forwarder = try box.forwarder(try server.settings(database: name))
        #expect(try forwarder.forwardPending() == 5)
        #expect(forwarder.status.alreadyCentralPostings == 4)
        #expect(forwarder.status.errorsByKind["conflict"] == nil)
        #expect(try count(db, "SELECT count(*) FROM postings") == 9)
        #expect(try centralBalances(db) == box.balances())
    }

    @Test func forwarderWithPrefetchSendsEveryPostingOnceInOrder() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let box = try Box(origin: "fast1")
        try box.postMix(230, tag: "p")
        _ = try box.ledger.reverse(LedgerSequence(7), key: "undo-7")
        let forwarder = try box.forwarder(try server.settings(database: name), batchSize: 20)
        #expect(try forwarder.forwardPending() == 231)
        let db = try server.connect(name)
        #expect(try count(db, "SELECT count(DISTINCT seq) FROM postings WHERE seq BETWEEN 1 AND 231") == 231)
        #expect(try count(db, "SELECT count(*) FROM (SELECT seq, lag(seq) OVER (ORDER BY ingest_id) AS prev FROM postings) t WHERE prev IS NOT NULL AND seq <> prev + 1") == 0)
        #expect(try count(db, "SELECT count(*) FROM entries WHERE seq = 231") == (try count(db, "SELECT count(*) FROM entries WHERE seq = 7")))
        #expect(try centralBalances(db) == box.balances())
        #expect(forwarder.status.batches == 12)
    }
}

/// The payload reader on its own: escapes, key order, and refusals with a byte offset.
struct OutboxPayloadReaderTests {
    func read(_ json: String) throws -> OutboxPayloadReader.Fields {
        var s = json
        return try s.withUTF8 { try OutboxPayloadReader.read($0) }
    }

    func text(_ json: String, _ field: (OutboxPayloadReader.Fields) -> OutboxPayloadReader.Value) throws -> String? {
        var s = json
        return try s.withUTF8 { bytes in
            let value = field(try OutboxPayloadReader.read(bytes))
            if value == .null { return nil }
            var out: [UInt8] = []
            try OutboxPayloadReader.decode(value, in: bytes, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    @Test(arguments: [
        (#"{"ref":"a\tb\nc\rd\\e\"f\/g\bh\fi"}"#, "a\tb\nc\rd\\e\"f/g\u{8}h\u{C}i"),
        (#"{"ref":"\u00e9\u5009\ud83d\ude00"}"#, "é倉😀"),
        (#"{"ref":"raw é 😀"}"#, "raw é 😀"),
        (#"{ "x" : [1, {"y": [true, false, null, 1.5e3]}], "ref" : "late" }"#, "late"),
        (#"{"ref":""}"#, ""),
    ])
    func decodesStringsLikeThePostgresArrowOperator(json: String, expected: String) throws {
        #expect(try text(json) { $0.ref } == expected)
    }

    @Test func readsEntriesAndIntegers() throws {
        let fields = try read(#"{"entries":[{"qty":-9223372036854775808,"item":"A"},{"location":"L","qty":42}],"reverses":17,"kind":"reversal"}"#)
        #expect(fields.entries.count == 2)
        #expect(fields.entries[0].qty == .integer(Int64.min) && fields.entries[1].qty == .integer(42))
        #expect(fields.reverses == .integer(17))
        #expect(fields.ref == .null)
    }

    @Test(arguments: [
        (#"{"ref":"a\u0000b"}"#, "\\u0000"),
        (#"{"ref":"\ud83d"}"#, "high surrogate"),
        (#"{"ref":"\ude00"}"#, "low surrogate"),
        ("{\"ref\":\"raw\ttab\"}", "raw control character"),
        (#"{"ref":"open"#, "unterminated string"),
        (#"{"ref":"a"} x"#, "text after"),
        (#"{"reverses":1.5}"#, "expected an integer"),
        (#"{"reverses":99999999999999999999}"#, "out of range"),
        (#"{"ref":"\x"}"#, "unknown escape"),
        (#"{"ref":"\u12g4"}"#, "bad hex digit"),
        (#"{"entries":[{"qty":1},]}"#, "expected '{'"),
        (#"["ref"]"#, "expected '{'"),
        ("", "expected '{'"),
    ])
    func refusesMalformedPayloadsWithAnOffset(json: String, reason: String) {
        do {
            _ = try read(json)
            Issue.record("accepted \(json.debugDescription)")
        } catch {
            #expect("\(error)".contains(reason), "\(error)")
            #expect("\(error)".hasPrefix("payload byte "))
        }
    }

    @Test func unreadablePayloadSendsTheBatchByStatements() {
        let good = ForwardingTests.record(seq: 1, value: "ok")
        let bad = OutboxRecord(seq: LedgerSequence(2), key: "k2", commitTimeMicros: 1, payload: #"{"kind":"receipt","ref":7,"entries":[]}"#)
        let batch = CentralBatch([good, bad], origin: "o")
        #expect(batch.copy == nil)
        #expect(batch.unreadable?.contains("posting 2") == true)
        #expect(CentralBatch([good], origin: "o").copy != nil)
    }
}
