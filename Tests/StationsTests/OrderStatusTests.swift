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

    @Test func aCompleteOrderShips() throws {
        try packAndShip(units: 3, short: false)
        #expect(journal(OrderJournalCode.backordered).isEmpty)
        #expect(OrderJournal.currentStatus(w.ledger.postings.flatMap { $0.request.journal }) == .shipped)
    }
}
