import Foundation
import ScanModel

/// Whether the ledger's disk has room, as the ledger's own writes found out.
/// Not `df`: a commit may still fit in space the WAL file already holds on a
/// "full" disk, and such a commit is as durable as any other. So the ledger
/// is full from a write refused for lack of space until a transaction that
/// changed rows commits again with room on the file system (see StorageWatch).
public struct LedgerStorageStatus: Sendable, Equatable {
    public var full = false
    /// When the current full spell began (nil while not full).
    public var fullSince: Date?
    /// What refused the write that began the spell: the file and SQLite's message.
    public var fullError: String?
    /// Writes refused for lack of space in the current spell (or the last one, once it ended).
    public var refusedWrites = 0
    /// Writes refused for lack of space since the ledger was opened (a counter for metrics).
    public var refusedWritesTotal = 0
    /// When a transaction that changed rows last committed (nil: none since
    /// the ledger was opened). Liveness is measured from it.
    public var lastWrite: Date?
    /// The same commit on CLOCK_MONOTONIC: "recently" is measured from it,
    /// so a step of the wall clock does not hold the liveness probe off.
    public var lastWriteUptime: Microseconds?
    /// Checkpoints (WAL into the database file) that failed since the ledger
    /// was opened, and the last failure. They do not make the ledger full:
    /// the WAL keeps what it holds, committed, and commits may go on.
    public var checkpointFailures = 0
    public var lastCheckpointError: String?
    public init() {}
}

/// A full spell beginning or ending; the daemon logs each once.
public enum LedgerStorageChange: Sendable, Equatable {
    /// The first write refused for lack of space.
    case full(LedgerError)
    /// A write committed again: how long the spell lasted and how many writes it refused.
    case recovered(after: TimeInterval, refusedWrites: Int)
}

/// The writer's record of its commits and of the writes the disk refused.
/// `@unchecked Sendable`: the state and the handler are each behind a `Locked`.
final class StorageWatch: @unchecked Sendable {
    private let state = Locked(LedgerStorageStatus())
    private let handler = Locked<(@Sendable (LedgerStorageChange) -> Void)?>(nil)
    /// The ledger's directory, whose file system is asked for free space.
    private let directory: String
    /// Free bytes the file system must report, besides a commit, to end a spell.
    private let resumeFreeBytes: Int

    /// A commit alone does not end a spell: on a full disk the frames a
    /// failed transaction left at the end of the WAL are reused by the next
    /// one, so a small write (a session append, the liveness probe) commits
    /// where a posting did not, over and over. Space is back when a write
    /// commits and the file system reports `resumeFreeBytes` free.
    init(path: String, resumeFreeBytes: Int) {
        directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        self.resumeFreeBytes = resumeFreeBytes
    }

    /// Bytes an unprivileged writer may still use there (nil: unknown, then taken as enough).
    private func freeBytes() -> Int? {
        var s = statvfs()
        guard statvfs(directory, &s) == 0 else { return nil }
        return Int(s.f_bavail) * Int(s.f_frsize)
    }

    var status: LedgerStorageStatus { state.snapshot }

    /// At open: a file system with less than `resumeFreeBytes` free starts
    /// the ledger full, so `status` says so after a restart on a full disk
    /// before the first refused write. The spell ends like any other: a
    /// commit with that much free.
    func probeAtOpen(at now: Date = Date()) {
        guard let free = freeBytes(), free < resumeFreeBytes else { return }
        state.withLock { s in
            s.full = true
            s.fullSince = now
            s.fullError = "storage-full: only \(free) bytes free on the file system of \(directory) when the ledger was opened "
                + "(postings need room; full until a write commits with \(resumeFreeBytes) bytes free)"
        }
    }

    func onChange(_ body: @escaping @Sendable (LedgerStorageChange) -> Void) { handler.withLock { $0 = body } }

    /// A transaction committed. One that changed no rows wrote nothing, so it
    /// proves nothing about space (the old liveness probe committed an empty
    /// transaction and stayed "live" on a full disk).
    func committed(changedRows: Bool, at now: Date = Date()) {
        guard changedRows else { return }
        let roomy = state.withLock { $0.full } ? (freeBytes() ?? .max) >= resumeFreeBytes : true
        let change: LedgerStorageChange? = state.withLock { s in
            s.lastWrite = now
            s.lastWriteUptime = MonotonicClock().now()
            guard s.full, roomy else { return nil }
            s.full = false
            let since = s.fullSince ?? now
            s.fullSince = nil
            return .recovered(after: now.timeIntervalSince(since), refusedWrites: s.refusedWrites)
        }
        if let change { announce(change) }
    }

    /// A transaction failed; only a lack of space changes anything here.
    func failed(_ error: LedgerError, at now: Date = Date()) {
        guard error.isStorageFull else { return }
        let began: Bool = state.withLock { s in
            s.refusedWritesTotal += 1
            if s.full { s.refusedWrites += 1; return false }
            s.full = true
            s.fullSince = now
            s.fullError = error.description
            s.refusedWrites = 1
            return true
        }
        if began { announce(.full(error)) }
    }

    /// A checkpoint failed (on the checkpoint thread).
    func checkpointFailed(_ error: SQLiteError) {
        state.withLock { s in
            s.checkpointFailures += 1
            s.lastCheckpointError = error.isStorageFull
                ? "storage-full: no space to copy the WAL into \(error.path ?? "the ledger"); what it holds stays there, committed (\(error))"
                : error.description
        }
    }

    /// Called on the writer's thread, outside the lock: handlers must be quick.
    private func announce(_ change: LedgerStorageChange) {
        handler.withLock { $0 }?(change)
    }
}
