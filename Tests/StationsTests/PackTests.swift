import Foundation
import ScanModel
import Testing
@testable import Stations

@Suite struct PackTests {
    let w = World()
    let now = at(2026, 11, 22)

    init() throws {
        w.ledger.seed(w.plainItem, 10, at: "PACK-1")
        w.ledger.seed(w.lottedItem, 5, at: "PACK-1", lot: "L1")
        for s in ["S1", "S2", "S3"] { w.ledger.seed(w.serialItem, 1, at: "PACK-1", serial: s) }
        w.ledger.seed(w.serialItem, 1, at: "A-01", serial: "S9")
        try w.expected.store(asns: [], orders: [
            PackOrder(number: "SO-1", tote: "TOTE-7", lines: [
                PackOrderLine(item: w.plainItem, quantity: 3),
                PackOrderLine(item: w.serialItem, quantity: 2, serials: ["S1", "S2"]),
            ]),
            PackOrder(number: "SO-2", lines: [PackOrderLine(item: w.serialItem, quantity: 2), PackOrderLine(item: w.lottedItem, quantity: 2)]),
        ])
    }

    func station(_ name: String = "pack-1") throws -> PackStation {
        try PackStation(config: PackConfig(station: name, packLocation: "PACK-1", packedLocation: "SHIP"), dependencies: w.deps())
    }

    @Test func completeOrderPostsOnePackWithTheCarton() throws {
        let s = try station()
        #expect(s.feed(.document("TOTE-7"), now).feedback.code == .opened)  // by tote
        #expect(s.feed(.logisticUnit(sscc("03761234500000009")), now).accepted)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 2)), now).feedback.message.hasPrefix("2/3"))
        s.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S1")), now)
        s.feed(.tag(tag(2, w.serial, serial: "S2")), now)
        #expect(s.view.state == "packing")
        let last = s.feed(.tradeItem(TradeItemScan(gtin: w.plain)), now)
        #expect(last.feedback.message.contains("order complete"))
        #expect(s.view.state == "complete")
        let before = w.ledger.postings.count
        let e = s.feed(.command("COMPLETE"), now)
        #expect(e.feedback.code == .posted && e.feedback.outcome == .done)
        #expect(w.ledger.postings.count == before + 1)
        let p = try #require(w.ledger.postings.last?.request)
        #expect(p.kind == .pack && p.ref == "SO-1" && p.key == "pack-1/pack/1")
        #expect(p.sscc == sscc("03761234500000009").digits)
        #expect(w.ledger.qty(w.plainItem, at: "SHIP") == 3)
        #expect(try w.ledger.location(ofItem: w.serialItem, serial: "S2")?.location == "SHIP")
        #expect(s.lastResult?.shortages.isEmpty == true)
        #expect(s.feed(.document("SO-1"), now).feedback.code == .documentDone)
    }

    @Test func wrongItemOverPackAndWrongSerialAreRefused() throws {
        let s = try station()
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain)), now).feedback.code == .wrongMoment)
        #expect(s.feed(.document("SO-404"), now).feedback.code == .unknownDocument)
        s.feed(.document("SO-1"), now)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L1")), now).feedback.code == .wrongItemForOrder)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 4)), now).feedback.code == .overPack)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S3")), now).feedback.code == .wrongSerial)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.serial)), now).feedback.code == .missingSerial)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S1")), now).accepted)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S1")), now).feedback.code == .duplicateSerial)
        #expect(s.feed(.document("SO-2"), now).feedback.code == .wrongMoment)
        #expect(s.feed(.location("A-01"), now).feedback.code == .wrongMoment)
        #expect(s.view.lines.map(\.scanned) == [0, 1])
    }

    @Test func stockMustBeAtTheBench() throws {
        let s = try station()
        s.feed(.document("SO-2"), now)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S9")), now).feedback.code == .notInSource)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L2")), now).feedback.code == .notInSource)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted)), now).feedback.code == .missingLot)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L1", quantity: 2)), now).accepted)
    }

    @Test func incompleteNeedsShortPackWhichRecordsWhatIsMissing() throws {
        let s = try station()
        s.feed(.document("SO-1"), now)
        #expect(s.feed(.command("SHORT-PACK"), now).feedback.code == .nothingToDo)  // empty carton
        s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 3)), now)
        s.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S2")), now)
        let before = w.ledger.postings.count
        let refused = s.feed(.command("COMPLETE"), now)
        #expect(refused.feedback.code == .incomplete)
        #expect(refused.feedback.message.contains("1 × \(w.serialItem)"))
        #expect(w.ledger.postings.count == before)
        let e = s.feed(.command("SHORT-PACK"), now)
        #expect(e.feedback.code == .posted && e.feedback.outcome == .warning)
        #expect(s.lastResult?.shortages == [PackShortage(item: w.serialItem, ordered: 2, packed: 1)])
        #expect(w.ledger.postings.count == before + 1)
    }

    @Test func tunnelCycleIsTakenWholeOrRefusedWhole() throws {
        let s = try station()
        s.feed(.document("SO-1"), now)
        let wrong = CycleReport(zone: "tunnel", current: [CycleTag(tag: tag(1, w.serial, serial: "S1")), CycleTag(tag: tag(3, w.serial, serial: "S3"))])
        #expect(s.feed(.cycleReport(wrong), now).feedback.code == .wrongSerial)
        #expect(s.view.lines.map(\.scanned) == [0, 0])
        let right = CycleReport(zone: "tunnel", current: [CycleTag(tag: tag(1, w.serial, serial: "S1")), CycleTag(tag: tag(2, w.serial, serial: "S2"))])
        #expect(s.feed(.cycleReport(right), now).accepted)
        #expect(s.feed(.cycleReport(right), now).feedback.code == .ignored)  // same carton read again
        #expect(s.view.lines.map(\.scanned) == [0, 2])
        #expect(s.feed(.command("UNDO"), now).feedback.code == .undone)  // takes the whole cycle out
        #expect(s.view.lines.map(\.scanned) == [0, 0])
    }

    @Test func cartonSurvivesARestart() throws {
        let s = try station()
        s.feed(.document("SO-1"), now)
        s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 3)), now)
        let resumed = try station()
        #expect(resumed.view.document == "SO-1" && resumed.view.lines.map(\.scanned) == [3, 0])
        resumed.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S1")), now)
        resumed.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S2")), now)
        w.ledger.failNextPost = true
        #expect(resumed.feed(.command("COMPLETE"), now).feedback.code == .ledgerUnavailable)
        #expect(resumed.feed(.command("COMPLETE"), now).feedback.code == .posted)
        #expect(w.ledger.postings.filter { $0.request.kind == .pack }.count == 1)
        #expect(resumed.feed(.command("CANCEL"), now).feedback.code == .nothingToDo)
    }

    @Test func twoBenchesPackDifferentOrders() throws {
        let a = try station("pack-1"), b = try station("pack-2")
        a.feed(.document("SO-1"), now); b.feed(.document("SO-2"), now)
        #expect(b.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S1")), now).accepted)
        // S1 is in bench B's carton; the ledger, not the station, decides the race.
        a.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 3)), now)
        a.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S1")), now)
        a.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S2")), now)
        #expect(a.feed(.command("COMPLETE"), now).feedback.code == .posted)
        b.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S3")), now)
        b.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L1", quantity: 2)), now)
        #expect(b.feed(.command("COMPLETE"), now).feedback.code == .postingRejected)
        #expect(b.hasOpenSession)
    }
}
