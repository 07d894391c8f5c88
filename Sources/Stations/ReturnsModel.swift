import ScanModel

/// What may still come back of one shipped account (item, lot, serial).
struct ReturnableLine: Codable, Hashable {
    var item: ItemCode
    var lot: String?
    var serial: String?
    var quantity: Int

    func covers(_ u: ReturnUnit) -> Bool { u.item == item && u.lot == lot && u.serial == serial }

    /// Shipped less already returned, per account; with an RMA, only the
    /// accounts it names (its lines may leave lot and serial open). A fully
    /// returned account stays with quantity 0, so more of it is an
    /// over-return (or an already-returned serial), not "not shipped".
    static func remaining(shipped: [StockBalance], returned: [StockBalance], authorised: [RMALine]?) -> [ReturnableLine] {
        shipped.compactMap { b in
            if let authorised, !authorised.contains(where: { $0.allows(item: b.item, lot: b.lot, serial: b.serial) }) { return nil }
            let back = returned.filter { $0.item == b.item && $0.lot == b.lot && $0.serial == b.serial }.reduce(Int64(0)) { $0 + $1.qty }
            return ReturnableLine(item: b.item, lot: b.lot, serial: b.serial, quantity: Int(clamping: max(0, b.qty - back)))
        }
    }

    /// Why `unit` cannot be returned, nil when it can. A serialised unit takes
    /// its lot from what shipped.
    static func refusal(for unit: inout ReturnUnit, in lines: [ReturnableLine], taken: [ReturnUnit], order: String,
                        rma: (number: String, lines: [RMALine])?) -> Feedback? {
        let ofItem = lines.filter { $0.item == unit.item }
        guard !ofItem.isEmpty else {
            return .error(.notShipped, "\(unit.item) was not shipped on order \(order)\(rma.map { " (or is not on RMA \($0.number))" } ?? ""): set it aside")
        }
        if let serial = unit.serial {
            guard let line = ofItem.first(where: { $0.serial == serial && $0.quantity > 0 }),
                  !taken.contains(where: { $0.item == unit.item && $0.serial == serial }) else {
                let onRMA = rma.map { ", is not on RMA \($0.number)," } ?? ""
                return .error(.alreadyReturned, "serial \(serial) of \(unit.item) was never shipped on order \(order)\(onRMA) or is already back")
            }
            unit.lot = line.lot
        } else {
            let matching = ofItem.filter { unit.lot == nil || $0.lot == unit.lot }
            guard !matching.isEmpty else {
                return .error(.notShipped, "\(unit.item) lot \(unit.lot ?? "") was not shipped on order \(order): set it aside")
            }
            let may = matching.reduce(0) { $0 + $1.quantity }
            let already = taken.filter { t in matching.contains { $0.covers(t) } }.reduce(0) { $0 + $1.quantity }
            if already + unit.quantity > may {
                return .error(.overReturn, "order \(order) may return \(max(0, may - already)) more of \(unit.item), not \(unit.quantity)")
            }
        }
        // The RMA caps what it authorises, whatever else the order shipped.
        guard let rma else { return nil }
        let covering = rma.lines.filter { $0.allows(item: unit.item, lot: unit.lot, serial: unit.serial) }
        let allowed = covering.reduce(0) { $0 + $1.quantity }
        let already = taken.filter { t in covering.contains { $0.allows(item: t.item, lot: t.lot, serial: t.serial) } }.reduce(0) { $0 + $1.quantity }
        if already + unit.quantity > allowed {
            return .error(.overReturn, "RMA \(rma.number) authorises \(max(0, allowed - already)) more of \(unit.item), not \(unit.quantity)")
        }
        return nil
    }
}

extension RMALine {
    /// An RMA line without a lot or serial allows any the order shipped.
    func allows(item: ItemCode, lot: String?, serial: String?) -> Bool {
        self.item == item && (self.lot == nil || self.lot == lot) && (self.serial == nil || self.serial == serial)
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
