import ScanModel

/// What may still come back of one shipped account (item, lot, serial).
struct ReturnableLine: Codable, Hashable {
    var item: ItemCode
    var lot: String?
    var serial: String?
    var quantity: Int

    func covers(_ u: ReturnUnit) -> Bool { u.item == item && u.lot == lot && u.serial == serial }

    /// Shipped less already returned, per account; with an RMA, only what it
    /// authorises (its lines may leave lot and serial open) and no more than
    /// its quantity per item, which `refusal` checks.
    static func remaining(shipped: [StockBalance], returned: [StockBalance], authorised: [RMALine]?) -> [ReturnableLine] {
        shipped.compactMap { b in
            let back = returned.filter { $0.item == b.item && $0.lot == b.lot && $0.serial == b.serial }.reduce(Int64(0)) { $0 + $1.qty }
            let left = b.qty - back
            guard left > 0 else { return nil }
            if let authorised, !authorised.contains(where: { $0.item == b.item && ($0.lot == nil || $0.lot == b.lot) && ($0.serial == nil || $0.serial == b.serial) }) {
                return nil
            }
            return ReturnableLine(item: b.item, lot: b.lot, serial: b.serial, quantity: Int(clamping: left))
        }
    }

    /// Why `unit` cannot be returned, nil when it can. A serialised unit takes
    /// its lot from what shipped.
    static func refusal(for unit: inout ReturnUnit, in lines: [ReturnableLine], taken: [ReturnUnit], order: String) -> Feedback? {
        let ofItem = lines.filter { $0.item == unit.item }
        if let serial = unit.serial {
            guard let line = ofItem.first(where: { $0.serial == serial }),
                  !taken.contains(where: { $0.item == unit.item && $0.serial == serial }) else {
                if ofItem.isEmpty && !taken.contains(where: { $0.item == unit.item }) {
                    return .error(.notShipped, "\(unit.item) was not shipped on order \(order) (or all of it is back): set it aside")
                }
                return .error(.alreadyReturned, "serial \(serial) of \(unit.item) was never shipped on order \(order) or is already back")
            }
            unit.lot = line.lot
            return nil
        }
        let matching = ofItem.filter { unit.lot == nil || $0.lot == unit.lot }
        guard !matching.isEmpty else {
            let lot = unit.lot.map { " lot \($0)" } ?? ""
            return .error(.notShipped, "\(unit.item)\(lot) was not shipped on order \(order) (or all of it is back): set it aside")
        }
        let may = matching.reduce(0) { $0 + $1.quantity }
        let already = taken.filter { t in matching.contains { $0.covers(t) } }.reduce(0) { $0 + $1.quantity }
        if already + unit.quantity > may {
            return .error(.overReturn, "order \(order) may return \(may - already) more of \(unit.item), not \(unit.quantity)")
        }
        return nil
    }
}

/// The journal entries a return commits with: one per returned line, so a
/// supervisor sees what came back, why, and where it went.
enum ReturnJournal {
    static func entries(for units: [ReturnUnit], station: String, order: String, rma: String?, at time: Microseconds) -> [JournalEntry] {
        units.map { u in
            var detail = [("item", JSONText.quote(u.item.code)), ("qty", String(u.quantity)),
                          ("disposition", JSONText.quote(u.disposition ?? ""))]
            if let lot = u.lot { detail.append(("lot", JSONText.quote(lot))) }
            if let serial = u.serial { detail.append(("serial", JSONText.quote(serial))) }
            if let reason = u.reason { detail.append(("reason", JSONText.quote(reason))) }
            if let rma { detail.append(("rma", JSONText.quote(rma))) }
            return JournalEntry(time: time, station: station, code: "returned", severity: .info, document: order, reason: u.reason,
                                message: "returned \(u.quantity) × \(u.item) from order \(order) → \(u.disposition ?? "?")",
                                detail: JSONText.object(detail))
        }
    }
}
