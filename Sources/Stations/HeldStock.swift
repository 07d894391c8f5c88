import ScanModel

// Stations refuse held stock at scan time, with the `held-stock` code and the
// place or lot that holds it, so the operator hears it before anything is
// posted; the ledger refuses the same posting anyway (docs/ledger.md, "Held stock").

extension StationDependencies {
    /// The refusal for taking `item` (of `lot`) from `location` for a move,
    /// pick or pack; nil when nothing is held.
    func heldStockRefusal(item: ItemCode, lot: String?, from location: LocationCode) throws -> Feedback? {
        if let refusal = try heldLocationRefusal(location) { return refusal }
        guard let lot, let reason = try stock.holdReason(item: item, lot: lot) else { return nil }
        return .error(.heldStock, "lot \(lot) of \(item) is on hold (\(reason)): set it aside; it may not be moved, picked or packed")
    }

    /// The refusal for taking anything from a quarantine or damaged location.
    func heldLocationRefusal(_ location: LocationCode) throws -> Feedback? {
        guard let kind = try master.location(location)?.kind, kind.holdsStock else { return nil }
        return .error(.heldStock, "\(location) is a \(kind.rawValue) location: its stock is held; only a release or a scrap takes it out")
    }
}
