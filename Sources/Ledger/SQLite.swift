import CSQLite
import Glibc
import ScanModel

/// A failed SQLite call: the call, the result code and SQLite's own message.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let context: String
    /// The errno of the last failed system call on the connection (0: none),
    /// which tells a full disk from other I/O errors.
    public var systemErrno: Int32 = 0
    /// The database file, when the connection knew it.
    public var path: String? = nil
    public var description: String { "sqlite error \(code) in \(context): \(message)" }

    /// The disk had no room: SQLITE_FULL (what SQLite answers when write()
    /// fails with ENOSPC), or an I/O error whose system call failed with
    /// ENOSPC or EDQUOT (growing the WAL index, truncating, syncing).
    public var isStorageFull: Bool {
        if code & 0xFF == SQLITE_FULL { return true }
        return code & 0xFF == SQLITE_IOERR && (systemErrno == ENOSPC || systemErrno == EDQUOT)
    }
}

/// One SQLite connection with a cache of prepared statements keyed by SQL text.
/// Not thread-safe: each connection is confined to one owner (the writer thread,
/// or a reader guarded by a lock), which is what SQLite's WAL mode wants anyway.
final class Connection {
    let handle: OpaquePointer
    let path: String
    private var cache: [String: Statement] = [:]

    init(path: String, readOnly: Bool = false) throws {
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            let systemErrno = db.map { sqlite3_system_errno($0) } ?? 0
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, context: "open \(path)", systemErrno: systemErrno, path: path)
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        cache.removeAll() // finalize statements before closing
        sqlite3_close_v2(handle)
    }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// A failure of this connection, with the errno behind it and the file.
    func error(_ code: Int32, _ message: String, context: String) -> SQLiteError {
        SQLiteError(code: code, message: message, context: context, systemErrno: sqlite3_system_errno(handle), path: path)
    }

    /// Rows inserted, updated or deleted on this connection so far: a
    /// transaction that changed none wrote nothing to disk.
    var totalChanges: Int64 { sqlite3_total_changes64(handle) }

    /// Runs one or more statements without results (DDL, pragmas, BEGIN/COMMIT).
    func exec(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(err)
            throw error(rc, message, context: sql)
        }
    }

    /// A prepared statement from the cache, reset and with bindings cleared.
    func prepare(_ sql: String) throws -> Statement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw error(rc, lastMessage, context: sql)
        }
        let statement = Statement(stmt, connection: self, sql: sql)
        cache[sql] = statement
        return statement
    }

    /// First column of the first row as an integer (nil when no row or NULL).
    func scalarInt(_ sql: String, _ values: SQLValue...) throws -> Int64? {
        let s = try prepare(sql)
        try s.bind(values)
        defer { s.reset() }
        guard try s.step() else { return nil }
        return s.isNull(0) ? nil : s.int(0)
    }

    /// First column of the first row as text (nil when no row or NULL).
    func scalarText(_ sql: String, _ values: SQLValue...) throws -> String? {
        let s = try prepare(sql)
        try s.bind(values)
        defer { s.reset() }
        guard try s.step() else { return nil }
        return s.optionalText(0)
    }

    var changes: Int { Int(sqlite3_changes(handle)) }
}

/// A value to bind; keeps call sites short and typed.
enum SQLValue {
    case int(Int64)
    case text(String)
    case null

    static func optionalText(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
    static func optionalInt(_ v: Int64?) -> SQLValue { v.map { .int($0) } ?? .null }
}

final class Statement {
    let raw: OpaquePointer
    unowned let connection: Connection
    let sql: String

    init(_ raw: OpaquePointer, connection: Connection, sql: String) {
        self.raw = raw
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(raw) }

    func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    func bind(_ values: [SQLValue]) throws {
        for (i, v) in values.enumerated() { try bind(v, at: Int32(i + 1)) }
    }

    func bind(_ value: SQLValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .int(let v): rc = sqlite3_bind_int64(raw, index, v)
        case .text(let s): rc = sqlite3_bind_text(raw, index, s, -1, CSQLite_transient())
        case .null: rc = sqlite3_bind_null(raw, index)
        }
        if rc != SQLITE_OK { throw connection.error(rc, connection.lastMessage, context: "bind \(index) of \(sql)") }
    }

    /// True when a row is available, false when done.
    @discardableResult
    func step() throws -> Bool {
        let rc = sqlite3_step(raw)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let failure = connection.error(rc, connection.lastMessage, context: sql)
        sqlite3_reset(raw)
        throw failure
    }

    /// Binds, runs to completion and resets.
    func run(_ values: SQLValue...) throws { try run(values) }

    func run(_ values: [SQLValue]) throws {
        try bind(values)
        defer { reset() }
        while try step() {}
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }
    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }
    func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(raw, column) else { return "" }
        return String(cString: p)
    }
    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }
}

func sqlite3LastRowID(_ db: Connection) -> Int64 { sqlite3_last_insert_rowid(db.handle) }
func sqlite3BusyTimeout(_ db: Connection, _ ms: Int32) { sqlite3_busy_timeout(db.handle, ms) }

extension SQLiteError: StorageFullReporting {}
