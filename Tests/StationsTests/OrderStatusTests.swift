import ScanModel
import Testing
@testable import Stations

/// Order status and backorders as the pack and ship stations write them.
@Suite struct OrderStatusTests {
    let w = World()
    let now = at(2026, 12, 4)
    let label = StationInput.carrierLabel(.valid(CarrierLabel(carrier: "UPS", service: "03", tracking: "1Z5R89390357567127", rule: "ups-1z")))

    init() throws {
        w.ledger.seed(w.plainItem, 10, at: "PACK-1")
        try w.expected.store(asns: [], orders: [PackOrder(number: "SO-1", lines: [PackOrderLine(item: w.plainItem, quantity: 3)])])
    }

    func deps() -> StationDependencies {
        StationDependencies(ledger: w.ledger, stock: w.ledger, master: w.ledger, expected: w.expected, sessions: w.sessions,
                            shipments: w.ledger, history: w.ledger)
    }
    func journal(_ code: String) -> [JournalEntry] { w.ledger.postings.flatMap { $0.request.journal }.filter { $0.code == code } }

    func packAndShip(units: Int, short: Bool) throws {
        let pack = try PackStation(config: PackConfig(station: "pack-1", packLocation: "PACK-1", packedLocation: "SHIP"), dependencies: deps())
        pack.feed(.document("SO-1"), now)
        pack.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: units)), now)
        #expect(pack.feed(.command(short ? "SHORT-PACK" : "COMPLETE"), now).feedback.code == .posted)
        let ship = try ShipStation(config: ShipConfig(station: "ship-1", packedLocation: "SHIP"), dependencies: deps())
        ship.feed(.document("SO-1"), now)
        ship.feed(label, now)
        #expect(ship.feed(.command("CONFIRM"), now).feedback.code == .posted)
    }

    @Test func aShortPackIsBackorderedAndShipsPartially() throws {
        try packAndShip(units: 2, short: true)
        let backorders = journal(OrderJournalCode.backordered)
        #expect(backorders.count == 1 && backorders[0].document == "SO-1" && backorders[0].detail.contains("\"qty\":1"))
        let statuses = journal(OrderJournalCode.status).map { OrderJournal.statusField($0.detail) }
        #expect(statuses == ["packed", "partially-shipped"])
    }

    @Test func aBackorderIsPickedPackedAndShippedToCompleteTheOrder() throws {
        w.ledger.addLocation("TOTE-1", .pack)
        w.ledger.seed(w.plainItem, 1, at: "A-01")
        let pick = try PickStation(config: PickConfig(station: "pick-1", pickLocations: ["A-01"]), dependencies: deps())
        pick.feed(.document("SO-1"), now)               // 3 ordered, 1 on the shelf: 2 backordered at once
        pick.feed(.location("A-01"), now); pick.feed(.tradeItem(TradeItemScan(gtin: w.plain)), now)
        #expect(pick.feed(.location("TOTE-1"), now).feedback.outcome == .done)
        let pack = try PackStation(config: PackConfig(station: "pack-1", packLocation: "PACK-1", packedLocation: "SHIP"), dependencies: deps())
        let ship = try ShipStation(config: ShipConfig(station: "ship-1", packedLocation: "SHIP"), dependencies: deps())
        pack.feed(.document("TOTE-1"), now)
        #expect(pack.view.location == "TOTE-1")
        pack.feed(.logisticUnit(sscc("03761234500000001")), now)
        pack.feed(.tradeItem(TradeItemScan(gtin: w.plain)), now)
        #expect(pack.feed(.command("SHORT-PACK"), now).feedback.code == .posted)
        ship.feed(.logisticUnit(sscc("03761234500000001")), now); ship.feed(label, now)
        #expect(ship.feed(.command("CONFIRM"), now).feedback.code == .posted)
        #expect(OrderJournal.currentStatus(w.ledger.postings.flatMap { $0.request.journal }) == .partiallyShipped)

        // Stock arrives: the backorder is picked (2 still owed), packed and shipped.
        w.ledger.seed(w.plainItem, 5, at: "A-01")
        #expect(pick.feed(.document("SO-1"), now).feedback.message.contains("pick 2 ×"))
        pick.feed(.location("A-01"), now); pick.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 2)), now)
        #expect(pick.feed(.location("TOTE-1"), now).feedback.outcome == .done)
        #expect(pack.feed(.document("TOTE-1"), now).feedback.message.contains("2 units to pack"))
        pack.feed(.logisticUnit(sscc("03761234500000002")), now)
        pack.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 2)), now)
        #expect(pack.feed(.command("COMPLETE"), now).feedback.code == .posted)
        #expect(pack.feed(.document("SO-1"), now).feedback.code == .documentDone)
        ship.feed(.logisticUnit(sscc("03761234500000002")), now)
        ship.feed(.carrierLabel(.valid(CarrierLabel(carrier: "UPS", service: "03", tracking: "1Z5R89390357567135", rule: "ups-1z"))), now)
        #expect(ship.feed(.command("CONFIRM"), now).feedback.code == .posted)
        #expect(OrderJournal.currentStatus(w.ledger.postings.flatMap { $0.request.journal }) == .shipped)
        #expect(pick.feed(.document("SO-1"), now).feedback.code == .documentDone)
    }

    @Test func aCompleteOrderShips() throws {
        try packAndShip(units: 3, short: false)
        #expect(journal(OrderJournalCode.backordered).isEmpty)
        #expect(OrderJournal.currentStatus(w.ledger.postings.flatMap { $0.request.journal }) == .shipped)
    }
}
