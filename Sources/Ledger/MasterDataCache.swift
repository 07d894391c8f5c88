import ScanModel

struct CachedItem {
    let id: Int64
    let tracking: Tracking
}

struct CachedLocation {
    let id: Int64
    let code: String
    let type: LocationKind
    let allowNegative: Bool
}

/// Row ids of master data and accounts the writer has seen, so a burst does
/// not look the same rows up again and again. Rows created inside a posting's
/// savepoint are "pending" until it is released and "uncommitted" until the
/// batch commits; a rollback forgets exactly those, so the cache never names
/// a row the database does not have.
final class MasterDataCache {
    private enum Key: Hashable {
        case item(String), location(String), lot(Int64, String), serial(Int64, String), account(Int64, Int64, Int64, Int64)
    }
    /// Called before the cache inserts or updates a row (the engine opens its savepoint).
    var beforeWrite: (() throws -> Void)?
    private var items: [String: CachedItem] = [:]
    private var locations: [String: CachedLocation] = [:]
    private var ids: [Key: Int64] = [:]
    /// Account balances as of the last released posting (valid inside the writer's transaction).
    private var balances: [Int64: Int64] = [:]
    /// Accounts whose cached balance is newer than the table's, in first-changed order.
    private var dirty: [Int64] = []
    private var dirtySet: Set<Int64> = []
    private var pending: [Key] = []
    private var uncommitted: [Key] = []

    func keepPending(balances changed: [(Int64, Int64)]) {
        for (account, balance) in changed {
            balances[account] = balance
            if dirtySet.insert(account).inserted { dirty.append(account) }
        }
        uncommitted += pending
        pending.removeAll(keepingCapacity: true)
    }
    func dropPending() { for k in pending { forget(k) }; pending.removeAll(keepingCapacity: true) }
    func commit() { pending.removeAll(keepingCapacity: true); uncommitted.removeAll(keepingCapacity: true) }
    func clear() {
        items.removeAll(); locations.removeAll(); ids.removeAll(); balances.removeAll()
        dirty.removeAll(); dirtySet.removeAll()
        pending.removeAll(); uncommitted.removeAll()
    }

    private func forget(_ k: Key) {
        switch k {
        case .item(let s): items[s] = nil
        case .location(let s): locations[s] = nil
        case .account:
            if let id = ids.removeValue(forKey: k) { balances[id] = nil }
        default: ids[k] = nil
        }
    }

    // Everything looked up from the database inside the current posting counts
    // as pending: it may be a row this posting just inserted.
    private func remember(_ k: Key) { pending.append(k) }

    func item(db: Connection, identifier: String) throws -> CachedItem? {
        if let hit = items[identifier] { return hit }
        var found: CachedItem? = nil
        if let gtin = GTIN(identifier) {
            found = try fetchItem(db, "SELECT id, tracking FROM items WHERE gtin = ?", gtin.digits)
        }
        if found == nil { found = try fetchItem(db, "SELECT id, tracking FROM items WHERE sku = ?", identifier) }
        if let found { items[identifier] = found; remember(.item(identifier)) }
        return found
    }

    private func fetchItem(_ db: Connection, _ sql: String, _ value: String) throws -> CachedItem? {
        let s = try db.prepare(sql)
        try s.bind([.text(value)])
        defer { s.reset() }
        guard try s.step() else { return nil }
        return CachedItem(id: s.int(0), tracking: try s.checked(1, as: Tracking.self))
    }

    func location(db: Connection, code: String) throws -> CachedLocation? {
        if let hit = locations[code] { return hit }
        let s = try db.prepare("SELECT id, type, allow_negative FROM locations WHERE code = ?")
        try s.bind([.text(code)])
        defer { s.reset() }
        guard try s.step() else { return nil }
        let found = CachedLocation(id: s.int(0), code: code, type: try s.checked(1, as: LocationKind.self), allowNegative: s.int(2) != 0)
        locations[code] = found
        remember(.location(code))
        return found
    }

    func lot(db: Connection, item: Int64, lot: String, expiry: String?) throws -> Int64 {
        let key = Key.lot(item, lot)
        if let id = ids[key] { return id }
        let id = try db.scalarInt("SELECT id FROM lots WHERE item_id = ? AND lot = ?", .int(item), .text(lot))
            ?? insert(db, "INSERT INTO lots(item_id, lot, expiry) VALUES (?, ?, ?)", .int(item), .text(lot), .optionalText(expiry))
        return cache(id, as: key)
    }

    func serial(db: Connection, item: Int64, itemName: String, serial: String, epc: String?) throws -> Int64 {
        let key = Key.serial(item, serial)
        if let id = ids[key], epc == nil { return id }
        let s = try db.prepare("SELECT id, epc FROM serials WHERE item_id = ? AND serial = ?")
        try s.bind([.int(item), .text(serial)])
        var id: Int64? = nil
        var storedEPC: String? = nil
        if try s.step() { id = s.int(0); storedEPC = s.optionalText(1) }
        s.reset()
        if let epc {
            if let stored = storedEPC, stored != epc {
                throw LedgerError.serialOnHand(item: itemName, serial: serial, detail: "it carries EPC \(stored), not \(epc)")
            }
            if storedEPC == nil, let other = try db.scalarInt("SELECT id FROM serials WHERE epc = ?", .text(epc)), other != id {
                throw LedgerError.serialOnHand(item: itemName, serial: serial, detail: "EPC \(epc) already belongs to another serial")
            }
        }
        if let existing = id {
            if storedEPC == nil, let epc {
                try beforeWrite?()
                try db.prepare("UPDATE serials SET epc = ? WHERE id = ?").run(.text(epc), .int(existing))
            }
            return cache(existing, as: key)
        }
        let created = try insert(db, "INSERT INTO serials(item_id, serial, epc) VALUES (?, ?, ?)", .int(item), .text(serial), .optionalText(epc))
        return cache(created, as: key)
    }

    /// The balances to write before the batch commits; the cache then matches the table.
    func takeDirtyBalances() -> [(Int64, Int64)] {
        defer { dirty.removeAll(keepingCapacity: true); dirtySet.removeAll(keepingCapacity: true) }
        return dirty.compactMap { account in balances[account].map { (account, $0) } }
    }

    /// The stored balance of `account` (cached after the first read).
    func balance(db: Connection, account: Int64) throws -> Int64 {
        if let b = balances[account] { return b }
        let b = try db.scalarInt("SELECT balance FROM accounts WHERE id = ?", .int(account)) ?? 0
        balances[account] = b
        return b
    }

    func account(db: Connection, item: Int64, location: Int64, lot: Int64?, serial: Int64?) throws -> Int64 {
        let key = Key.account(item, location, lot ?? 0, serial ?? 0)
        if let id = ids[key] { return id }
        let id = try db.scalarInt("""
            SELECT id FROM accounts WHERE item_id = ? AND location_id = ? AND ifnull(lot_id, 0) = ? AND ifnull(serial_id, 0) = ?
            """, .int(item), .int(location), .int(lot ?? 0), .int(serial ?? 0))
            ?? insert(db, "INSERT INTO accounts(item_id, location_id, lot_id, serial_id) VALUES (?, ?, ?, ?)",
                      .int(item), .int(location), .optionalInt(lot), .optionalInt(serial))
        return cache(id, as: key)
    }

    /// Inserts a row, opening the engine's savepoint first, and returns its id.
    private func insert(_ db: Connection, _ sql: String, _ values: SQLValue...) throws -> Int64 {
        try beforeWrite?()
        try db.prepare(sql).run(values)
        return sqlite3LastRowID(db)
    }

    /// Caches a row id found or created inside the current posting (so pending).
    private func cache(_ id: Int64, as key: Key) -> Int64 {
        ids[key] = id
        remember(key)
        return id
    }
}
