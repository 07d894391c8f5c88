import ScanModel
/// Reads stations need beyond `stock` and `history`: the ledger's position
/// (for count snapshots and conflict checks) and where a serial or EPC is.
public struct SerialLocation: Sendable, Equatable {
    /// GTIN (14 digits) when the item has one, else its SKU.
    public var item: String
    public var serial: String
    public var lot: String?
    /// Nil when the serial is known but on hand at no physical location.
    public var location: String?
}

extension Ledger {
    /// The latest committed posting's sequence (0 for an empty ledger).
    public func latestSequence() throws -> LedgerSequence {
        try read { LedgerSequence(try $0.db.scalarInt("SELECT ifnull(max(seq), 0) FROM postings") ?? 0) }
    }

    /// The sequence of the latest posting with an entry at `location` (0: never).
    public func lastChange(at location: String) throws -> LedgerSequence {
        try read { r in
            LedgerSequence(try r.db.scalarInt("""
                SELECT ifnull(max(e.seq), 0) FROM entries e JOIN accounts a ON a.id = e.account_id
                JOIN locations l ON l.id = a.location_id WHERE l.code = ?
                """, .text(location)) ?? 0)
        }
    }

    /// Where a serial of an item is on hand; nil when the ledger never saw it.
    public func serialLocation(item: String, serial: String) throws -> SerialLocation? {
        try read { r in
            guard let itemID = try r.itemID(item) else { return nil }
            guard let serialID = try r.db.scalarInt("SELECT id FROM serials WHERE item_id = ? AND serial = ?", .int(itemID), .text(serial)) else { return nil }
            return try r.serialLocation(serialID: serialID)
        }
    }

    /// Where the serial registered to an EPC (hex) is on hand; nil when unknown.
    public func serialLocation(epc: String) throws -> SerialLocation? {
        try read { r in
            guard let serialID = try r.db.scalarInt("SELECT id FROM serials WHERE epc = ?", .text(epc)) else { return nil }
            return try r.serialLocation(serialID: serialID)
        }
    }
}

extension LedgerReader {
    func serialLocation(serialID: Int64) throws -> SerialLocation? {
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
        return SerialLocation(item: s.text(0), serial: s.text(1), lot: s.optionalText(2), location: s.optionalText(3))
    }
}

/// An item's master data as stations need it.
public struct ItemSummary: Sendable, Equatable {
    /// GTIN (14 digits) when the item has one, else its SKU.
    public var code: String
    public var description: String
    public var tracking: Tracking
}

extension Ledger {
    /// The item named by GTIN (any length the GTIN type accepts) or SKU.
    public func itemSummary(_ identifier: String) throws -> ItemSummary? {
        try read { r in
            guard let id = try r.itemID(identifier) else { return nil }
            let s = try r.db.prepare("SELECT ifnull(gtin, sku), description, tracking FROM items WHERE id = ?")
            try s.bind([.int(id)])
            defer { s.reset() }
            guard try s.step() else { return nil }
            return ItemSummary(code: s.text(0), description: s.text(1), tracking: try s.checked(2, as: Tracking.self))
        }
    }

    /// A location's type, nil when the code is unknown.
    public func locationType(_ code: String) throws -> LocationKind? {
        try read { r in
            let s = try r.db.prepare("SELECT type FROM locations WHERE code = ?")
            try s.bind([.text(code)])
            defer { s.reset() }
            return try s.step() ? try s.checked(0, as: LocationKind.self) : nil
        }
    }
}
