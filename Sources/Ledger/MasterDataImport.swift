import ScanModel

extension Ledger {
    /// Adds or updates items, all or nothing. An item is matched by GTIN, else
    /// by SKU; its tracking cannot change once it has stock accounts.
    public func importItems(_ items: [Positioned<Item>], file: String) throws(LedgerError) {
        try importRows(items, file: file, upsert: Ledger.upsert)
    }

    public func importItems(_ items: [Item]) throws(LedgerError) {
        try importItems(Self.numberedRows(items), file: "items")
    }

    /// Adds or updates locations (matched by code), all or nothing.
    public func importLocations(_ locations: [Positioned<Location>], file: String) throws(LedgerError) {
        try importRows(locations, file: file, upsert: Ledger.upsert)
    }

    public func importLocations(_ locations: [Location]) throws(LedgerError) {
        try importLocations(Self.numberedRows(locations), file: "locations")
    }

    /// One write transaction for all rows; the first failing row names its place in the file.
    private func importRows<T: Sendable>(_ rows: [Positioned<T>], file: String,
                                         upsert: @escaping @Sendable (T, Connection) throws -> Void) throws(LedgerError) {
        try writeAndWait { db in
            for row in rows {
                do { try upsert(row.value, db) } catch let e as LedgerError {
                    throw LedgerError.importFailed(file: file, line: row.line, column: row.column, message: e.description)
                } catch let e as SQLiteError {
                    throw LedgerError.importFailed(file: file, line: row.line, column: row.column, message: e.message)
                }
            }
        }
    }

    /// Rows given in code: row N is "line N".
    private static func numberedRows<T>(_ values: [T]) -> [Positioned<T>] {
        values.enumerated().map { Positioned($0.element, at: SourcePosition(line: $0.offset + 1, column: 1)) }
    }

    static func upsert(_ item: Item, db: Connection) throws {
        var existing: Int64? = nil
        if let gtin = item.gtin { existing = try db.scalarInt("SELECT id FROM items WHERE gtin = ?", .text(gtin.digits)) }
        if existing == nil, let sku = item.sku { existing = try db.scalarInt("SELECT id FROM items WHERE sku = ?", .text(sku)) }
        guard let id = existing else {
            try db.prepare("INSERT INTO items(gtin, sku, description, tracking) VALUES (?, ?, ?, ?)")
                .run(.optionalText(item.gtin?.digits), .optionalText(item.sku), .text(item.description), .text(item.tracking.rawValue))
            return
        }
        let s = try db.prepare("SELECT tracking FROM items WHERE id = ?")
        try s.bind([.int(id)])
        let tracking = try s.step() ? s.text(0) : item.tracking.rawValue
        s.reset()
        if tracking != item.tracking.rawValue, (try db.scalarInt("SELECT count(*) FROM accounts WHERE item_id = ?", .int(id)) ?? 0) > 0 {
            throw LedgerError.masterData("item \(item.gtin?.digits ?? item.sku ?? "?") already has stock tracked by \(tracking); cannot change it to \(item.tracking.rawValue)")
        }
        do {
            try db.prepare("UPDATE items SET gtin = ifnull(?, gtin), sku = ifnull(?, sku), description = ?, tracking = ? WHERE id = ?")
                .run(.optionalText(item.gtin?.digits), .optionalText(item.sku), .text(item.description), .text(item.tracking.rawValue), .int(id))
        } catch let e as SQLiteError {
            throw LedgerError.masterData("item \(item.gtin?.digits ?? item.sku ?? "?"): its GTIN or SKU already belongs to another item (\(e.message))")
        }
    }

    static func upsert(_ location: Location, db: Connection) throws {
        guard !location.code.isEmpty, !location.code.hasPrefix("@"), location.type != .virtual else {
            throw LedgerError.masterData("location '\(location.code)': virtual locations and codes starting with '@' are reserved")
        }
        try db.prepare("""
            INSERT INTO locations(code, gln, gcp_length, type, allow_negative) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(code) DO UPDATE SET gln = excluded.gln, gcp_length = excluded.gcp_length,
              type = excluded.type, allow_negative = excluded.allow_negative
            """).run(.text(location.code), .optionalText(location.gln?.digits), .optionalInt(location.gcpLength.map(Int64.init)),
                     .text(location.type.rawValue), .int(location.allowNegative ? 1 : 0))
    }
}
