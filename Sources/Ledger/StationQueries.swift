import ScanModel

// The reads stations need, in the kernel's terms: the Ledger is their
// StockLookup and MasterData itself, so nothing converts between two shapes.

extension Ledger: StockLookup, MasterData {
    // MARK: StockLookup

    public func onHand(item: ItemCode, lot: String?, at location: LocationCode) throws -> Int64 {
        try stockRows(StockQuery(location: location.code, item: item.code, lot: lot)).reduce(Int64(0)) { $0 &+ $1.qty }
    }

    public func balances(at location: LocationCode) throws -> [StockBalance] {
        try stockRows(StockQuery(location: location.code)).map {
            StockBalance(item: ItemCode($0.item), lot: $0.lot, serial: $0.serial, qty: $0.qty)
        }
    }

    /// Stock rows; an item or location the ledger does not know has none.
    private func stockRows(_ q: StockQuery) throws -> [StockRow] {
        do { return try stock(q) } catch let e as LedgerError {
            switch e {
            case .unknownItem, .unknownLocation: return []
            default: throw e
            }
        }
    }

    /// Where a serial of an item is on hand; nil when the ledger never saw it.
    public func location(ofItem item: ItemCode, serial: String) throws -> SerialPosition? {
        try read { r in
            guard let itemID = try r.itemID(item.code) else { return nil }
            guard let serialID = try r.db.scalarInt("SELECT id FROM serials WHERE item_id = ? AND serial = ?", .int(itemID), .text(serial)) else { return nil }
            return try r.serialPosition(serialID: serialID)
        }
    }

    /// Where the serial registered to an EPC is on hand; nil when unknown.
    public func position(ofEPC epc: EPC) throws -> SerialPosition? {
        try read { r in
            guard let serialID = try r.db.scalarInt("SELECT id FROM serials WHERE epc = ?", .text(epc.hex)) else { return nil }
            return try r.serialPosition(serialID: serialID)
        }
    }

    /// The latest committed posting's sequence (`.none` for an empty ledger).
    public func ledgerSequence() throws -> LedgerSequence {
        try read { LedgerSequence(try $0.db.scalarInt("SELECT ifnull(max(seq), 0) FROM postings") ?? 0) }
    }

    /// The sequence of the latest posting with an entry at `location` (`.none`: never).
    public func lastChange(at location: LocationCode) throws -> LedgerSequence {
        try read { r in
            LedgerSequence(try r.db.scalarInt("""
                SELECT ifnull(max(e.seq), 0) FROM entries e JOIN accounts a ON a.id = e.account_id
                JOIN locations l ON l.id = a.location_id WHERE l.code = ?
                """, .text(location.code)) ?? 0)
        }
    }

    public func holdReason(item: ItemCode, lot: String) throws -> String? {
        try read { try $0.holdReason(item: item, lot: lot) }
    }

    // MARK: MasterData

    /// The item named by GTIN (any length the GTIN type accepts) or SKU.
    public func item(_ code: ItemCode) throws -> ItemRecord? {
        try read { r in
            guard let id = try r.itemID(code.code) else { return nil }
            let s = try r.db.prepare("SELECT ifnull(gtin, sku), description, tracking FROM items WHERE id = ?")
            try s.bind([.int(id)])
            defer { s.reset() }
            guard try s.step() else { return nil }
            return ItemRecord(code: ItemCode(s.text(0)), description: s.text(1), tracking: try s.checked(2, as: Tracking.self))
        }
    }

    /// A location and its kind, nil when the code is unknown.
    public func location(_ code: LocationCode) throws -> LocationRecord? {
        try read { r in
            let s = try r.db.prepare("SELECT type FROM locations WHERE code = ?")
            try s.bind([.text(code.code)])
            defer { s.reset() }
            return try s.step() ? LocationRecord(code: code, kind: try s.checked(0, as: LocationKind.self)) : nil
        }
    }
}

extension LedgerReader {
    func serialPosition(serialID: Int64) throws -> SerialPosition? {
        let s = try db.prepare("""
            SELECT ifnull(i.gtin, i.sku), s.serial,
              (SELECT lo.lot FROM accounts a JOIN lots lo ON lo.id = a.lot_id WHERE a.serial_id = s.id AND a.balance > 0 LIMIT 1),
              (SELECT l.code FROM accounts a JOIN locations l ON l.id = a.location_id
                 WHERE a.serial_id = s.id AND a.balance > 0 AND l.type <> 'virtual' LIMIT 1)
            FROM serials s JOIN items i ON i.id = s.item_id WHERE s.id = ?
            """)
        try s.bind([.int(serialID)])
        defer { s.reset() }
        guard try s.step() else { return nil }
        return SerialPosition(item: ItemCode(s.text(0)), serial: s.text(1), lot: s.optionalText(2), location: s.optionalText(3).map { LocationCode($0) })
    }
}
