import Foundation
import ScanModel

// The narrow interfaces Stations needs from the rest of the system. The
// service adapts the Ledger module to them; tests use in-memory fakes.

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
    public var qty: Int64
    public init(item: ItemCode, lot: String? = nil, serial: String? = nil, qty: Int64) {
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
    func onHand(item: ItemCode, lot: String?, at location: LocationCode) throws -> Int64
    /// Every non-zero balance at a physical location.
    func balances(at location: LocationCode) throws -> [StockBalance]
    /// Where a serial is on hand, nil when nowhere.
    func location(ofItem item: ItemCode, serial: String) throws -> SerialPosition?
    /// The serial an EPC is registered to, nil when the ledger never saw it.
    func position(ofEPC epc: EPC) throws -> SerialPosition?
    /// The ledger's latest committed sequence.
    func ledgerSequence() throws -> LedgerSequence
    /// The sequence of the latest posting touching that location (`.none`: never).
    func lastChange(at location: LocationCode) throws -> LedgerSequence
}

public struct ItemRecord: Hashable, Sendable {
    public var code: ItemCode
    public var description: String
    public var tracking: Tracking
    public init(code: ItemCode, description: String = "", tracking: Tracking = .none) {
        self.code = code; self.description = description; self.tracking = tracking
    }
}

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
