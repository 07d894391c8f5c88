import Foundation
import ScanModel
import Testing
@testable import Stations

/// Stations refuse held stock at scan time with `held-stock`, naming the
/// location or the lot, before anything is posted (the ledger refuses the
/// posting anyway; the fake does too).
@Suite struct HeldStockStationTests {
    let w = World()
    let now = at(2026, 11, 22)

    init() throws {
        w.addHeldLocations()
        w.ledger.seed(w.plainItem, 5, at: "QA-1")
        w.ledger.seed(w.plainItem, 5, at: "DOCK-1")
        w.ledger.seed(w.lottedItem, 4, at: "DOCK-1", lot: "L1")
        w.ledger.seed(w.lottedItem, 4, at: "PACK-1", lot: "L1")
        w.ledger.seed(w.lottedItem, 4, at: "PACK-1", lot: "L2")
        try w.expected.store(asns: [], orders: [PackOrder(number: "SO-9", lines: [PackOrderLine(item: w.lottedItem, quantity: 2)])])
    }

    func mover() throws -> MoveStation { try MoveStation(config: MoveConfig(station: "rf-1"), dependencies: w.deps()) }
    func packer() throws -> PackStation {
        try PackStation(config: PackConfig(station: "pack-1", packLocation: "PACK-1", packedLocation: "SHIP"), dependencies: w.deps())
    }

    @Test func aPackOfAHeldLotIsRefusedUntilTheLotIsReleased() throws {
        w.ledger.holdLot(w.lottedItem, "L1", reason: "RECALL-42")
        let s = try packer()
        #expect(s.feed(.document("SO-9"), now).feedback.code == .opened)
        let refused = s.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L1")), now)
        #expect(refused.feedback.code == .heldStock)
        #expect(refused.feedback.message.contains("lot L1") && refused.feedback.message.contains("RECALL-42"))
        #expect(s.view.lines.map(\.scanned) == [0], "a refused scan must not enter the carton")
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L2", quantity: 2)), now).accepted)  // other lots pack
        #expect(s.feed(.command("COMPLETE"), now).feedback.code == .posted)
        // Released: the lot packs again.
        w.ledger.lotHolds = [:]
        let again = try packer()
        try w.expected.store(asns: [], orders: [PackOrder(number: "SO-10", lines: [PackOrderLine(item: w.lottedItem, quantity: 1)])])
        again.feed(.document("SO-10"), now)
        #expect(again.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L1")), now).accepted)
    }

    @Test func aMoveFromQuarantineIsRefusedAtTheSourceScan() throws {
        let s = try mover()
        let refused = s.feed(.location("QA-1"), now)
        #expect(refused.feedback.code == .heldStock)
        #expect(refused.feedback.message.hasPrefix("QA-1 is a quarantine location"))
        #expect(!s.hasOpenSession)
        #expect(s.feed(.location("DMG-1"), now).feedback.code == .heldStock)
        // Changing the source of an empty move to a held location is refused too.
        #expect(s.feed(.location("DOCK-1"), now).feedback.code == .opened)
        #expect(s.feed(.location("QA-1"), now).feedback.code == .heldStock)
        #expect(s.view.location == "DOCK-1")
    }

    @Test func aMoveMayPutStockOnHoldButNotTakeAHeldLot() throws {
        w.ledger.holdLot(w.lottedItem, "L1")
        let s = try mover()
        s.feed(.location("DOCK-1"), now)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L1")), now).feedback.code == .heldStock)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 2)), now).accepted)
        #expect(s.feed(.location("QA-1"), now).accepted)  // a held location is a fine destination
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .posted)
        #expect(w.ledger.qty(w.plainItem, at: "QA-1") == 7)
    }

    @Test func theFakeLedgerRefusesWhatTheRealOneRefuses() throws {
        w.ledger.holdLot(w.lottedItem, "L1")
        let fromQuarantine = PostingRequest(key: "m1", kind: .move, lines: [PostingLine(item: w.plainItem, qty: 1, from: "QA-1", to: "A-01")])
        #expect(try w.ledger.post(fromQuarantine).rejection?.hasPrefix("held-stock") == true)
        let heldLot = PostingRequest(key: "p1", kind: .pack, lines: [PostingLine(item: w.lottedItem, qty: 1, from: "PACK-1", to: "SHIP", lot: "L1")])
        #expect(try w.ledger.post(heldLot).rejection?.hasPrefix("held-stock") == true)
    }
}
