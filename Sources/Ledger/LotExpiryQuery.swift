import ScanModel

// A pick station keeps first-expiry-first-out with the expiry the lot
// arrived with (the `lots` row the receipt created).
extension LedgerReader {
    func lotExpiry(item: ItemCode, lot: String) throws -> CivilDate? {
        guard let itemID = try itemID(item.code) else { return nil }
        let text = try db.scalarText("SELECT expiry FROM lots WHERE item_id = ? AND lot = ?", .int(itemID), .text(lot))
        return text.flatMap { CivilDate(iso: $0) }
    }
}

extension Ledger {
    /// The expiry a lot of an item was received with; nil when unknown or undated.
    public func lotExpiry(item: ItemCode, lot: String) throws -> CivilDate? {
        try read { try $0.lotExpiry(item: item, lot: lot) }
    }
}
