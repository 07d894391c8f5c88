import Foundation
import Testing
@testable import Ledger
import ScanModel

/// Customer returns in the ledger: the `return` kind (schema 5), what an
/// order shipped and what came back (`PostingHistory`), the journal and the
/// session that commit with a return, and its EPCIS mapping.
@Suite struct ReturnPostingTests {
    let t: TestLedger

    init() throws {
        t = try TestLedger()
        try t.ledger.importLocations([Location(code: "QA", type: .quarantine), Location(code: "DMG", type: .damaged)])
        #expect(try t.receive("r1", qty: 10, to: "PACK1").status == .posted)
        // Order SO-9: packed and shipped 4 widgets; a second pack was reversed.
        for (key, qty) in [("p1", Int64(4)), ("p2", Int64(5))] {
            #expect(try t.post(PostingRequest(key: key, kind: .pack, ref: "SO-9", lines: [
                PostingLine(item: TestLedger.widget, qty: qty, from: "PACK1", to: "SHIP1")])).status == .posted)
        }
        #expect(try t.ledger.reverse(LedgerSequence(3), key: "undo-p2").status == .posted)
        #expect(try t.post(PostingRequest(key: "s1", kind: .ship, ref: "SO-9", lines: [
            PostingLine(item: TestLedger.widget, qty: 4, from: "SHIP1", to: VirtualLocation.customer)])).status == .posted)
    }

    func returnRequest(_ key: String, _ lines: [(Int64, LocationCode)]) -> PostingRequest {
        var r = PostingRequest(key: key, kind: .return, ref: "SO-9", station: "ret-1", eventTime: "2024-05-03T09:00:00Z",
                               lines: lines.map { PostingLine(item: TestLedger.widget, qty: $0.0, from: VirtualLocation.customer, to: $0.1) })
        r.reason = "WRONG-SIZE,BROKEN"
        r.journal = lines.map { JournalEntry(time: .seconds(1), station: "ret-1", code: "returned", severity: .info, document: "SO-9",
                                             message: "returned \($0.0)", detail: "{\"disposition\":\"\($0.1)\"}") }
        r.closesSession = "ret-1"
        return r
    }

    @Test func shippedUnitsCountPackPostingsOfTheOrderButNotReversedOnes() throws {
        #expect(try t.ledger.postedUnits(kind: .pack, ref: "SO-9").map(\.qty) == [4])
        #expect(try t.ledger.postedUnits(kind: .return, ref: "SO-9").isEmpty)
        #expect(try t.ledger.postedUnits(kind: .pack, ref: "SO-1").isEmpty)
    }

    /// A serial names the order that shipped it, newest first; a reversed
    /// pack shipped nothing.
    @Test func aSerialsPackPostingsNameItsOrdersNewestFirst() throws {
        #expect(try t.receive("r-d", item: TestLedger.drill, qty: 1, to: "PACK1", serial: "D1").status == .posted)
        func pack(_ key: String, _ order: String, from: LocationCode, to: LocationCode) throws -> LedgerSequence? {
            try t.post(PostingRequest(key: key, kind: .pack, ref: order, lines: [
                PostingLine(item: TestLedger.drill, qty: 1, from: from, to: to, serial: "D1")])).seq
        }
        _ = try #require(try pack("pd1", "SO-1", from: "PACK1", to: "SHIP1"))
        #expect(try t.ledger.refs(kind: .pack, item: TestLedger.drill, serial: "D1") == ["SO-1"])
        let second = try #require(try pack("pd2", "SO-2", from: "SHIP1", to: "PACK1"))  // back and packed again for SO-2
        #expect(try t.ledger.refs(kind: .pack, item: TestLedger.drill, serial: "D1") == ["SO-2", "SO-1"])
        #expect(try t.ledger.refs(kind: .pack, item: TestLedger.drill, serial: "D2").isEmpty)
        #expect(try t.ledger.refs(kind: .receipt, item: TestLedger.drill, serial: "D1").isEmpty)  // no ref on that receipt
        #expect(try t.ledger.reverse(second, key: "undo-pd2").status == .posted)
        #expect(try t.ledger.refs(kind: .pack, item: TestLedger.drill, serial: "D1") == ["SO-1"])
    }

    @Test func aReturnCommitsWithItsJournalAndClosesTheSession() throws {
        try t.ledger.putDocument(StoredDocument(kind: SessionDocuments.kind, key: "ret-1", body: "{}"), clearingJournal: nil)
        let result = try t.post(returnRequest("ret-1/return/1", [(2, "A-01"), (1, "DMG")]))
        let seq = try #require(result.seq, "\(result)")
        #expect(try t.onHand(TestLedger.widget, "A-01") == 2)
        #expect(try t.onHand(TestLedger.widget, "DMG") == 1)
        #expect(try t.ledger.document(kind: SessionDocuments.kind, key: "ret-1") == nil)
        let journal = try t.ledger.stationJournal(JournalQuery(code: "returned"))
        #expect(journal.map(\.seq) == [seq, seq])
        #expect(try t.ledger.read { try $0.db.scalarText("SELECT kind || ':' || ifnull(reason, '-') FROM postings WHERE seq = ?", .int(seq.value)) }
                == "return:WRONG-SIZE,BROKEN")
        #expect(try t.ledger.postedUnits(kind: .return, ref: "SO-9").map(\.qty) == [3])  // summed over where they went
        #expect(try t.ledger.verify().ok)
    }

    /// CBV 2.0: a return is `receiving`; restocked is `returned`, quarantine
    /// `non_sellable_other`, damaged `damaged`; the document stays schema-valid.
    @Test func epcisMapsAReturnByDisposition() throws {
        #expect(try t.post(returnRequest("ret-1/return/1", [(2, "A-01"), (1, "QA"), (1, "DMG")])).status == .posted)
        let document = try t.ledger.read { try $0.exportEPCIS(since: LedgerSequence(5)) }
        #expect(try EPCISExportTests.validate(document, in: t.directory) == [])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        let events = try #require((root["epcisBody"] as? [String: Any])?["eventList"] as? [[String: Any]])
        #expect(events.map { "\($0["bizStep"] ?? "-")/\($0["disposition"] ?? "-")" } ==
                ["receiving/returned", "receiving/non_sellable_other", "receiving/damaged"])
    }
}
