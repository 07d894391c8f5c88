import Foundation
import Testing
@testable import Ledger
import ScanModel

/// `export shipments --format epcis`: the ship notice validates against the
/// EPCIS 2.0 schema and says what left, on which pallet, with whom.
@Suite struct ShipNoticeTests {
    static let loose = "037612345000000090"
    static let onPallet = ["037612345000000106", "037612345000000113"]
    static let pallet = "037612345900000018"

    /// One loose UPS carton (SO-1: widget ×3, drill S1) and a FedEx pallet of
    /// two cartons (SO-2 and SO-3, widget ×1 each).
    static func shippedLedger() throws -> TestLedger {
        let t = try TestLedger()
        _ = try t.packSO1()
        _ = try t.ship(try #require(try t.ledger.packedCarton(sscc: TestLedger.carton)))
        for (i, (order, carton)) in zip(["SO-2", "SO-3"], onPallet).enumerated() {
            let pack = PostingRequest(key: "pack-1/pack/\(order)", kind: .pack, ref: order, station: "pack-1", sscc: carton,
                                      lines: [PostingLine(item: TestLedger.widget, qty: 1, from: "PACK1", to: "SHIP1")])
            #expect(try t.post(pack).status == .posted)
            var ship = PostingRequest(key: "ship-1/ship/2/\(carton)", kind: .ship, ref: order, station: "ship-1",
                                      eventTime: "2026-12-04T09:30:00-05:00", sscc: carton,
                                      lines: [PostingLine(item: TestLedger.widget, qty: 1, from: "SHIP1", to: VirtualLocation.customer)])
            let q = JSONText.quote
            ship.journal = [JournalEntry(time: Microseconds(1_800_000_000_000_000), station: "ship-1", code: shippedJournalCode, severity: .done,
                                         document: order, message: "shipped",
                                         detail: JSONText.object([("carrier", q("FedEx")), ("service", q(nil)), ("tracking", q("12345678901\(i)")),
                                                                  ("sscc", q(carton)), ("order", q(order)), ("pallet", q(pallet))]))]
            #expect(try t.post(ship).status == .posted)
        }
        return t
    }

    @Test func theShipNoticeValidatesAndNamesCartonsPalletOrderAndCarrier() throws {
        let t = try Self.shippedLedger()
        let document = try t.ledger.read { try $0.shipNotice() }
        #expect(try EPCISExportTests.validate(document, in: t.directory) == [])

        let root = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        #expect((root["@context"] as? [Any])?.count == 2)
        let events = try #require((root["epcisBody"] as? [String: Any])?["eventList"] as? [[String: Any]])
        #expect(events.map { $0["type"] as? String } == ["ObjectEvent", "AggregationEvent", "ObjectEvent", "ObjectEvent"])

        let ups = events[0]
        #expect(ups["bizStep"] as? String == "shipping" && ups["disposition"] as? String == "in_transit" && ups["action"] as? String == "OBSERVE")
        #expect(ups["epcList"] as? [String] == ["https://id.gs1.org/00/\(TestLedger.carton)", "https://id.gs1.org/01/\(TestLedger.drill.code)/21/S1"])
        #expect((ups["quantityList"] as? [[String: Any]])?.first?["quantity"] as? Int == 3)
        #expect(ups["bizTransactionList"] as? [[String: String]] == [["type": "po", "bizTransaction": "urn:scanledger:ref:SO-1"]])
        #expect(ups["sourceList"] as? [[String: String]] == [["type": "location", "source": "urn:scanledger:loc:SHIP1"]])
        #expect(ups["scanledger:carrier"] as? String == "UPS" && ups["scanledger:trackingNumber"] as? String == TestLedger.tracking)
        #expect(ups["scanledger:service"] as? String == "03" && ups["scanledger:pallet"] == nil)

        let aggregation = events[1]
        #expect(aggregation["parentID"] as? String == "https://id.gs1.org/00/\(Self.pallet)")
        #expect(aggregation["childEPCs"] as? [String] == Self.onPallet.map { "https://id.gs1.org/00/\($0)" })
        #expect(aggregation["action"] as? String == "ADD" && aggregation["bizStep"] as? String == "packing")
        #expect((aggregation["bizTransactionList"] as? [[String: String]])?.map { $0["bizTransaction"] } == ["urn:scanledger:ref:SO-2", "urn:scanledger:ref:SO-3"])
        #expect(aggregation["eventTimeZoneOffset"] as? String == "-05:00")
        let fedex = events[3]
        #expect(fedex["scanledger:pallet"] as? String == "https://id.gs1.org/00/\(Self.pallet)")
        #expect(fedex["scanledger:trackingNumber"] as? String == "123456789011" && fedex["scanledger:service"] == nil)
        #expect(Set(events.compactMap { $0["eventID"] as? String }).count == 4)

        // The ship events are the entries export's, with the same IDs.
        let entries = try t.ledger.read { try $0.exportEPCIS() }
        #expect(entries.contains(ups["eventID"] as? String ?? "?") && entries.contains(fedex["eventID"] as? String ?? "?"))
    }

    @Test func aBrokenShipNoticeFailsValidation() throws {
        let t = try Self.shippedLedger()
        let document = try t.ledger.read { try $0.shipNotice() }
        let badType = document.replacingOccurrences(of: "\"type\" : \"po\"", with: "\"type\" : \"purchase-order\"")
        #expect(badType != document)
        #expect(try !EPCISExportTests.validate(badType, in: t.directory).isEmpty)
    }

    @Test func aReversedShipmentLeavesTheNotice() throws {
        let t = try Self.shippedLedger()
        let first = try #require(try t.ledger.read { try $0.shipments() }.first)
        #expect(try t.ledger.reverse(first.seq, key: "undo-ship").status == .posted)
        let document = try t.ledger.read { try $0.shipNotice() }
        #expect(!document.contains(TestLedger.tracking) && document.contains(Self.pallet))
    }
}

/// PalletLookup on the real ledger: read from the `shipped` entries, reversals left out.
@Suite struct PalletQueryTests {
    @Test func aPalletIsFoundByItsSSCCAndEachCartonNamesIt() throws {
        let t = try ShipNoticeTests.shippedLedger()
        let rows = try t.ledger.read { try $0.shipments() }
        #expect(rows.map(\.pallet) == [nil, ShipNoticeTests.pallet, ShipNoticeTests.pallet])
        #expect(try t.ledger.shipment(pallet: ShipNoticeTests.pallet)?.seq == rows[1].seq)
        #expect(try t.ledger.shipment(pallet: ShipNoticeTests.loose) == nil)
        #expect(try t.ledger.pallet(ofShipment: rows[0].seq) == nil)
        #expect(try t.ledger.pallet(ofShipment: rows[2].seq) == ShipNoticeTests.pallet)
        // A reversed carton no longer counts: the pallet is found by the one still out.
        #expect(try t.ledger.reverse(rows[1].seq, key: "undo-1").status == .posted)
        #expect(try t.ledger.shipment(pallet: ShipNoticeTests.pallet)?.seq == rows[2].seq)
    }
}
