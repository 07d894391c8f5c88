import Foundation
import Testing
@testable import Ledger
import ScanModel

/// Migration 4 rebuilds `locations` and `postings` (SQLite cannot alter a
/// CHECK): a version-3 database with data keeps its ids, balances, links and
/// foreign keys, and is refused whole if the rebuild would leave a dangling one.
@Suite struct SchemaMigrationTests {
    let directory: URL
    let path: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("migration-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("v3.db").path
    }

    /// A version-3 database as scanledger 3 left it: a receipt, a move and its
    /// reversal, their keys, outbox rows and a journal entry.
    func makeVersion3(extra: String = "") throws {
        let db = try Connection(path: path)
        for migration in Schema.migrations.prefix(3) { try db.exec(migration) }
        try db.exec("""
            PRAGMA user_version = 3;
            INSERT INTO items(id, gtin, description, tracking) VALUES (7, '04006381333931', 'Widget', 'none');
            INSERT INTO locations(id, code, type) VALUES (20, 'A-01', 'storage'), (21, 'B-01', 'dock');
            INSERT INTO accounts(id, location_id, item_id, balance) VALUES (100, 1, 7, -5), (101, 20, 7, 5), (102, 21, 7, 0);
            INSERT INTO postings(seq, key, kind, station, commit_time, operator, reason) VALUES (1, 'r1', 'receipt', 'dock-1', 1000, 'op-1', 'WHY');
            INSERT INTO entries VALUES (1, 0, 100, -5), (1, 1, 101, 5);
            INSERT INTO postings(seq, key, kind, commit_time) VALUES (2, 'm1', 'move', 2000);
            INSERT INTO entries VALUES (2, 0, 101, -2), (2, 1, 102, 2);
            INSERT INTO postings(seq, key, kind, commit_time, reverses) VALUES (3, 'u1', 'reversal', 3000, 2);
            INSERT INTO entries VALUES (3, 0, 101, 2), (3, 1, 102, -2);
            INSERT INTO idempotency(key, seq) VALUES ('r1', 1), ('m1', 2), ('u1', 3);
            INSERT INTO outbox VALUES (1, '{}'), (2, '{}'), (3, '{"reverses":2}');
            INSERT INTO station_journal(seq, time, station, code, severity, message, detail)
              VALUES (1, '2024-05-01T10:00:00.000000Z', 'dock-1', 'short', 'warning', 'short 1', '{}');
            \(extra)
            """)
    }

    @Test func aVersion3DatabaseKeepsItsDataIdsAndForeignKeys() throws {
        try makeVersion3()
        let db = try Connection(path: path)
        try db.exec("PRAGMA foreign_keys = ON")
        try Schema.migrate(db, path: path)
        #expect(try db.scalarInt("PRAGMA user_version") == Schema.currentVersion)
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1, "migrate must turn foreign keys back on")
        #expect(try db.scalarInt("SELECT count(*) FROM pragma_foreign_key_check") == 0)
        #expect(try db.scalarInt("SELECT id FROM locations WHERE code = 'A-01'") == 20)
        #expect(try db.scalarText("SELECT group_concat(seq || ':' || kind || ':' || ifnull(reverses, '-') || ':' || ifnull(operator, '-'), ' ') FROM postings")
                == "1:receipt:-:op-1 2:move:-:- 3:reversal:2:-")
        let objects = try db.scalarText("SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE tbl_name IN ('postings', 'locations') ORDER BY name)")
        #expect(objects == "locations postings postings_commit_time postings_no_delete postings_no_update postings_ref sqlite_autoindex_locations_1 sqlite_autoindex_postings_1")
        // The rebuilt tables still enforce what they did, and the new CHECKs.
        #expect(throws: (any Error).self) { try db.exec("UPDATE postings SET key = 'x' WHERE seq = 1") }
        #expect(throws: (any Error).self) { try db.exec("INSERT INTO postings(seq, key, kind, commit_time, reverses) VALUES (4, 'k', 'reversal', 1, 99)") }
        #expect(throws: (any Error).self) { try db.exec("INSERT INTO accounts(location_id, item_id) VALUES (999, 7)") }
        #expect(throws: (any Error).self) { try db.exec("INSERT INTO postings(seq, key, kind, commit_time) VALUES (4, 'k', 'scrap', 1)") }
        try db.exec("INSERT INTO locations(code, type) VALUES ('QA', 'quarantine')")
        #expect(try db.scalarText("SELECT type FROM locations WHERE code = '@scrap'") == "virtual")

        let ledger = try Ledger(path: path)
        defer { ledger.close() }
        #expect(try ledger.verify().problems == [])
        #expect(try ledger.stock().map { "\($0.location)=\($0.qty)" } == ["A-01=5"])
        #expect(try ledger.stationJournal(JournalQuery()).map(\.seq) == [LedgerSequence(1)])
        var release = PostingRequest(key: "rel", kind: .move, lines: [PostingLine(item: "04006381333931", qty: 5, from: "A-01", to: "QA")])
        #expect(try ledger.postAndWait([release])[0].seq == LedgerSequence(4))
        release = PostingRequest(key: "rel2", kind: .release, lines: [PostingLine(item: "04006381333931", qty: 5, from: "QA", to: "B-01")])
        release.reason = "OK"; release.operatorID = "op-2"
        #expect(try ledger.postAndWait([release])[0].seq == LedgerSequence(5))
        #expect(try ledger.verify().ok)
    }

    @Test func aDanglingForeignKeyRefusesTheMigrationWhole() throws {
        // Written with foreign keys off, the way a careless tool could have.
        try makeVersion3(extra: "INSERT INTO accounts(id, location_id, item_id) VALUES (103, 999, 7);")
        let db = try Connection(path: path)
        do {
            try Schema.migrate(db, path: path)
            Issue.record("migrated over a dangling foreign key")
        } catch {
            #expect("\(error)".contains("migration left a dangling foreign key (accounts row 103 -> locations)"), "\(error)")
        }
        #expect(try db.scalarInt("PRAGMA user_version") == 3)
        #expect(try db.scalarText("SELECT sql FROM sqlite_master WHERE name = 'locations'")?.contains("quarantine") == false)
    }
}

/// Migration 5 rebuilds `postings` once more for the `return` kind: a
/// version-4 database keeps its postings (with who and why), links and
/// triggers, and takes returns afterwards.
@Suite struct SchemaMigration5Tests {
    @Test func aVersion4DatabaseKeepsItsDataAndTakesReturns() throws {
        let t = try TestLedger(seed: false)
        t.ledger.close()
        let path = t.directory.appendingPathComponent("v4.db").path
        let db = try Connection(path: path)
        for migration in Schema.migrations.prefix(4) { try db.exec(migration) }
        try db.exec("""
            PRAGMA user_version = 4;
            INSERT INTO items(id, gtin, description, tracking) VALUES (7, '04006381333931', 'Widget', 'none');
            INSERT INTO locations(id, code, type) VALUES (20, 'A-01', 'storage'), (21, 'QA', 'quarantine');
            INSERT INTO accounts(id, location_id, item_id, balance) VALUES (100, 1, 7, -5), (101, 20, 7, 5), (102, 21, 7, 0);
            INSERT INTO postings(seq, key, kind, ref, commit_time) VALUES (1, 'r1', 'receipt', 'PO-1', 1000);
            INSERT INTO entries VALUES (1, 0, 100, -5), (1, 1, 101, 5);
            INSERT INTO postings(seq, key, kind, commit_time) VALUES (2, 'm1', 'move', 2000);
            INSERT INTO entries VALUES (2, 0, 101, -2), (2, 1, 102, 2);
            INSERT INTO postings(seq, key, kind, commit_time, operator, reason) VALUES (3, 'x1', 'release', 3000, 'op-1', 'QC-OK');
            INSERT INTO entries VALUES (3, 0, 102, -2), (3, 1, 101, 2);
            INSERT INTO idempotency(key, seq) VALUES ('r1', 1), ('m1', 2), ('x1', 3);
            INSERT INTO outbox VALUES (1, '{}'), (2, '{}'), (3, '{}');
            """)
        // Version 4 refuses the kind: that is why the migration exists.
        #expect(throws: (any Error).self) { try db.exec("INSERT INTO postings(seq, key, kind, commit_time) VALUES (9, 'k', 'return', 1)") }
        try db.exec("PRAGMA foreign_keys = ON")
        try Schema.migrate(db, path: path)
        #expect(try db.scalarInt("PRAGMA user_version") == Schema.currentVersion)
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try db.scalarText("SELECT group_concat(seq || ':' || kind || ':' || ifnull(ref, '-') || ':' || ifnull(operator, '-') || ':' || ifnull(reason, '-'), ' ') FROM postings")
                == "1:receipt:PO-1:-:- 2:move:-:-:- 3:release:-:op-1:QC-OK")
        let objects = try db.scalarText("SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE tbl_name = 'postings' ORDER BY name)")
        #expect(objects == "postings postings_commit_time postings_no_delete postings_no_update postings_ref sqlite_autoindex_postings_1")
        #expect(throws: (any Error).self) { try db.exec("UPDATE postings SET key = 'x' WHERE seq = 1") }
        #expect(throws: (any Error).self) { try db.exec("INSERT INTO postings(seq, key, kind, commit_time) VALUES (4, 'k', 'scrap', 1)") }

        let ledger = try Ledger(path: path)
        defer { ledger.close() }
        #expect(try ledger.verify().problems == [])
        #expect(try ledger.stock().map { "\($0.location)=\($0.qty)" } == ["A-01=5"])
        let back = PostingRequest(key: "ret", kind: .return, ref: "SO-1", lines: [
            PostingLine(item: "04006381333931", qty: 1, from: VirtualLocation.customer, to: "QA")])
        #expect(try ledger.postAndWait([back])[0].seq == LedgerSequence(4))
        #expect(try ledger.verify().ok)
    }
}
