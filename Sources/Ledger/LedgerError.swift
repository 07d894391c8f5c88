import ScanModel
/// Everything the ledger refuses, with a message a person can act on.
public enum LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    case schemaTooNew(path: String, found: Int64, supported: Int64)
    case sqlite(String)
    case closed
    case invalidPosting(String)
    case unknownItem(String)
    case unknownLocation(String)
    case unbalanced(item: String, lot: String?, serial: String?, sum: Int64)
    case negativeOnHand(location: String, item: String, lot: String?, balance: Int64)
    case serialOnHand(item: String, serial: String, detail: String)
    case idempotencyConflict(key: String)
    case notFound(LedgerSequence)
    case alreadyReversed(LedgerSequence, by: LedgerSequence)
    case masterData(String)
    case importFailed(file: String, line: Int, column: Int, message: String)
    /// A move, pack or ship would take held stock: from a quarantine or
    /// damaged location (`lot` nil), or of a lot on hold (`location` is where).
    case heldStock(location: String, item: String, lot: String?, reason: String?)
    /// The disk holding the ledger had no room for a write (SQLITE_FULL, or
    /// ENOSPC under an I/O error): nothing of that write was saved. `detail`
    /// is SQLite's own account (the call and its message).
    case storageFull(path: String, detail: String)

    public var description: String {
        switch self {
        case let .schemaTooNew(path, found, supported):
            return "\(path): database schema version \(found) is newer than this scanledger supports (\(supported)); upgrade scanledger, or use a copy of the database"
        case .sqlite(let m): return "database error: \(m)"
        case .closed: return "the ledger is closed"
        case .invalidPosting(let m): return m
        case .unknownItem(let i): return "unknown item '\(i)': import it first, or post with --auto-create (needs a valid GTIN)"
        case .unknownLocation(let l): return "unknown location '\(l)': import it first, or post with --auto-create"
        case let .unbalanced(item, lot, serial, sum):
            return "entries of item \(item)\(lot.map { " lot \($0)" } ?? "")\(serial.map { " serial \($0)" } ?? "") do not sum to zero (sum \(sum))"
        case let .negativeOnHand(location, item, lot, balance):
            return "on-hand of item \(item)\(lot.map { " lot \($0)" } ?? "") at \(location) would be \(balance); the location does not allow negative stock"
        case let .serialOnHand(item, serial, detail): return "serial \(serial) of item \(item): \(detail)"
        case .idempotencyConflict(let key): return "idempotency key '\(key)' was already used for a different posting"
        case .notFound(let seq): return "no posting with sequence \(seq)"
        case let .alreadyReversed(seq, by): return "posting \(seq) was already reversed by posting \(by)"
        case .masterData(let m): return m
        case let .importFailed(file, line, column, message): return "\(file):\(line):\(column): \(message)"
        case let .heldStock(location, item, lot?, reason):
            // The `held-stock` code first, so stations and scripts can match it.
            return "held-stock: lot \(lot) of item \(item) is on hold\(reason.map { " (\($0))" } ?? ""); release the lot before taking it from \(location)"
        case let .storageFull(path, detail):
            // The `storage-full` code first, as for held stock: the log, the socket and scripts match it.
            return "storage-full: no space left on the disk of ledger \(path): nothing was saved (\(detail)); "
                + "free space on that file system, the daemon resumes by itself (docs/operations.md, \"Disk full\")"
        case let .heldStock(location, item, nil, _):
            return "held-stock: item \(item) at \(location) is held (a quarantine or damaged location); only a release or a scrap posting may take it out"
        }
    }
}

extension LedgerError: StorageFullReporting {
    public var isStorageFull: Bool { if case .storageFull = self { return true } else { return false } }
}

extension LedgerError {
    init(_ e: SQLiteError) {
        self = e.isStorageFull ? .storageFull(path: e.path ?? "(unknown file)", detail: e.description) : .sqlite(e.description)
    }
}
