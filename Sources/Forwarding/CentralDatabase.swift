import Foundation

/// One on-hand row of the central `site_balances` / `origin_balances` views.
public struct CentralStockRow: Sendable, Equatable {
    /// The site (site view) or the origin box (per-origin view).
    public var scope: String
    public var location: String
    public var item: String
    public var lot: String?
    public var serial: String?
    public var qty: Int64
}

/// How far the central copy is behind one box.
public struct OriginLag: Sendable, Equatable {
    public var origin: String
    public var site: String
    /// The box's last posting, as it last reported.
    public var localHeadSeq: Int64
    /// The last of its postings the central database holds.
    public var centralSeq: Int64
    public var postingsBehind: Int64
    public var secondsBehind: Double
    /// When the box last reported (ISO 8601).
    public var reportedAt: String
    public var centralPostings: Int64
}

/// The central database for the `scanledger central` commands: schema
/// set-up and the queries behind `stock` and `status`. Not thread-safe.
public final class CentralDatabase {
    let db: PGConnection

    public init(_ settings: CentralConnectionSettings) throws(CentralError) {
        db = try PGConnection(settings)
    }

    /// The schema version this build writes.
    public static var supportedSchemaVersion: Int { CentralSchema.currentVersion }

    /// The database's schema version (0: none).
    public func schemaVersion() throws(CentralError) -> Int { try CentralSchema.version(db) }

    /// Creates or migrates the schema; returns the versions before and after.
    public func initialize() throws(CentralError) -> (from: Int, to: Int) { try CentralSchema.migrate(db) }

    /// On-hand at physical locations, per site (`bySite`) or per origin box.
    public func stock(bySite: Bool = true, scope: String? = nil, location: String? = nil, item: String? = nil) throws(CentralError) -> [CentralStockRow] {
        try CentralSchema.check(db)
        let view = bySite ? "site_balances" : "origin_balances"
        let scopeColumn = bySite ? "site" : "origin"
        let sql = """
            SELECT \(scopeColumn), location, item, lot, serial, qty FROM \(view)
            WHERE ($1::text IS NULL OR \(scopeColumn) = $1) AND ($2::text IS NULL OR location = $2) AND ($3::text IS NULL OR item = $3)
            ORDER BY 1, 2, 3, 4 NULLS FIRST, 5 NULLS FIRST
            """
        let r = try db.query(sql, [scope, location, item])
        return (0..<r.rowCount).map { i in
            CentralStockRow(scope: r.text(i, 0) ?? "", location: r.text(i, 1) ?? "", item: r.text(i, 2) ?? "",
                            lot: r.text(i, 3), serial: r.text(i, 4), qty: r.int(i, 5) ?? 0)
        }
    }

    /// Runs one statement (text parameters, nil = NULL), for tools and benchmarks.
    public func execute(_ sql: String, _ params: [String?] = []) throws(CentralError) {
        try db.run(sql, params.isEmpty ? nil : params)
    }

    /// The station journal entries central holds from `origin`: how many,
    /// and the highest local id among them (equal when none is missing).
    public func journalHeld(origin: String) throws(CentralError) -> (entries: Int64, highestID: Int64) {
        try CentralSchema.check(db)
        let r = try db.query("SELECT count(*), coalesce(max(id), 0) FROM station_journal WHERE origin = $1", [origin])
        return (r.int(0, 0) ?? 0, r.int(0, 1) ?? 0)
    }

    /// Lag per origin.
    public func status() throws(CentralError) -> [OriginLag] {
        try CentralSchema.check(db)
        let r = try db.query("""
            SELECT l.origin, l.site, l.local_head_seq, l.central_seq, l.postings_behind, l.seconds_behind,
                   to_char(l.reported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                   (SELECT count(*) FROM postings p WHERE p.origin = l.origin)
            FROM origin_lag l ORDER BY l.origin
            """)
        return (0..<r.rowCount).map { i in
            OriginLag(origin: r.text(i, 0) ?? "", site: r.text(i, 1) ?? "", localHeadSeq: r.int(i, 2) ?? 0,
                      centralSeq: r.int(i, 3) ?? 0, postingsBehind: r.int(i, 4) ?? 0, secondsBehind: r.double(i, 5) ?? 0,
                      reportedAt: r.text(i, 6) ?? "", centralPostings: r.int(i, 7) ?? 0)
        }
    }
}
