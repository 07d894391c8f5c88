import Foundation
import Testing
@testable import Ledger
import ScanModel

extension TestLedger {
    static let carton = "037612345000000090"
    static let tracking = "1Z5R89390357567127"

    /// Stock at PACK1, packed into `carton` for SO-1 (pack posting): widget ×3 and drill S1.
    func packSO1() throws -> LedgerSequence {
        _ = try receive("r1", qty: 5, to: "PACK1")
        _ = try receive("r2", item: TestLedger.drill, qty: 1, to: "PACK1", serial: "S1")
        let lines = [PostingLine(item: TestLedger.widget, qty: 3, from: "PACK1", to: "SHIP1"),
                     PostingLine(item: TestLedger.drill, qty: 1, from: "PACK1", to: "SHIP1", serial: "S1")]
        return try #require(try post(PostingRequest(key: "pack-1/pack/1", kind: .pack, ref: "SO-1", station: "pack-1",
                                                    sscc: TestLedger.carton, lines: lines)).outcome.seq)
    }

    /// The ship posting of a packed carton with its `shipped` entry, as the ship station makes it.
    func ship(_ carton: PackedCarton) throws -> LedgerSequence {
        var ship = PostingRequest(key: "ship-1/ship/1", kind: .ship, ref: carton.order, station: "ship-1", sscc: carton.sscc,
                                  lines: carton.lines.map { PostingLine(item: $0.item, qty: $0.qty, from: "SHIP1", to: VirtualLocation.customer, serial: $0.serial) })
        let q = JSONText.quote
        ship.journal = [JournalEntry(time: Microseconds(1_700_000_000_000_000), station: "ship-1", code: shippedJournalCode, severity: .done,
                                     document: carton.order, message: "shipped",
                                     detail: JSONText.object([("carrier", q("UPS")), ("service", q("03")), ("tracking", q(TestLedger.tracking)),
                                                              ("sscc", q(carton.sscc)), ("order", q(carton.order))]))]
        return try #require(try post(ship).outcome.seq)
    }
}

/// The ship station's questions answered from real postings and journal rows.
@Suite struct ShipmentQueryTests {
    let sscc = TestLedger.carton

    @Test func packedCartonShipmentAndTrackingAreFoundUntilReversed() throws {
        let t = try TestLedger()
        let packSeq = try t.packSO1()
        let carton = try #require(try t.ledger.packedCarton(sscc: sscc))
        #expect(carton.seq == packSeq && carton.order == "SO-1" && carton.sscc == sscc)
        #expect(carton.lines.map(\.qty) == [3, 1] && carton.lines.allSatisfy { $0.from == "PACK1" && $0.to == "SHIP1" })
        #expect(carton.lines[1].serial == "S1" && carton.lines[0].item == TestLedger.widget)
        #expect(try t.ledger.packedCarton(order: "SO-1") == carton)
        #expect(try t.ledger.packedCarton(order: "SO-9") == nil)
        #expect(try t.ledger.shipment(order: "SO-1", sscc: sscc) == nil)
        #expect(try t.ledger.shipment(carrier: "UPS", tracking: TestLedger.tracking) == nil)

        let shipSeq = try t.ship(carton)
        #expect(try t.ledger.shipment(order: "SO-1", sscc: sscc) == ShippedCarton(seq: shipSeq, order: "SO-1", sscc: sscc))
        #expect(try t.ledger.shipment(carrier: "UPS", tracking: TestLedger.tracking)?.seq == shipSeq)
        #expect(try t.ledger.shipment(carrier: "FedEx", tracking: TestLedger.tracking) == nil)
        let rows = try t.ledger.read { try $0.shipments() }
        #expect(rows.count == 1 && rows.first?.tracking == TestLedger.tracking && rows.first?.order == "SO-1" && rows.first?.service == "03")
        #expect(rows.first?.lines == [ShipmentRow.Line(item: TestLedger.widget.code, qty: 3), ShipmentRow.Line(item: TestLedger.drill.code, serial: "S1", qty: 1)])

        // A reversed shipment frees the carton and its tracking number, and is no longer exported.
        _ = try t.ledger.reverse(shipSeq, key: "undo-ship")
        #expect(try t.ledger.shipment(order: "SO-1", sscc: sscc) == nil)
        #expect(try t.ledger.shipment(carrier: "UPS", tracking: TestLedger.tracking) == nil)
        #expect(try t.ledger.read { try $0.shipments() }.isEmpty)
        _ = try t.ledger.reverse(packSeq, key: "undo-pack")
        #expect(try t.ledger.packedCarton(sscc: sscc) == nil)
    }
}
