import Foundation
import ScanModel

// `scanledger export shipments --format epcis`: the ship notice, an
// EPCISDocument of the shipments `export shipments` lists (docs/ledger.md,
// "Ship notice"). Each ship posting gives the ObjectEvent the entries export
// gives it (same eventID, bizStep shipping, disposition in_transit, its
// contents), with the carton's SSCC added, the order as a `po` business
// transaction, the packed location as source, and the carrier, service,
// tracking number and pallet as extension fields; each pallet gives one
// AggregationEvent (ADD, parent the pallet SSCC, children its cartons'
// SSCCs) before its cartons' events. CBV has no field for a parcel's
// tracking number (a `bol` is a bill of lading, which a parcel label is
// not), hence the extension namespace.

/// The JSON-LD prefix of the ship notice's extension fields.
let shipNoticeNamespace = ("scanledger", "urn:scanledger:epcis:")

extension LedgerReader {
    public func shipNotice(since: Microseconds = .zero, creationDate: Date = Date()) throws -> String {
        let builder = EPCISEventBuilder(locations: try locationsByCode(), ledgerID: try ledgerID())
        let rows = try shipments(since: since)
        var events: [[String: Any]] = []
        var palletsWritten: Set<String> = []
        for row in rows {
            let history = try historyRows(where: "p.seq = ?", [.int(row.seq.value)])
            if let pallet = row.pallet, palletsWritten.insert(pallet).inserted, let head = history.first {
                events.append(builder.palletEvent(pallet, cartons: rows.filter { $0.pallet == pallet }, head: head, history: history))
            }
            events += builder.events(for: history).map { builder.shipNotice($0, row) }
        }
        return try EPCISEventBuilder.document(events, creationDate: creationDate, context: [shipNoticeNamespace.0: shipNoticeNamespace.1])
    }
}

extension EPCISEventBuilder {
    /// The carton → pallet aggregation, at the first carton's CONFIRM time
    /// and source location. Its index (15) is one no posting's own events
    /// reach (a ship has one event per source location), so its eventID is
    /// stable and distinct.
    func palletEvent(_ pallet: String, cartons: [ShipmentRow], head: HistoryRow, history: [HistoryRow]) -> [String: Any] {
        let (time, offset) = Self.eventTime(head)
        var e: [String: Any] = ["type": "AggregationEvent", "eventID": eventID(seq: head.seq.value, index: 15),
                                "eventTime": time, "eventTimeZoneOffset": offset, "recordTime": Self.utc(micros: head.commitTimeMicros),
                                "action": "ADD", "bizStep": "packing", "disposition": "in_progress",
                                "parentID": EPCISIdentifiers.sscc(pallet),
                                "childEPCs": cartons.compactMap(\.sscc).map(EPCISIdentifiers.sscc)]
        var orders: [String] = []
        for order in cartons.compactMap(\.order) where !orders.contains(order) { orders.append(order) }
        if !orders.isEmpty { e["bizTransactionList"] = orders.map(Self.purchaseOrder) }
        if let from = sourceLocation(history) { e["readPoint"] = ["id": from] }
        return e
    }

    /// A ship posting's event as the ship notice states it.
    func shipNotice(_ event: [String: Any], _ row: ShipmentRow) -> [String: Any] {
        var e = event
        if let sscc = row.sscc { e["epcList"] = [EPCISIdentifiers.sscc(sscc)] + (e["epcList"] as? [String] ?? []) }
        e["bizTransactionList"] = row.order.map { [Self.purchaseOrder($0)] }
        if let from = (e["readPoint"] as? [String: String])?["id"] { e["sourceList"] = [["type": "location", "source": from]] }
        let ns = shipNoticeNamespace.0 + ":"
        e[ns + "carrier"] = row.carrier
        e[ns + "service"] = row.service
        e[ns + "trackingNumber"] = row.tracking
        e[ns + "pallet"] = row.pallet.map(EPCISIdentifiers.sscc)
        return e
    }

    /// The customer's order is a purchase order (CBV `po`) from the buyer's side.
    static func purchaseOrder(_ order: String) -> [String: String] {
        ["type": "po", "bizTransaction": EPCISIdentifiers.reference(order)]
    }

    /// Where the cartons left from: the physical side the posting took them out of.
    private func sourceLocation(_ history: [HistoryRow]) -> String? {
        guard let from = history.first(where: { $0.qty < 0 && locations[$0.location]?.type != .virtual }) else { return nil }
        let l = locations[from.location]
        return EPCISIdentifiers.location(code: from.location, gln: l?.gln, gcpLength: l?.gcpLength)
    }
}
