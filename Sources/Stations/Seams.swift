import Foundation
import ScanModel

// The narrow interfaces Stations needs from the rest of the system. The
// service adapts the Ledger module to them; tests use in-memory fakes.

public enum PostingKind: String, Hashable, Sendable, Codable {
    case receipt, move, adjustment, pack, ship, reversal
}

/// One movement of quantity between two accounts, as in the ledger's JSON.
public struct PostingLine: Hashable, Sendable, Codable {
    public var item: ItemCode
    public var qty: Int
    public var from: LocationCode
    public var to: LocationCode
    public var lot: String?
    public var serial: String?
    /// Only informative for the ledger's lot master data (receipts).
    public var expiry: CivilDate?
    public init(item: ItemCode, qty: Int, from: LocationCode, to: LocationCode,
                lot: String? = nil, serial: String? = nil, expiry: CivilDate? = nil) {
        self.item = item; self.qty = qty; self.from = from; self.to = to
        self.lot = lot; self.serial = serial; self.expiry = expiry
    }

    enum CodingKeys: String, CodingKey { case item, qty, from, to, lot, serial, expiry }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        item = try c.decode(ItemCode.self, forKey: .item)
        qty = try c.decode(Int.self, forKey: .qty)
        from = LocationCode(try c.decode(String.self, forKey: .from))
        to = LocationCode(try c.decode(String.self, forKey: .to))
        lot = try c.decodeIfPresent(String.self, forKey: .lot)
        serial = try c.decodeIfPresent(String.self, forKey: .serial)
        expiry = try c.decodeIfPresent(CivilDate.self, forKey: .expiry)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(item, forKey: .item); try c.encode(qty, forKey: .qty)
        try c.encode(from.code, forKey: .from); try c.encode(to.code, forKey: .to)
        try c.encodeIfPresent(lot, forKey: .lot); try c.encodeIfPresent(serial, forKey: .serial)
        try c.encodeIfPresent(expiry, forKey: .expiry)
    }
}

/// The virtual locations reserved by the ledger.
public enum VirtualLocation {
    public static let supplier: LocationCode = "@supplier"
    public static let customer: LocationCode = "@customer"
    public static let adjustment: LocationCode = "@adjustment"
    public static let transit: LocationCode = "@transit"
    public static func isVirtual(_ l: LocationCode) -> Bool { l.code.hasPrefix("@") }
}

/// A posting as a station asks for it. `key` is deterministic (see
/// `IdempotencyKey`), so re-sending after a crash is answered "duplicate".
public struct PostingRequest: Hashable, Sendable, Codable {
    public var key: String
    public var kind: PostingKind
    /// ASN/PO, order or count id.
    public var ref: String?
    /// Event time from the device (µs since the Unix epoch).
    public var time: Int64
    public var station: String
    public var lines: [PostingLine]
    /// The carton's SSCC for a pack posting (EPCIS aggregation).
    public var container: String?
    public init(key: String, kind: PostingKind, ref: String?, time: Microseconds, station: String,
                lines: [PostingLine], container: String? = nil) {
        self.key = key; self.kind = kind; self.ref = ref; self.time = time.value
        self.station = station; self.lines = lines; self.container = container
    }
}

/// The ledger's answer once the posting's transaction committed (or was refused).
public enum PostingOutcome: Hashable, Sendable {
    case posted(seq: UInt64)
    /// Same key and payload seen before: the original sequence.
    case duplicate(seq: UInt64)
    /// Refused by an invariant (negative stock, serial twice, key conflict…).
    case rejected(reason: String)
}

/// Posts to the ledger. Returns only after commit; throws when the ledger
/// could not be reached (the station keeps its session and can retry with the
/// same key). Synchronous on purpose: a station is a serial state machine and
/// a commit takes milliseconds; the service runs each station on its own queue.
public protocol PostingGateway: AnyObject {
    func post(_ request: PostingRequest) throws -> PostingOutcome
}

/// A balance at one physical location.
public struct StockBalance: Hashable, Sendable, Codable {
    public var item: ItemCode
    public var lot: String?
    public var serial: String?
    public var qty: Int
    public init(item: ItemCode, lot: String? = nil, serial: String? = nil, qty: Int) {
        self.item = item; self.lot = lot; self.serial = serial; self.qty = qty
    }
}

/// Where a serialised unit (by EPC) is known to the ledger.
public struct SerialPosition: Hashable, Sendable {
    public var item: ItemCode
    public var serial: String
    public var lot: String?
    /// Nil when the serial is known but not on hand anywhere (shipped, written off).
    public var location: LocationCode?
    public init(item: ItemCode, serial: String, lot: String? = nil, location: LocationCode?) {
        self.item = item; self.serial = serial; self.lot = lot; self.location = location
    }
}

/// Read-only stock queries against the ledger.
public protocol StockLookup: AnyObject {
    /// On hand of an item at a location; `lot` nil sums over all lots.
    func onHand(item: ItemCode, lot: String?, at location: LocationCode) throws -> Int
    /// Every non-zero balance at a physical location.
    func balances(at location: LocationCode) throws -> [StockBalance]
    /// Where a serial is on hand, nil when nowhere.
    func location(ofItem item: ItemCode, serial: String) throws -> SerialPosition?
    /// The serial an EPC is registered to, nil when the ledger never saw it.
    func position(ofEPC epc: EPC) throws -> SerialPosition?
    /// The ledger's latest committed sequence.
    func ledgerSequence() throws -> UInt64
    /// The sequence of the latest posting touching that location (0: never).
    func lastChange(at location: LocationCode) throws -> UInt64
}

public enum Tracking: String, Hashable, Sendable, Codable { case none, lot, serial }

public struct ItemRecord: Hashable, Sendable {
    public var code: ItemCode
    public var description: String
    public var tracking: Tracking
    public init(code: ItemCode, description: String = "", tracking: Tracking = .none) {
        self.code = code; self.description = description; self.tracking = tracking
    }
}

public enum LocationKind: String, Hashable, Sendable, Codable { case dock, storage, pack, shipping, virtual }

public struct LocationRecord: Hashable, Sendable {
    public var code: LocationCode
    public var kind: LocationKind
    public init(code: LocationCode, kind: LocationKind) { self.code = code; self.kind = kind }
}

/// Items and locations from the ledger's master data.
public protocol MasterData: AnyObject {
    func item(_ code: ItemCode) throws -> ItemRecord?
    func location(_ code: LocationCode) throws -> LocationRecord?
}

/// A saved session: the last full snapshot plus the changes appended since.
public struct SavedSession: Hashable, Sendable {
    public var snapshot: Data
    public var journal: [Data]
    public init(snapshot: Data, journal: [Data] = []) { self.snapshot = snapshot; self.journal = journal }
}

/// Where open sessions live between restarts (the lead backs it with two
/// tables in the ledger database: snapshot per station, journal rows in
/// order). Contents are opaque JSON owned by each station. Hot paths (a portal
/// receiving thousands of tags, a shelf sweep) append small journal entries
/// instead of rewriting the whole session, so a save costs O(change), not O(session).
public protocol SessionStore: AnyObject {
    func loadSession(station: String) throws -> SavedSession?
    /// Replaces the session with this snapshot and empties its journal.
    func saveSession(station: String, snapshot: Data) throws
    /// Appends one change after the snapshot; must be durable on return.
    func appendToSession(station: String, entry: Data) throws
    func removeSession(station: String) throws
    /// A number never handed out before for this station (survives restarts);
    /// it makes idempotency keys unique per session.
    func nextSessionNumber(station: String) throws -> UInt64
}

/// Session storage in memory: for tests, and for a service run without a database.
public final class InMemorySessionStore: SessionStore {
    private var sessions: [String: SavedSession] = [:]
    private var counters: [String: UInt64] = [:]
    public init() {}
    public func loadSession(station: String) throws -> SavedSession? { sessions[station] }
    public func saveSession(station: String, snapshot: Data) throws { sessions[station] = SavedSession(snapshot: snapshot) }
    public func appendToSession(station: String, entry: Data) throws {
        guard sessions[station] != nil else { throw StationError(station: station, message: "journal entry without a session snapshot") }
        sessions[station]?.journal.append(entry)
    }
    public func removeSession(station: String) throws { sessions[station] = nil }
    public func nextSessionNumber(station: String) throws -> UInt64 {
        let n = (counters[station] ?? 0) + 1
        counters[station] = n
        return n
    }
}

/// Idempotency keys: `station/workflow/session`. The session number comes from
/// the SessionStore and is persisted with the session, so a close retried
/// after a crash sends the same key and the ledger answers "duplicate".
public enum IdempotencyKey {
    public static func make(station: String, workflow: String, session: UInt64, part: String? = nil) -> String {
        var key = "\(station)/\(workflow)/\(session)"
        if let part { key += "/\(part)" }
        return key
    }
}
