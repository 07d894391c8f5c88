import Foundation
import ScanModel
import Testing
@testable import Stations

@Suite struct MoveTests {
    let w = World()
    let now = at(2026, 11, 22)

    func station(_ name: String = "rf-1", configure: (inout MoveConfig) -> Void = { _ in }) throws -> MoveStation {
        var c = MoveConfig(station: name)
        configure(&c)
        return try MoveStation(config: c, dependencies: w.deps())
    }

    init() {
        w.ledger.seed(w.plainItem, 10, at: "DOCK-1")
        w.ledger.seed(w.lottedItem, 6, at: "DOCK-1", lot: "L1")
        w.ledger.seed(w.serialItem, 1, at: "DOCK-1", serial: "S1")
        w.ledger.seed(w.serialItem, 1, at: "B-01", serial: "S2")
        w.ledger.registerEPC(tag(7, nil, serial: nil).epc, item: w.serialItem, serial: "S1")
    }

    @Test func putawayPostsOneMove() throws {
        let s = try station()
        let before = w.ledger.postings.count
        #expect(s.feed(.location("DOCK-1"), now).feedback.code == .opened)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 4)), now).accepted)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 6)), now).accepted)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L1", quantity: 2)), now).accepted)
        #expect(s.feed(.tag(tag(7, nil, serial: nil)), now).accepted)  // EPC resolved through the ledger
        #expect(s.feed(.location("A-01"), now).feedback.code == .accepted)
        #expect(s.view.state == "confirm")
        let e = s.feed(.command("CONFIRM"), now)
        #expect(e.feedback.code == .posted)
        #expect(w.ledger.postings.count == before + 1)
        let p = try #require(w.ledger.postings.last?.request)
        #expect(p.kind == .move && p.key == "rf-1/move/1")
        #expect(try #require(p.lines).count == 3)  // the two plain scans are one line
        #expect(w.ledger.qty(w.plainItem, at: "A-01") == 10 && w.ledger.qty(w.plainItem, at: "DOCK-1") == 0)
        #expect(w.ledger.qty(w.lottedItem, at: "A-01", lot: "L1") == 2)
        #expect(try w.ledger.location(ofItem: w.serialItem, serial: "S1")?.location == "A-01")
        #expect(!s.hasOpenSession)
    }

    @Test func theSourceMustHoldTheStock() throws {
        let s = try station()
        s.feed(.location("DOCK-1"), now)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 11)), now).feedback.code == .notInSource)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 7)), now).accepted)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 4)), now).feedback.code == .notInSource)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L2")), now).feedback.code == .notInSource)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted)), now).feedback.code == .missingLot)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S2")), now).feedback.code == .notInSource)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S404")), now).feedback.code == .notInSource)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.serial)), now).feedback.code == .missingSerial)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S1")), now).accepted)
        #expect(s.feed(.tag(tag(7, nil, serial: nil)), now).feedback.code == .duplicateSerial)
        #expect(s.feed(.tag(tag(8, nil, serial: nil)), now).feedback.code == .unknownEPC)
        #expect(s.view.lines.map(\.scanned) == [7, 1])
    }

    @Test func refusalsOfLocationsAndOrder() throws {
        let s = try station()
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain)), now).feedback.code == .wrongMoment)
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .nothingToDo)
        #expect(s.feed(.location("Z-99"), now).feedback.code == .unknownLocation)
        #expect(s.feed(.location("@supplier"), now).feedback.code == .unknownLocation)
        s.feed(.location("DOCK-1"), now)
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .wrongMoment)
        s.feed(.tradeItem(TradeItemScan(gtin: w.plain)), now)
        #expect(s.feed(.command("CONFIRM"), now).feedback.code == .wrongMoment)
        #expect(s.feed(.location("DOCK-1"), now).feedback.code == .sameLocation)
        s.feed(.location("A-01"), now)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain)), now).feedback.code == .wrongMoment)
        #expect(s.feed(.location("A-02"), now).feedback.code == .accepted)  // destination replaced, with a warning
        #expect(s.view.destination == "A-02")
    }

    @Test func undoRemovesTheLastScanThenDestinationThenSource() throws {
        try w.expected.store(asns: [ASN(number: "ASN-P", lines: [ASNLine(item: w.plainItem, quantity: 3, sscc: sscc("03761234500000001").digits)])], orders: [])
        let s = try station()
        s.feed(.location("DOCK-1"), now)
        s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 2)), now)
        #expect(s.feed(.logisticUnit(sscc("03761234500000001")), now).accepted)  // expands to 3
        #expect(s.view.lines.map(\.scanned) == [5])
        s.feed(.location("A-01"), now)
        #expect(s.feed(.command("UNDO"), now).feedback.code == .undone)
        #expect(s.view.destination == nil)
        s.feed(.command("UNDO"), now)
        #expect(s.view.lines.map(\.scanned) == [2])
        s.feed(.command("UNDO"), now)
        #expect(s.view.lines.isEmpty && s.hasOpenSession)
        s.feed(.command("UNDO"), now)
        #expect(!s.hasOpenSession)
        #expect(s.feed(.command("UNDO"), now).feedback.code == .nothingToDo)
    }

    @Test func anInterruptedMovePostsNothing() throws {
        let before = w.ledger.postings.count
        let s = try station()
        s.feed(.location("DOCK-1"), now)
        s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 5)), now)
        // Restart: the half-done move is still there, and posted nothing.
        let resumed = try station()
        #expect(resumed.hasOpenSession && resumed.view.lines.map(\.scanned) == [5])
        #expect(w.ledger.postings.count == before)
        try resumed.abandon()
        #expect(try !station().hasOpenSession)
        #expect(w.ledger.qty(w.plainItem, at: "DOCK-1") == 10)
        // Idle timeout, when configured, discards too.
        let timed = try station { $0.idleTimeout = .seconds(120) }
        timed.feed(.location("DOCK-1"), now)
        timed.feed(.tradeItem(TradeItemScan(gtin: w.plain)), now)
        #expect(timed.feed(.idleTick, now + .seconds(119)).feedback.code == .ignored)
        #expect(timed.feed(.idleTick, now + .seconds(120)).feedback.code == .cancelled)
        #expect(w.ledger.postings.count == before)
    }

    @Test func stockTakenElsewhereBeforeConfirmIsRejectedByTheLedger() throws {
        let s = try station()
        s.feed(.location("DOCK-1"), now)
        s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 10)), now)
        s.feed(.location("A-01"), now)
        let other = try station("rf-2")
        other.feed(.location("DOCK-1"), now)
        other.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 3)), now)
        other.feed(.location("B-01"), now)
        #expect(other.feed(.command("CONFIRM"), now).feedback.code == .posted)
        let e = s.feed(.command("CONFIRM"), now)
        #expect(e.feedback.code == .postingRejected)
        #expect(s.hasOpenSession)
        #expect(w.ledger.qty(w.plainItem, at: "DOCK-1") == 7)
    }
}
