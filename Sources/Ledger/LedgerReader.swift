import ScanModel

public struct StockQuery: Sendable {
    public var location: String?
    public var item: String?
    public var lot: String?
    /// Also list virtual locations (@supplier, @customer, …).
    public var includeVirtual: Bool
    public init(location: String? = nil, item: String? = nil, lot: String? = nil, includeVirtual: Bool = false) {
        self.location = location; self.item = item; self.lot = lot; self.includeVirtual = includeVirtual
    }
}

public struct StockRow: Sendable, Equatable {
    /// GTIN (14 digits) when the item has one, else its SKU.
    public var item: String
    public var location: String
    public var lot: String?
    public var serial: String?
    public var epc: String?
    public var qty: Int64
}

public enum HistoryFilter: Sendable {
    case item(String), location(String), epc(String), ref(String)
}

/// One entry with its posting, in ledger order.
public struct HistoryRow: Sendable, Equatable {
    public var seq: LedgerSequence
    public var key: String
    public var kind: PostingKind
    public var ref: String?
    public var station: String?
    public var device: String?
    public var eventTime: String?
    /// Microseconds since 1970 when the ledger committed the posting.
    public var commitTimeMicros: Int64
    public var reverses: LedgerSequence?
    public var sscc: String?
    public var location: String
    public var item: String
    public var lot: String?
    public var serial: String?
    public var epc: String?
    public var qty: Int64
}

/// One posting for the central forwarder.
public struct OutboxRecord: Sendable, Equatable {
    public var seq: LedgerSequence
    public var key: String
    /// Microseconds since 1970 when the ledger committed the posting.
    public var commitTimeMicros: Int64
    /// The posting request as one JSON object with sorted keys: device,
    /// entries [{epc, expiry, item, location, lot, qty, serial}], kind, ref,
    /// reverses (a reversal carries no entries: it negates posting `reverses`),
    /// sscc, station, time.
    public var payload: String
}

/// A read connection to the ledger (WAL readers never block the writer).
/// Not thread-safe: use one per thread, or `Ledger.read`.
public final class LedgerReader {
    let db: Connection

    public init(path: String, options: LedgerOptions = LedgerOptions()) throws {
        db = try Connection(path: path)
        try Ledger.configure(db, options: options)
        let version = try db.scalarInt("PRAGMA user_version") ?? 0
        if version > Schema.currentVersion {
            throw LedgerError.schemaTooNew(path: path, found: version, supported: Schema.currentVersion)
        }
        if version < Schema.currentVersion {
            throw LedgerError.masterData("\(path) is not a scanledger database at the current schema (version \(version)); open it with a Ledger first")
        }
    }

    // MARK: stock

    public func stock(_ q: StockQuery) throws -> [StockRow] {
        var conditions = ["a.balance <> 0"]
        var values: [SQLValue] = []
        if let item = q.item {
            guard let id = try itemID(item) else { throw LedgerError.unknownItem(item) }
            conditions.append("a.item_id = ?"); values.append(.int(id))
        }
        if let code = q.location {
            guard let id = try db.scalarInt("SELECT id FROM locations WHERE code = ?", .text(code)) else { throw LedgerError.unknownLocation(code) }
            conditions.append("a.location_id = ?"); values.append(.int(id))
        }
        if let lot = q.lot { conditions.append("lo.lot = ?"); values.append(.text(lot)) }
        if !q.includeVirtual { conditions.append("l.type <> 'virtual'") }
        let s = try db.prepare("""
            SELECT ifnull(i.gtin, i.sku), l.code, lo.lot, s.serial, s.epc, a.balance
            FROM accounts a JOIN items i ON i.id = a.item_id JOIN locations l ON l.id = a.location_id
            LEFT JOIN lots lo ON lo.id = a.lot_id LEFT JOIN serials s ON s.id = a.serial_id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY 1, 2, 3, 4
            """)
        try s.bind(values)
        defer { s.reset() }
        var rows: [StockRow] = []
        while try s.step() {
            rows.append(StockRow(item: s.text(0), location: s.text(1), lot: s.optionalText(2), serial: s.optionalText(3),
                                 epc: s.optionalText(4), qty: s.int(5)))
        }
        return rows
    }

    /// The on-hand quantity of one item at one location (all lots and serials).
    public func onHand(item: String, location: String) throws -> Int64 {
        guard let itemID = try itemID(item) else { throw LedgerError.unknownItem(item) }
        guard let locationID = try db.scalarInt("SELECT id FROM locations WHERE code = ?", .text(location)) else { throw LedgerError.unknownLocation(location) }
        return try db.scalarInt("SELECT ifnull(sum(balance), 0) FROM accounts WHERE item_id = ? AND location_id = ?",
                                .int(itemID), .int(locationID)) ?? 0
    }

    func itemID(_ identifier: String) throws -> Int64? {
        if let gtin = GTIN(identifier), let id = try db.scalarInt("SELECT id FROM items WHERE gtin = ?", .text(gtin.digits)) { return id }
        return try db.scalarInt("SELECT id FROM items WHERE sku = ?", .text(identifier))
    }

    // MARK: history

    public func history(_ filter: HistoryFilter) throws -> [HistoryRow] {
        let condition: String
        let value: SQLValue
        switch filter {
        case .item(let item):
            guard let id = try itemID(item) else { throw LedgerError.unknownItem(item) }
            condition = "a.item_id = ?"; value = .int(id)
        case .location(let code):
            guard let id = try db.scalarInt("SELECT id FROM locations WHERE code = ?", .text(code)) else { throw LedgerError.unknownLocation(code) }
            condition = "a.location_id = ?"; value = .int(id)
        case .epc(let hex):
            let normalised = EPC(hex: hex)?.hex ?? hex
            condition = "a.serial_id = (SELECT id FROM serials WHERE epc = ?)"; value = .text(normalised)
        case .ref(let ref):
            condition = "p.ref = ?"; value = .text(ref)
        }
        return try historyRows(where: condition, [value])
    }

    func historyRows(where condition: String, _ values: [SQLValue]) throws -> [HistoryRow] {
        let s = try db.prepare("""
            SELECT p.seq, p.key, p.kind, p.ref, p.station, p.device, p.event_time, p.commit_time, p.reverses, p.sscc,
                   l.code, ifnull(i.gtin, i.sku), lo.lot, s.serial, s.epc, e.qty
            FROM entries e JOIN postings p ON p.seq = e.seq JOIN accounts a ON a.id = e.account_id
            JOIN locations l ON l.id = a.location_id JOIN items i ON i.id = a.item_id
            LEFT JOIN lots lo ON lo.id = a.lot_id LEFT JOIN serials s ON s.id = a.serial_id
            WHERE \(condition)
            ORDER BY e.seq, e.line
            """)
        try s.bind(values)
        defer { s.reset() }
        var rows: [HistoryRow] = []
        while try s.step() {
            rows.append(HistoryRow(
                seq: LedgerSequence(s.int(0)), key: s.text(1), kind: try s.checked(2, as: PostingKind.self),
                ref: s.optionalText(3), station: s.optionalText(4), device: s.optionalText(5), eventTime: s.optionalText(6),
                commitTimeMicros: s.int(7), reverses: s.optionalInt(8).map { LedgerSequence($0) }, sscc: s.optionalText(9),
                location: s.text(10), item: s.text(11), lot: s.optionalText(12), serial: s.optionalText(13),
                epc: s.optionalText(14), qty: s.int(15)))
        }
        return rows
    }

    /// Every entry after `since`, in ledger order (for exports).
    public func entries(since: LedgerSequence = LedgerSequence(0)) throws -> [HistoryRow] {
        try historyRows(where: "e.seq > ?", [.int(since.value)])
    }

    // MARK: outbox

    public func pendingOutbox(after: LedgerSequence? = nil, limit: Int = 1_000) throws -> [OutboxRecord] {
        let start = try after ?? forwardedUpTo()
        let s = try db.prepare("SELECT o.seq, p.key, p.commit_time, o.payload FROM outbox o JOIN postings p ON p.seq = o.seq WHERE o.seq > ? ORDER BY o.seq LIMIT ?")
        try s.bind([.int(start.value), .int(Int64(max(0, limit)))])
        defer { s.reset() }
        var out: [OutboxRecord] = []
        while try s.step() {
            out.append(OutboxRecord(seq: LedgerSequence(s.int(0)), key: s.text(1), commitTimeMicros: s.int(2), payload: s.text(3)))
        }
        return out
    }

    public func forwardedUpTo() throws -> LedgerSequence {
        LedgerSequence(try db.scalarInt("SELECT forwarded_upto FROM outbox_cursor WHERE id = 1") ?? 0)
    }

    /// Items and locations, for exports that need GLNs and descriptions.
    func locationsByCode() throws -> [String: Location] {
        let s = try db.prepare("SELECT code, gln, gcp_length, type, allow_negative FROM locations")
        defer { s.reset() }
        var out: [String: Location] = [:]
        while try s.step() {
            let code = s.text(0)
            out[code] = Location(code: code, gln: s.optionalText(1).flatMap { GLN($0) }, gcpLength: s.optionalInt(2).map { Int($0) },
                                 type: try s.checked(3, as: LocationKind.self), allowNegative: s.int(4) != 0)
        }
        return out
    }
}

extension Statement {
    /// A column the schema constrains to an enum's raw values (CHECK … IN).
    /// Anything else means the file was changed behind the ledger's back:
    /// an error, never a silent default that would turn one kind into another.
    func checked<T: RawRepresentable>(_ column: Int32, as type: T.Type) throws -> T where T.RawValue == String {
        let raw = text(column)
        guard let value = T(rawValue: raw) else {
            throw LedgerError.sqlite("column \(column) holds '\(raw)', which is not a \(T.self); the database was changed outside scanledger")
        }
        return value
    }
}
