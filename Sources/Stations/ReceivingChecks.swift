import ScanModel

extension ReceivingStation {
    /// One unit against the master data, the receipt so far (`index`) plus
    /// the units before it in the same input (`batch`), its expiry and the
    /// ASN: accepted, an exception an override may accept, or refused.
    func check(_ u: inout ReceivedUnit, asn: ASNView, batch: Index, at time: Microseconds) -> Verdict {
        guard u.quantity > 0, u.quantity <= maxScanQuantity else {
            return .refuse(.error(.badQuantity, "quantity \(u.quantity) is not between 1 and \(maxScanQuantity)"))
        }
        let record: ItemRecord?
        do { record = try deps.master.item(u.item) } catch { return .refuse(unavailable(error)) }
        guard let record else { return .refuse(.error(.unknownItem, "item \(u.item) is not in the master data")) }
        if let epc = u.epc, index.units.contains(epc: epc) || batch.units.contains(epc: epc) {
            return .refuse(.error(.duplicateEPC, "tag \(epc) was already received in this receipt"))
        }
        switch record.tracking {
        case .lot:
            if u.lot == nil { return .refuse(.error(.missingLot, "item \(u.item) is lot-tracked: scan the label with its lot (10)")) }
        case .serial:
            guard let serial = u.serial else {
                return .refuse(.error(.missingSerial, "item \(u.item) is serialised: scan the label with its serial (21)"))
            }
            if u.quantity != 1 { return .refuse(.error(.badQuantity, "serialised item \(u.item) \(serial) must have quantity 1")) }
            if index.hasSerial(u.item, serial) || batch.hasSerial(u.item, serial) {
                return .refuse(.error(.duplicateSerial, "serial \(serial) of \(u.item) was already received"))
            }
            do {
                if let at = try deps.stock.location(ofItem: u.item, serial: serial)?.location {
                    return .refuse(.error(.duplicateSerial, "serial \(serial) of \(u.item) is already on hand at \(at)"))
                }
            } catch { return .refuse(unavailable(error)) }
        case .none:
            u.serial = nil  // a (21) on an untracked item is not kept as stock identity
        }
        var codes: [FeedbackCode] = []
        var messages: [String] = []
        if let expiry = u.expiry {
            let today = CivilDate(wallClock: time, utcOffsetSeconds: config.utcOffsetSeconds)
            let left = expiry.daysSinceEpoch - today.daysSinceEpoch
            if left < 0 {
                codes.append(.expired); messages.append("\(u.item) expired on \(expiry)")
            } else if left < config.minRemainingShelfLifeDays {
                codes.append(.shortDated); messages.append("\(u.item) expires \(expiry), \(left) days left (minimum \(config.minRemainingShelfLifeDays))")
            }
        }
        let lines = Set(ReceivingMatcher.candidates(for: u, in: asn.lines))
        if lines.isEmpty {
            codes.append(.unexpectedItem)
            messages.append("\(u.item)\(u.lot.map { " lot \($0)" } ?? "") is not on ASN \(asn.number)")
        } else {
            let expected = lines.reduce(0) { $0 + asn.lines[$1].quantity }
            // Already received against any of these lines: per lot of this item.
            var already = 0
            for source in [index.quantities[u.item] ?? [:], batch.quantities[u.item] ?? [:]] {
                for (lot, qty) in source {
                    let probe = ReceivedUnit(item: u.item, lot: lot, quantity: 1)
                    if !lines.isDisjoint(with: ReceivingMatcher.candidates(for: probe, in: asn.lines)) { already += qty }
                }
            }
            let total = already + u.quantity
            if total * 100 > expected * (100 + config.overReceiptTolerancePercent) {
                codes.append(.overReceipt)
                messages.append("\(u.item): \(total) received, \(expected) expected (tolerance \(config.overReceiptTolerancePercent)%)")
            }
        }
        if codes.isEmpty { return .accept }
        if let hard = codes.first(where: { !config.overridable.contains($0) }) {
            return .refuse(.error(hard, messages.joined(separator: "; ")))
        }
        return .exception(codes, messages.joined(separator: "; "))
    }
}
