import Foundation
import Testing
@testable import Ledger
import ScanModel

/// Held stock: quarantine and damaged locations and lots on hold are on hand
/// and counted, but only a release or a scrap takes them; the ledger refuses
/// a move, pack or ship of them with `held-stock`, whoever posts it.
@Suite struct HeldStockTests {
    let t: TestLedger

    init() throws {
        t = try TestLedger()
        try t.ledger.importLocations([Location(code: "QA", type: .quarantine), Location(code: "DMG", type: .damaged)])
    }

    func line(_ qty: Int64, _ from: LocationCode, _ to: LocationCode, item: ItemCode = TestLedger.widget, lot: String? = nil) -> PostingLine {
        PostingLine(item: item, qty: qty, from: from, to: to, lot: lot)
    }

    func post(_ key: String, _ kind: PostingKind, _ lines: [PostingLine], reason: String? = "QC-PASSED", who: String? = "badge-7") throws -> PostingResult {
        var r = PostingRequest(key: key, kind: kind, station: "qc-1", eventTime: "2024-05-02T09:00:00Z", lines: lines)
        r.reason = reason; r.operatorID = who
        return try t.post(r)
    }

    @Test func stockInQuarantineIsOnHandButMovesPacksAndShipsAreRefused() throws {
        #expect(try t.receive("r1", qty: 10, to: "QA").status == .posted)   // a receipt may put stock on hold
        #expect(try t.onHand(TestLedger.widget, "QA") == 10)
        let move = try t.move("m1", qty: 2, from: "QA", to: "A-01")
        #expect(move.status == .rejected)
        #expect(move.error?.hasPrefix("held-stock: item 04006381333931 at QA is held") == true, "\(move.error ?? "")")
        #expect(try post("p1", .pack, [line(1, "QA", "SHIP1")], reason: nil, who: nil).error?.hasPrefix("held-stock: item 04006381333931 at QA") == true)
        #expect(try post("s1", .ship, [line(1, "QA", VirtualLocation.customer)], reason: nil, who: nil).error?.hasPrefix("held-stock") == true)
        #expect(try t.receive("r2", qty: 3, to: "DMG").status == .posted)
        #expect(try t.move("m2", qty: 1, from: "DMG", to: "A-01").error?.hasPrefix("held-stock: item 04006381333931 at DMG") == true)
        // A count adjustment may touch held stock, and stock may be moved onto hold.
        #expect(try post("adj", .adjustment, [line(1, "QA", VirtualLocation.adjustment)], reason: nil, who: nil).status == .posted)
        #expect(try t.receive("r3", qty: 4, to: "A-01").status == .posted)
        #expect(try t.move("m3", qty: 4, from: "A-01", to: "QA").status == .posted)
        #expect(try t.onHand(TestLedger.widget, "QA") == 13)
        #expect(try t.ledger.verify().ok)
    }

    @Test func releaseTakesHeldStockBackAndNeedsAReasonAndAnOperator() throws {
        _ = try t.receive("r1", qty: 5, to: "QA")
        let noReason = try post("rel-0", .release, [line(2, "QA", "A-01")], reason: nil)
        #expect(noReason.error == "a release needs a reason (it is what the shrinkage report shows)")
        #expect(try post("rel-00", .release, [line(2, "QA", "A-01")], who: nil).error == "a release needs an operator (who decided it)")
        // A release goes from held to available, nowhere else.
        #expect(try post("rel-1", .release, [line(2, "A-01", "A-02")]).error?.contains("A-01 is storage") == true)
        #expect(try post("rel-2", .release, [line(2, "QA", "DMG")]).error?.contains("DMG is damaged") == true)
        let ok = try post("rel-3", .release, [line(2, "QA", "A-01")])
        #expect(ok.status == .posted)
        #expect(try t.onHand(TestLedger.widget, "QA") == 3)
        #expect(try t.onHand(TestLedger.widget, "A-01") == 2)
        #expect(try t.move("m1", qty: 2, from: "A-01", to: "A-02").status == .posted)  // available again
        let journal = try t.ledger.stationJournal(JournalQuery(code: "release"))
        #expect(journal.count == 1)
        #expect(journal.first?.seq == ok.seq && journal.first?.entry.reason == "QC-PASSED" && journal.first?.entry.operatorID == "badge-7")
        #expect(journal.first?.entry.severity == .info && journal.first?.entry.station == "qc-1")
        #expect(journal.first?.entry.message == "released 2 × 04006381333931 from QA to A-01 (reason QC-PASSED)")
    }

    @Test func scrapWritesOffToScrapFromAnywhereWithAReason() throws {
        _ = try t.receive("r1", qty: 5, to: "DMG")
        _ = try t.receive("r2", qty: 5, to: "A-01")
        #expect(try post("x0", .scrap, [line(1, "DMG", VirtualLocation.scrap)], reason: "").error?.contains("needs a reason") == true)
        #expect(try post("x1", .scrap, [line(1, "DMG", VirtualLocation.adjustment)], reason: "CRUSHED").error?
            .contains("writes stock off to @scrap, not to @adjustment") == true)
        #expect(try post("x2", .scrap, [line(1, VirtualLocation.supplier, VirtualLocation.scrap)], reason: "CRUSHED").error?
            .contains("from a physical location") == true)
        #expect(try post("x3", .scrap, [line(3, "DMG", VirtualLocation.scrap), line(1, "A-01", VirtualLocation.scrap)], reason: "CRUSHED").status == .posted)
        #expect(try t.onHand(TestLedger.widget, "DMG") == 2)
        #expect(try t.onHand(TestLedger.widget, "A-01") == 4)
        let scrapped = try t.ledger.stock(StockQuery(location: VirtualLocation.scrap.code, includeVirtual: true))
        #expect(scrapped.map(\.qty) == [4])
        // Only scrap writes to @scrap: it is the shrinkage total.
        #expect(try t.move("m1", qty: 1, from: "A-01", to: VirtualLocation.scrap).error?.contains("only a scrap posting") == true)
        let journal = try t.ledger.stationJournal(JournalQuery(code: "scrap"))
        #expect(journal.map(\.entry.severity) == [.warning])
        #expect(journal.first?.entry.reason == "CRUSHED")
        #expect(journal.first?.entry.message == "scrapped 3 × 04006381333931 from DMG, 1 × 04006381333931 from A-01 to @scrap (reason CRUSHED)")
        // A scrap is corrected by its reversal, which takes stock back out of @scrap.
        let x3 = try #require(try t.ledger.stationJournal(JournalQuery(code: "scrap")).first?.seq)
        #expect(try t.ledger.reverse(x3, key: "undo-x3").status == .posted)
        #expect(try t.onHand(TestLedger.widget, "DMG") == 5)
        #expect(try t.ledger.verify().ok)
        // verify catches a write to @scrap that is not a scrap (a tampered kind).
        try t.rawExec("DROP TRIGGER postings_no_update; UPDATE postings SET kind = 'move' WHERE seq = \(x3.value)")
        #expect(try t.ledger.verify().problems.contains("posting \(x3.value) (move) writes to @scrap; only scrap postings and their reversals may"))
    }

    @Test func aHeldLotIsRefusedEverywhereUntilReleased() throws {
        #expect(try t.receive("r1", item: TestLedger.milk, qty: 6, to: "A-01", lot: "L1").status == .posted)
        #expect(try t.receive("r2", item: TestLedger.milk, qty: 6, to: "PACK1", lot: "L1").status == .posted)
        #expect(try t.receive("r3", item: TestLedger.milk, qty: 6, to: "A-01", lot: "L2").status == .posted)
        #expect(try t.ledger.holdLot(item: TestLedger.milk, lot: "L1", reason: "RECALL-42", operatorID: "qa-boss"))
        #expect(try t.ledger.holdLot(item: TestLedger.milk, lot: "L1", reason: "AGAIN") == false)  // the first hold stands
        #expect(try t.ledger.lotHolds().map { "\($0.item)/\($0.lot)/\($0.reason)" } == ["09506000134352/L1/RECALL-42"])
        #expect(try t.ledger.holdReason(item: TestLedger.milk, lot: "L1") == "RECALL-42")
        #expect(try t.ledger.holdReason(item: TestLedger.milk, lot: "L2") == nil)

        let move = try t.move("m1", item: TestLedger.milk, qty: 1, from: "A-01", to: "A-02", lot: "L1")
        #expect(move.error == "held-stock: lot L1 of item 09506000134352 is on hold (RECALL-42); release the lot before taking it from A-01")
        #expect(try post("p1", .pack, [line(1, "PACK1", "SHIP1", item: TestLedger.milk, lot: "L1")]).error?.hasPrefix("held-stock: lot L1") == true)
        #expect(try post("s1", .ship, [line(1, "PACK1", VirtualLocation.customer, item: TestLedger.milk, lot: "L1")]).error?
            .hasPrefix("held-stock: lot L1") == true)
        #expect(try t.move("m2", item: TestLedger.milk, qty: 1, from: "A-01", to: "A-02", lot: "L2").status == .posted)  // other lots move
        // A recalled lot may still be counted and scrapped.
        #expect(try post("x1", .scrap, [line(1, "PACK1", VirtualLocation.scrap, item: TestLedger.milk, lot: "L1")], reason: "RECALL-42").status == .posted)

        #expect(try t.ledger.releaseLot(item: TestLedger.milk, lot: "L1", reason: "RECALL-42 LIFTED", operatorID: "qa-boss"))
        #expect(try t.ledger.releaseLot(item: TestLedger.milk, lot: "L1", reason: "AGAIN") == false)
        #expect(try t.ledger.lotHolds().isEmpty)
        #expect(try t.move("m3", item: TestLedger.milk, qty: 1, from: "A-01", to: "A-02", lot: "L1").status == .posted)
        // The hold's history is the journal's, append-only.
        let history = try t.ledger.stationJournal(JournalQuery()).filter { $0.entry.code.hasPrefix("lot-") }
        #expect(history.map(\.entry.code) == ["lot-held", "lot-released"])
        #expect(history.map(\.entry.reason) == ["RECALL-42", "RECALL-42 LIFTED"])
        #expect(history.allSatisfy { $0.seq == nil && $0.entry.operatorID == "qa-boss" && $0.entry.detail == "{\"item\":\"09506000134352\",\"lot\":\"L1\"}" })
        #expect(try t.ledger.verify().ok)
    }

    @Test func lotHoldsNeedALotTrackedItemAndAReason() throws {
        #expect(throws: LedgerError.unknownItem("NOPE")) { try t.ledger.holdLot(item: "NOPE", lot: "L1", reason: "R") }
        #expect(throws: LedgerError.self) { try t.ledger.holdLot(item: TestLedger.widget, lot: "L1", reason: "R") }
        #expect(throws: LedgerError.self) { try t.ledger.holdLot(item: TestLedger.milk, lot: "L1", reason: " ") }
        // A recall may name a lot before it arrives; its first receipt is then held.
        #expect(try t.ledger.holdLot(item: TestLedger.milk, lot: "L9", reason: "RECALL"))
        #expect(try t.receive("r1", item: TestLedger.milk, qty: 2, to: "A-01", lot: "L9").status == .posted)
        #expect(try t.move("m1", item: TestLedger.milk, qty: 1, from: "A-01", to: "A-02", lot: "L9").error?.hasPrefix("held-stock") == true)
    }

    @Test func heldKindsAreImportableButScrapIsReserved() throws {
        #expect(try t.ledger.location("QA")?.kind == .quarantine)
        #expect(try t.ledger.location("DMG")?.kind == .damaged)
        #expect(try t.ledger.location(VirtualLocation.scrap)?.kind == .virtual)
        #expect(throws: LedgerError.self) { try t.ledger.importLocations([Location(code: "@scrap2", type: .storage)]) }
        let locations = try MasterDataFile.locations(bytes: Array("code,type\nHOLD-1,quarantine\nBIN-X,damaged\n".utf8), file: "l.csv")
        #expect(locations.map(\.value.type) == [.quarantine, .damaged])
    }

    /// CBV 2.0: a move onto hold is `holding` (quarantine: `non_sellable_other`,
    /// damaged: `damaged`), a release `inspecting` back to sellable, a scrap
    /// `destroying`/`destroyed` at the source; the document stays schema-valid.
    @Test func epcisMapsHoldReleaseAndScrap() throws {
        _ = try t.receive("r1", qty: 5, to: "A-01")
        #expect(try t.move("m1", qty: 3, from: "A-01", to: "QA").status == .posted)
        #expect(try t.move("m2", qty: 1, from: "A-01", to: "DMG").status == .posted)
        #expect(try post("rel", .release, [line(2, "QA", "A-02")]).status == .posted)
        #expect(try post("x1", .scrap, [line(1, "DMG", VirtualLocation.scrap)], reason: "CRUSHED").status == .posted)
        let document = try t.ledger.read { try $0.exportEPCIS() }
        #expect(try EPCISExportTests.validate(document, in: t.directory) == [])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        let events = try #require((root["epcisBody"] as? [String: Any])?["eventList"] as? [[String: Any]])
        #expect(events.map { "\($0["bizStep"] ?? "-")/\($0["disposition"] ?? "-")" } ==
                ["receiving/in_progress", "holding/non_sellable_other", "holding/damaged", "inspecting/sellable_not_accessible", "destroying/destroyed"])
        #expect((events[4]["readPoint"] as? [String: String])?["id"] == "urn:scanledger:loc:DMG")
        #expect(events[4]["bizLocation"] == nil)
    }
}
