import Foundation
import Testing
@testable import Ledger
import ScanModel

/// The ship station's questions answered from real postings and journal rows.
@Suite struct ShipmentQueryTests {
    let sscc = "037612345000000090"

    func shippedEntry(_ tracking: String) -> JournalEntry {
        JournalEntry(time: Microseconds(1_700_000_000_000_000), station: "ship-1", code: shippedJournalCode, severity: .done, document: "SO-1",
                     message: "shipped", detail: JSONText.object([("carrier", JSONText.quote("UPS")), ("tracking", JSONText.quote(tracking)),
                                                                  ("sscc", JSONText.quote(sscc)), ("order", JSONText.quote("SO-1"))]))
    }

    @Test func packedCartonShipmentAndTrackingAreFoundUntilReversed() throws {
        let t = try TestLedger()
        _ = try t.receive("r1", qty: 5, to: "PACK1")
        _ = try t.receive("r2", item: TestLedger.drill, qty: 1, to: "PACK1", serial: "S1")
        let packLines = [PostingLine(item: TestLedger.widget, qty: 3, from: "PACK1", to: "SHIP1"),
                         PostingLine(item: TestLedger.drill, qty: 1, from: "PACK1", to: "SHIP1", serial: "S1")]
        let pack = try t.post(PostingRequest(key: "pack-1/pack/1", kind: .pack, ref: "SO-1", station: "pack-1", sscc: sscc, lines: packLines))
        let packSeq = try #require(pack.outcome.seq)

        let carton = try #require(try t.ledger.packedCarton(sscc: sscc))
        #expect(carton.seq == packSeq && carton.order == "SO-1" && carton.sscc == sscc)
        #expect(carton.lines.map(\.qty) == [3, 1] && carton.lines.allSatisfy { $0.from == "PACK1" && $0.to == "SHIP1" })
        #expect(carton.lines[1].serial == "S1" && carton.lines[0].item == TestLedger.widget)
        #expect(try t.ledger.packedCarton(order: "SO-1") == carton)
        #expect(try t.ledger.packedCarton(order: "SO-9") == nil)
        #expect(try t.ledger.shipment(order: "SO-1", sscc: sscc) == nil)
        #expect(try t.ledger.shipment(carrier: "UPS", tracking: "1Z5R89390357567127") == nil)

        var ship = PostingRequest(key: "ship-1/ship/1", kind: .ship, ref: "SO-1", station: "ship-1", sscc: sscc,
                                  lines: carton.lines.map { PostingLine(item: $0.item, qty: $0.qty, from: "SHIP1", to: VirtualLocation.customer, serial: $0.serial) })
        ship.journal = [shippedEntry("1Z5R89390357567127")]
        let shipSeq = try #require(try t.post(ship).outcome.seq)
        #expect(try t.ledger.shipment(order: "SO-1", sscc: sscc) == ShippedCarton(seq: shipSeq, order: "SO-1", sscc: sscc))
        #expect(try t.ledger.shipment(carrier: "UPS", tracking: "1Z5R89390357567127")?.seq == shipSeq)
        #expect(try t.ledger.shipment(carrier: "FedEx", tracking: "1Z5R89390357567127") == nil)

        // A reversed shipment frees the carton and its tracking number.
        _ = try t.ledger.reverse(shipSeq, key: "undo-ship")
        #expect(try t.ledger.shipment(order: "SO-1", sscc: sscc) == nil)
        #expect(try t.ledger.shipment(carrier: "UPS", tracking: "1Z5R89390357567127") == nil)
        _ = try t.ledger.reverse(packSeq, key: "undo-pack")
        #expect(try t.ledger.packedCarton(sscc: sscc) == nil)
    }
}
