import Foundation
import ScanModel

// Where stations keep their sessions. What they need from the ledger
// (PostingGateway, StockLookup, MasterData) is in the kernel's contract,
// which the Ledger implements itself; tests use in-memory fakes.

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
