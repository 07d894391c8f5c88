import CSQLite
import Foundation

/// SQLite's own structural checks of a ledger file, apart from the ledger's
/// invariants (Verify.swift): a flipped bit in a b-tree page is invisible to
/// queries that happen not to read that page, so it has to be looked for.
public enum IntegrityCheck: String, Sendable {
    /// `PRAGMA quick_check`: every page, b-tree structure, record format,
    /// NOT NULL/CHECK/STRICT types; not index-versus-table agreement. Linear
    /// in the file size (docs/operations.md has the measured cost).
    case quick
    /// `PRAGMA integrity_check`: also checks every index against its table
    /// and UNIQUE constraints. Slower (an index lookup per row).
    case full
}

/// The daemon refuses a damaged ledger rather than posting into it.
public struct LedgerDamaged: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let check: IntegrityCheck
    public let problems: [String]
    public var description: String {
        let shown = problems.prefix(5).joined(separator: "; ")
        let more = problems.count > 5 ? " (and \(problems.count - 5) more)" : ""
        return "ledger \(path) is damaged (sqlite \(check == .quick ? "quick_check" : "integrity_check"): \(shown)\(more)); not starting. "
            + "See the damage with `scanledger verify --deep --db \(path)`; "
            + "restore the last good backup with `scanledger restore BACKUP --db \(path)` (docs/operations.md, Corruption)"
    }
}

public enum LedgerIntegrity {
    /// What SQLite's check reports, at most `limit` lines; empty when sound.
    /// A file SQLite cannot even read as a database is reported, not thrown.
    public static func problems(path: String, check: IntegrityCheck, limit: Int = 100) throws -> [String] {
        let db = try Connection(path: path)
        sqlite3BusyTimeout(db, 5_000)
        let pragma = check == .quick ? "quick_check" : "integrity_check"
        do {
            let s = try db.prepare("PRAGMA \(pragma)(\(max(1, limit)))")
            defer { s.reset() }
            var out: [String] = []
            while try s.step() { if s.text(0) != "ok" { out.append(s.text(0)) } }
            return lines(out)
        } catch let e as SQLiteError where isDamage(e.code) {
            return ["\(pragma) stopped: \(e.message) (sqlite error \(e.code))"]
        }
    }

    /// The start-up check: a missing file is a new ledger (nothing to check);
    /// anything SQLite reports stops the start with `LedgerDamaged`.
    public static func checkBeforeOpening(path: String, check: IntegrityCheck = .quick) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let found = try problems(path: path, check: check, limit: 20)
        if !found.isEmpty { throw LedgerDamaged(path: path, check: check, problems: found) }
    }

    /// SQLite's report as one problem per line: a row may hold several lines,
    /// under a "*** in database main ***" heading that says nothing here.
    static func lines(_ rows: [String]) -> [String] {
        rows.flatMap { $0.split(separator: "\n").map(String.init) }.filter { !$0.hasPrefix("*** in database ") }
    }

    /// Result codes that mean the file's content is bad, not that it is busy.
    static func isDamage(_ code: Int32) -> Bool {
        let primary = code & 0xFF
        return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB || primary == SQLITE_FORMAT
    }
}
