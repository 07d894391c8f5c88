import Foundation
import Ledger
import ScanModel
import Testing
@testable import Service
import Stations

/// Issue 7's station scenarios against a REAL ledger on a temporary file,
/// through the service's adapters (gateway + SQLite-backed stores).
@Suite struct StationScenarioTests {
    @Test func receivingRefusesAnOverReceiptUntilOverriddenThenPostsOnce() throws {
        let w = try RealLedgerWorld()
        try w.stores.store(asns: [ASN(number: "ASN-1", lines: [ASNLine(item: w.plainItem, quantity: 10)])], orders: [])
        let s = try ReceivingStation(config: ReceivingConfig(station: "dock-1", dock: "DOCK-1"), dependencies: w.deps)
        #expect(s.feed(.document("ASN-1")).feedback.code == .opened)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 10))).accepted)
        let over = s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 2)))
        #expect(over.feedback.code == .overReceipt)
        #expect(s.feed(.command("OVERRIDE")).feedback.code == .overridden)
        let e = s.feed(.command("CLOSE"))
        #expect(e.feedback.code == .posted)
        #expect(e.postedSequences.count == 1)
        #expect(try w.qty(w.plainItem, at: "DOCK-1") == 12)
        let history = try w.ledger.history(.ref("ASN-1"))
        #expect(Set(history.map(\.key)) == ["dock-1/receipt/1"])
        #expect(history.first?.kind == .receipt && history.first?.station == "dock-1")
        #expect(try w.stores.asn(number: "ASN-1")?.status == .done(seq: e.postedSequences.first ?? 0))
        #expect(try w.stores.openSessions().isEmpty)
        #expect(try w.ledger.verify().ok)
    }

    @Test func aMovePostsOneMoveAndTheSourceMustHoldTheStock() throws {
        let w = try RealLedgerWorld()
        try w.seed(w.plainItem, 10, at: "DOCK-1")
        try w.seed(w.serialItem, 1, at: "DOCK-1", serial: "S1")
        let s = try MoveStation(config: MoveConfig(station: "rf-1"), dependencies: w.deps)
        #expect(s.feed(.location("DOCK-1")).feedback.code == .opened)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 11))).feedback.code == .notInSource)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 4))).accepted)
        #expect(s.feed(.tag(tag(1, w.serial, serial: "S1"))).accepted)
        #expect(s.feed(.location("A-01")).accepted)
        let e = s.feed(.command("CONFIRM"))
        #expect(e.feedback.code == .posted)
        #expect(try w.qty(w.plainItem, at: "A-01") == 4 && w.qty(w.plainItem, at: "DOCK-1") == 6)
        #expect(try w.gateway.location(ofItem: w.serialItem, serial: "S1")?.location == "A-01")
        #expect(try w.gateway.lastChange(at: "A-01") == e.postedSequences.first)
        #expect(try w.ledger.verify().ok)
    }

    @Test func aCountFindsOneMissingAndOneMisplacedTagAndPostsOnApproval() throws {
        let w = try RealLedgerWorld()
        for s in ["S1", "S2", "S3"] { try w.seed(w.serialItem, 1, at: "A-01", serial: s) }
        try w.seed(w.serialItem, 1, at: "B-01", serial: "S4")
        let s = try CountStation(config: CountConfig(station: "count-1"), dependencies: w.deps, reviews: w.stores)
        #expect(s.feed(.location("A-01")).accepted)
        #expect(s.feed(.command("COUNT-START")).feedback.code == .opened)
        let seen = [tag(1, w.serial, serial: "S1"), tag(3, w.serial, serial: "S3"), tag(4, w.serial, serial: "S4")]
        let e = s.feed(.cycleReport(CycleReport(zone: "handheld-1", current: seen.map { CycleTag(tag: $0) })))
        #expect(e.feedback.code == .countPending)
        let stored = try #require(try w.stores.all().first)
        #expect(stored.missing.map(\.serial) == ["S2"])
        #expect(stored.misplaced.map(\.unit.serial) == ["S4"] && stored.misplaced.first?.ledgerLocation == "B-01")
        #expect(stored.status == .pending)
        // Review from a fresh store object (as `scanledger counts approve` would).
        try w.restart()
        let reviews = CountReviews(store: w.stores, ledger: w.gateway, stock: w.gateway)
        #expect(try reviews.open().map(\.id) == [stored.id])
        let approved = try reviews.approve(id: stored.id)
        guard case .posted = approved.status else { Issue.record("not posted: \(approved.status)"); return }
        #expect(try w.gateway.location(ofItem: w.serialItem, serial: "S2") == nil || w.gateway.location(ofItem: w.serialItem, serial: "S2")?.location == nil)
        #expect(try w.gateway.location(ofItem: w.serialItem, serial: "S4")?.location == "A-01")
        #expect(try reviews.open().isEmpty)
        #expect(try w.ledger.verify().ok)
    }

    @Test func packRejectsAWrongItemAndPostsTheCompleteOrder() throws {
        let w = try RealLedgerWorld()
        try w.seed(w.plainItem, 10, at: "PACK-1")
        try w.seed(w.lottedItem, 5, at: "PACK-1", lot: "L1")
        try w.stores.store(asns: [], orders: [PackOrder(number: "SO-1", tote: "TOTE-7", lines: [PackOrderLine(item: w.plainItem, quantity: 3)])])
        let s = try PackStation(config: PackConfig(station: "pack-1", packLocation: "PACK-1", packedLocation: "SHIP"), dependencies: w.deps)
        #expect(s.feed(.document("TOTE-7")).feedback.code == .opened)  // found by its alias
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L1"))).feedback.code == .wrongItemForOrder)
        #expect(s.feed(.logisticUnit(sscc("03761234500000009"))).accepted)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 3))).accepted)
        let e = s.feed(.command("COMPLETE"))
        #expect(e.feedback.code == .posted)
        #expect(try w.qty(w.plainItem, at: "SHIP") == 3 && w.qty(w.lottedItem, at: "PACK-1", lot: "L1") == 5)
        let pack = try w.ledger.history(.ref("SO-1"))
        #expect(pack.first?.kind == .pack && pack.first?.sscc == sscc("03761234500000009").digits)
        #expect(try w.stores.order(numberOrTote: "SO-1")?.status == .done(seq: e.postedSequences.first ?? 0))
        #expect(try w.ledger.verify().ok)
    }

    @Test func aRestartMidSessionResumesFromTheDatabaseAndPostsOnce() throws {
        let w = try RealLedgerWorld()
        try w.stores.store(asns: [ASN(number: "ASN-9", lines: [ASNLine(item: w.plainItem, quantity: 5), ASNLine(item: w.serialItem, quantity: 3)])], orders: [])
        let config = ReceivingConfig(station: "dock-1", dock: "DOCK-1")
        do {
            let first = try ReceivingStation(config: config, dependencies: w.deps)
            first.feed(.document("ASN-9"))
            first.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 2)))
            // Portal arrivals go to the journal, not a new snapshot.
            first.feed(.tagArrived(zone: "dock-1", tag: tag(1, w.serial, serial: "S1")))
            first.feed(.tagArrived(zone: "dock-1", tag: tag(2, w.serial, serial: "S2")))
            #expect(try w.ledger.journal("session/dock-1").count >= 1)
        }
        try w.restart()
        let second = try ReceivingStation(config: config, dependencies: w.deps)
        #expect(second.openASN == "ASN-9")
        #expect(second.view.lines.map(\.scanned).sorted() == [2, 2])
        #expect(second.feed(.tagArrived(zone: "dock-1", tag: tag(2, w.serial, serial: "S2"))).feedback.code == .duplicateEPC)
        second.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 3)))
        let e = second.feed(.command("CLOSE"))
        #expect(e.feedback.code == .posted)
        #expect(try w.qty(w.plainItem, at: "DOCK-1") == 5 && w.qty(w.serialItem, at: "DOCK-1") == 2)
        // A new session gets a number never used before, even after restarts.
        try w.restart()
        #expect(try w.stores.nextSessionNumber(station: "dock-1") == 2)
        #expect(try w.ledger.verify().ok)
    }

    @Test func theGatewayAnswersDuplicateForARetriedKeyAndRejectsWhatTheLedgerRefuses() throws {
        let w = try RealLedgerWorld()
        let move = PostingRequest(key: "rf-1/move/7", kind: .move, station: "rf-1", eventTime: .device(today()),
                                  lines: [PostingLine(item: w.plainItem, qty: 1, from: "A-01", to: "B-01")])
        guard case .rejected(let why) = try w.gateway.post(move) else { Issue.record("negative stock was accepted"); return }
        #expect(why.contains("A-01"))
        try w.seed(w.plainItem, 1, at: "A-01")
        var retry = move
        retry.key = "rf-1/move/8"
        guard case .posted(let seq) = try w.gateway.post(retry) else { Issue.record("not posted"); return }
        #expect(try w.gateway.post(retry) == .duplicate(seq: seq))
        #expect(try w.gateway.ledgerSequence() == seq)
        #expect(w.gateway.counters.posted == 1 && w.gateway.counters.duplicates == 1 && w.gateway.counters.rejected == 1)
        // The station's request reached the ledger as it was: key, kind, and the device time as UTC text.
        let posted = try #require(try w.ledger.history(.location("B-01")).first { $0.seq == seq })
        #expect(posted.key == "rf-1/move/8" && posted.kind == .move && posted.eventTime == "2026-11-22T10:00:00.000Z")
    }
}
