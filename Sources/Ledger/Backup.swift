import CSQLite
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished backup or restore copied, after checking it.
public struct BackupResult: Sendable {
    public var path: String
    /// Postings in the copy: it holds sequences 1…postings.
    public var postings: Int64
    public var bytes: Int64
    public var seconds: Double
}

/// Online copies of a ledger with SQLite's backup API.
///
/// Why the backup API and not `VACUUM INTO`: it copies pages as they are
/// (no rebuilding of every table and index, so less CPU next to a working
/// daemon) in steps of `pagesPerStep`, yielding between steps. Either sees one
/// snapshot only if the source stays in one read transaction, so this opens
/// one (`BEGIN` and a first read) before the first step and ends it after the
/// last: a backup step whose source connection starts a *new* read
/// transaction after another process committed restarts from page 1, and
/// under a steady stream of postings would never finish. In WAL mode that
/// read transaction never blocks the daemon's writer; it only keeps
/// checkpoints from going past the snapshot, so the WAL grows for the
/// duration of the copy.
public enum LedgerBackup {
    /// Copies `source` to `destination`: into a temporary file next to it,
    /// checked with `quick_check` and the full `verify` (balances re-summed),
    /// fsynced, then renamed over `destination` (atomic: a reader sees the old
    /// file or the new one, never half a copy). Throws, leaving `destination`
    /// untouched, when anything fails or the copy does not verify.
    /// `progress` gets (pages remaining, pages in total) after each step.
    public static func backup(source: String, to destination: String, pagesPerStep: Int32 = 4096,
                              progress: ((Int32, Int32) -> Void)? = nil) throws -> BackupResult {
        let started = Date()
        guard FileManager.default.fileExists(atPath: source) else {
            throw LedgerError.sqlite("\(source) does not exist")
        }
        let directory = directoryOf(destination)
        let temporary = directory + "/." + (destination as NSString).lastPathComponent + ".tmp-\(getpid())"
        removeDatabase(temporary)
        do {
            try copyPages(from: source, to: temporary, pagesPerStep: pagesPerStep, progress: progress)
            let postings = try check(temporary)
            try fsyncPath(temporary)
            try renameOrThrow(temporary, destination)
            try fsyncPath(directory)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int64) ?? nil
            return BackupResult(path: destination, postings: postings, bytes: bytes ?? 0, seconds: Date().timeIntervalSince(started))
        } catch {
            removeDatabase(temporary)
            throw error
        }
    }

    /// Why a restore did not happen.
    public enum RestoreRefusal: Error, CustomStringConvertible {
        case daemonRunning(LedgerLock.Holder)
        case previousKept(String)
        public var description: String {
            switch self {
            case .daemonRunning(let holder):
                return "the ledger is in use by a running scanledgerd (\(holder)); stop it first (systemctl stop scanledgerd), then restore"
            case .previousKept(let path):
                return "\(path) is there from an earlier restore; move it away first (nothing was changed)"
            }
        }
    }

    /// Replaces `ledger` with a checked copy of `source`, keeping the old file
    /// (and its WAL) as `LEDGER.before-restore`. Refuses while scanledgerd
    /// holds the ledger's lock, and holds it itself meanwhile.
    public static func restore(from source: String, to ledger: String) throws -> BackupResult {
        let lock: LedgerLock
        switch try LedgerLock.acquire(ledger: ledger) {
        case .success(let l): lock = l
        case .failure(let holder): throw RestoreRefusal.daemonRunning(holder)
        }
        let kept = ledger + ".before-restore"
        if FileManager.default.fileExists(atPath: kept) { throw RestoreRefusal.previousKept(kept) }
        // Copy and check first: a bad backup leaves the current ledger alone.
        let incoming = ledger + ".restoring"
        let result = try backup(source: source, to: incoming)
        try withExtendedLifetime(lock) {
            if FileManager.default.fileExists(atPath: ledger) {
                // The WAL goes along (renamed as SQLite expects it beside the
                // kept file): it may hold committed postings not yet checkpointed.
                try renameOrThrow(ledger, kept)
                if FileManager.default.fileExists(atPath: ledger + "-wal") { try renameOrThrow(ledger + "-wal", kept + "-wal") }
                unlink(ledger + "-shm")
            }
            // Run as root, the copy would be root's and the daemon's user could not write it.
            matchOwner(incoming, like: FileManager.default.fileExists(atPath: kept) ? kept : directoryOf(ledger), mode: true)
            try renameOrThrow(incoming, ledger)
            try fsyncPath(directoryOf(ledger))
        }
        return BackupResult(path: ledger, postings: result.postings, bytes: result.bytes, seconds: result.seconds)
    }

    /// The copy's verdict: `verify` runs quick_check, the balance re-sum and
    /// the other invariants; returns the number of postings.
    static func check(_ path: String) throws -> Int64 {
        let report = try LedgerReader(path: path).verify()
        guard report.ok else {
            throw LedgerError.sqlite("the copy \(path) does not verify: " + report.problems.prefix(5).joined(separator: "; "))
        }
        return report.postings
    }

    private static func copyPages(from source: String, to destination: String, pagesPerStep: Int32,
                                  progress: ((Int32, Int32) -> Void)?) throws {
        let src = try Connection(path: source)
        sqlite3BusyTimeout(src, 5_000)
        // Pin one snapshot for every step (see above).
        try src.exec("BEGIN")
        defer { try? src.exec("COMMIT") }
        _ = try src.scalarInt("SELECT count(*) FROM sqlite_master")
        let dst = try Connection(path: destination)
        guard let backup = sqlite3_backup_init(dst.handle, "main", src.handle, "main") else {
            throw SQLiteError(code: sqlite3_errcode(dst.handle), message: dst.lastMessage, context: "backup_init \(source)")
        }
        var rc: Int32
        repeat {
            rc = sqlite3_backup_step(backup, pagesPerStep)
            progress?(sqlite3_backup_remaining(backup), sqlite3_backup_pagecount(backup))
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { usleep(10_000) } else if rc == SQLITE_OK { sched_yield() }
        } while rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        let finished = sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE, finished == SQLITE_OK else {
            throw SQLiteError(code: rc == SQLITE_DONE ? finished : rc, message: dst.lastMessage, context: "backup \(source) to \(destination)")
        }
        // The copy carries the source's WAL mode in its header; a backup is one
        // self-contained file, so it gets a rollback journal instead.
        try dst.exec("PRAGMA journal_mode = DELETE")
    }

    /// Gives `path` the owner and group of `reference` (and its permission
    /// bits when `mode`); a no-op for a user who may not chown, who then owns both anyway.
    static func matchOwner(_ path: String, like reference: String, mode: Bool = false) {
        var st = stat()
        guard stat(reference, &st) == 0 else { return }
        _ = chown(path, st.st_uid, st.st_gid)
        if mode { _ = chmod(path, st.st_mode & 0o666) }
    }

    static func directoryOf(_ path: String) -> String {
        let d = (path as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }

    /// Removes a database file and the journal, WAL and shm files beside it.
    static func removeDatabase(_ path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(path + suffix) }
    }

    static func renameOrThrow(_ from: String, _ to: String) throws {
        guard rename(from, to) == 0 else { throw LedgerError.sqlite("cannot rename \(from) to \(to): \(String(cString: strerror(errno)))") }
    }

    static func fsyncPath(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LedgerError.sqlite("cannot open \(path) to sync it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw LedgerError.sqlite("fsync \(path): \(String(cString: strerror(errno)))") }
    }
}
