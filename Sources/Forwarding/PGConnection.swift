import CLibPQ
import Foundation

/// Why talking to the central database failed. The kind drives the
/// forwarder's reaction (reconnect, back off, stop for a person) and the
/// errors-by-kind metric. Messages are redacted: no password ever appears.
public struct CentralError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Could not connect, or the connection broke (network, restart, failover).
        case connection
        /// The server refused our credentials.
        case authentication
        /// The central schema is missing, or newer than this scanledger knows.
        case schema
        /// A central row differs from the local posting with the same key.
        case conflict
        /// Any other SQL error (permissions, disk full on the server, …).
        case query
        /// Bad settings: the connection string, the password file.
        case configuration
        /// Reading the local ledger failed.
        case ledger
    }
    public var kind: Kind
    public var message: String
    /// SQLSTATE from the server, when there was one.
    public var sqlState: String?
    public init(_ kind: Kind, _ message: String, sqlState: String? = nil) {
        self.kind = kind; self.message = message; self.sqlState = sqlState
    }
    public var description: String { message }
}

/// One libpq connection. Not thread-safe: one owner at a time.
final class PGConnection {
    /// The libpq handle (nil after a failed connect); for COPY in PGCopyBinary.swift.
    private(set) var conn: OpaquePointer?
    private let redactor: Redactor

    /// Connects with `settings`. The password (from a file) is passed as its
    /// own keyword, never spliced into a string that could be logged.
    init(_ settings: CentralConnectionSettings) throws(CentralError) {
        redactor = settings.redactor
        var keywords = ["dbname", "application_name", "connect_timeout"]
        var values = [settings.conninfo, settings.applicationName, String(settings.connectTimeoutSeconds)]
        let password: String
        do { password = try settings.loadPassword() } catch { throw error }
        if !password.isEmpty { keywords.append("password"); values.append(password) }
        let kw = keywords.map { strdup($0) }, vals = values.map { strdup($0) }
        defer { kw.forEach { free($0) }; vals.forEach { free($0) } }
        var kwPtrs: [UnsafePointer<CChar>?] = kw.map { UnsafePointer($0) } + [nil]
        var valPtrs: [UnsafePointer<CChar>?] = vals.map { UnsafePointer($0) } + [nil]
        // expand_dbname = 1: "dbname" may hold a full conninfo string or URI.
        conn = PQconnectdbParams(&kwPtrs, &valPtrs, 1)
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let raw = conn.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(conn)
            self.conn = nil
            let text = redactor.redact(raw.trimmingCharacters(in: .whitespacesAndNewlines))
            let auth = text.contains("password authentication failed") || text.contains("no password supplied")
                || text.contains("authentication failed") || text.contains("role \"")
            throw CentralError(auth ? .authentication : .connection,
                               "cannot connect to the central database (\(settings.redactedConninfo)): \(text)")
        }
        // Quiet NOTICEs (e.g. "relation already exists, skipping") on stderr.
        // JIT off: a batch statement's estimated cost crosses jit_above_cost,
        // and compiling it (~1 s, every time: parameters differ) dwarfs running it.
        _ = exec("SET client_min_messages = warning; SET jit = off")
    }

    deinit { PQfinish(conn) }

    var isHealthy: Bool { conn.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// Server version as an integer (150004 for 15.4).
    var serverVersion: Int { conn.map { Int(PQserverVersion($0)) } ?? 0 }

    /// Runs `sql` (may be several statements without parameters).
    @discardableResult
    func exec(_ sql: String) -> Result<PGResult, CentralError> {
        guard let conn else { return .failure(CentralError(.connection, "not connected to the central database")) }
        return check(PQexec(conn, sql), sql: sql)
    }

    /// Runs one statement with text parameters (nil = NULL).
    func exec(_ sql: String, _ params: [String?]) -> Result<PGResult, CentralError> {
        guard let conn else { return .failure(CentralError(.connection, "not connected to the central database")) }
        let copies = params.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        let result = pointers.withUnsafeBufferPointer { buffer in
            PQexecParams(conn, sql, Int32(params.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        return check(result, sql: sql)
    }

    /// Sends a `COPY … FROM STDIN`; true when the server now awaits the data.
    func startCopy(_ sql: String) throws(CentralError) -> Bool {
        guard let conn else { throw CentralError(.connection, "not connected to the central database") }
        let result = PQexec(conn, sql)
        if let result, PQresultStatus(result) == PGRES_COPY_IN { PQclear(result); return true }
        _ = try check(result, sql: sql).get()
        return false
    }

    /// Runs `sql` and throws on failure (result discarded).
    func run(_ sql: String, _ params: [String?]? = nil) throws(CentralError) { _ = try query(sql, params) }

    /// Runs `sql` and returns its rows, or throws.
    func query(_ sql: String, _ params: [String?]? = nil) throws(CentralError) -> PGResult {
        try (params.map { exec(sql, $0) } ?? exec(sql)).get()
    }

    func check(_ result: OpaquePointer?, sql: String) -> Result<PGResult, CentralError> {
        guard let result else {
            let text = conn.map { String(cString: PQerrorMessage($0)) } ?? ""
            return .failure(CentralError(.connection, "central database: " + redactor.redact(text.trimmingCharacters(in: .whitespacesAndNewlines))))
        }
        let status = PQresultStatus(result)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK { return .success(PGResult(result)) }
        let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        PQclear(result)
        // Class 08 is "connection exception"; 57P0x is shutdown/crash; a dead socket has no SQLSTATE.
        let broken = !isHealthy || state == nil || state?.hasPrefix("08") == true || state?.hasPrefix("57P") == true
        return .failure(CentralError(broken ? .connection : .query, "central database: " + redactor.redact(message), sqlState: state))
    }
}

/// A query result; frees itself.
final class PGResult {
    private let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { PQclear(raw) }
    var rowCount: Int { Int(PQntuples(raw)) }
    var columnCount: Int { Int(PQnfields(raw)) }
    /// Rows affected by an INSERT/UPDATE.
    var affected: Int { Int(String(cString: PQcmdTuples(raw))) ?? 0 }
    func isNull(_ row: Int, _ column: Int) -> Bool {
        guard row < rowCount, column < columnCount else { return true }
        return PQgetisnull(raw, Int32(row), Int32(column)) == 1
    }
    func text(_ row: Int, _ column: Int) -> String? {
        guard !isNull(row, column) else { return nil }
        return String(cString: PQgetvalue(raw, Int32(row), Int32(column)))
    }
    func int(_ row: Int, _ column: Int) -> Int64? { text(row, column).flatMap { Int64($0) } }
    func double(_ row: Int, _ column: Int) -> Double? { text(row, column).flatMap { Double($0) } }
}
