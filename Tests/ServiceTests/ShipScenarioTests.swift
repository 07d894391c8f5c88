import Foundation
import Ledger
import ScanModel
import Stations
import Testing
@testable import Service

/// Pack then ship on the real ledger, scans translated as the router does:
/// the ship posting closes its session in the database, and the tracking
/// number it used is refused for another carton after a restart.
@Suite struct ShipScenarioTests {
    let t = ScanTranslator(decoder: ServiceConfigDefaults.decoder)
    let now = today()

    func scan(_ text: String) -> StationInput { t.input(for: Array(text.utf8)) }

    @Test func packedCartonShipsAndItsTrackingNumberStaysTaken() throws {
        let w = try RealLedgerWorld()
        try w.seed(w.plainItem, 5, at: "PACK-1")
        try w.stores.store(asns: [], orders: [PackOrder(number: "SO-1", lines: [PackOrderLine(item: w.plainItem, quantity: 2)]),
                                              PackOrder(number: "SO-2", lines: [PackOrderLine(item: w.plainItem, quantity: 1)])])
        let pack = try PackStation(config: PackConfig(station: "pack-1", packLocation: "PACK-1", packedLocation: "SHIP"), dependencies: w.deps)
        for (order, body, qty) in [("SO-1", "03761234500000001", 2), ("SO-2", "03761234500000002", 1)] {
            pack.handle(.document(order), at: now)
            #expect(pack.handle(scan("00" + sscc(body).digits), at: now).accepted)
            pack.handle(.tradeItem(TradeItemScan(gtin: w.plain, quantity: qty)), at: now)
            #expect(pack.handle(.command("COMPLETE"), at: now).feedback.code == .posted)
        }
        let first = try #require(try w.ledger.packedCarton(order: "SO-1")?.sscc)

        let ship = try ShipStation(config: ShipConfig(station: "ship-1", packedLocation: "SHIP"), dependencies: w.deps)
        #expect(ship.handle(scan("00" + first), at: now).feedback.code == .opened)
        #expect(ship.handle(scan("1Z1111111111111111"), at: now).feedback.code == .badTrackingNumber)
        #expect(ship.handle(scan("1Z5R89390357567127"), at: now).accepted)
        let done = ship.handle(.command("CONFIRM"), at: now)
        #expect(done.feedback.code == .posted, "\(done.feedback)")
        #expect(try w.stores.loadSession(station: "ship-1") == nil)
        #expect(try w.ledger.onHand(item: w.plainItem, lot: nil, at: "SHIP") == 1)
        let entry = try #require(try w.ledger.stationJournal(JournalQuery(code: "shipped")).first)
        #expect(entry.seq == done.postedSequences.first && entry.entry.detail.contains(#""tracking":"1Z5R89390357567127""#))

        try w.restart()
        let again = try ShipStation(config: ShipConfig(station: "ship-1", packedLocation: "SHIP"), dependencies: w.deps)
        #expect(again.handle(.document("SO-1"), at: now).feedback.code == .documentDone)
        #expect(again.handle(.document("SO-2"), at: now).feedback.code == .opened)
        #expect(again.handle(scan("1Z5R89390357567127"), at: now).feedback.code == .trackingReused)
    }
}
