import CSQLite
import ScanModel
import Foundation

/// Copies the WAL back into the database on its own connection and thread,
/// so a posting's commit waits for one fsync (its WAL frames) and never for a
/// checkpoint's writes and fsyncs. The writer's connection has automatic
/// checkpoints turned off; it nudges this thread after every batch.
///
/// PASSIVE checkpoints alone let the WAL grow without bound under a steady
/// stream of commits: SQLite only rewinds the WAL when a write begins after
/// a checkpoint caught up with every frame, which a busy writer never lets
/// happen (the `soak` benchmark grew it by ~10 MB/s at 900 scans/s, to
/// gigabytes). So once the WAL holds more than `truncateAboveFrames`, a
/// TRUNCATE checkpoint is tried with a short busy timeout: it holds writers
/// off for at most that long plus the few frames PASSIVE left, then empties
/// the file; if a reader is still on an old snapshot it gives up and the next
/// round tries again.
///
/// `@unchecked Sendable`: `pendingBatches` is guarded by `condition`; the
/// connection is used by the checkpoint thread alone.
final class Checkpointer: @unchecked Sendable {
    private let condition = NSCondition()
    private var pendingBatches = 0
    private let thread = ServiceThread(name: "ledger-checkpoint")
    private let connection: Connection
    /// Batches to wait for before checkpointing, and the most time to let pass.
    private let everyBatches = 32
    private let maxInterval: TimeInterval = 0.5
    /// WAL frames (pages) above which a TRUNCATE checkpoint is tried: 16 MiB at 4 KiB pages.
    private let truncateAboveFrames: Int32
    /// How long a TRUNCATE checkpoint may hold writers off waiting for readers.
    private static let truncateBusyMilliseconds: Int32 = 50
    private let busyTimeoutMilliseconds: Int32
    /// Told of a checkpoint that failed (a full disk: the database file could
    /// not grow to take the WAL's pages; they stay in the WAL, committed).
    private let failed: @Sendable (SQLiteError) -> Void

    init(path: String, options: LedgerOptions, truncateAboveFrames: Int32 = 4096,
         failed: @escaping @Sendable (SQLiteError) -> Void = { _ in }) throws {
        connection = try Connection(path: path)
        self.failed = failed
        self.truncateAboveFrames = truncateAboveFrames
        busyTimeoutMilliseconds = options.busyTimeoutMilliseconds
        try Ledger.configure(connection, options: options)
        thread.start { [unowned self] t in self.loop(t) }
    }

    /// Called by the writer after each posting batch, committed or failed.
    func batchEnded() {
        condition.lock()
        pendingBatches += 1
        if pendingBatches >= everyBatches { condition.signal() }
        condition.unlock()
    }

    /// Runs a last checkpoint, then returns once the thread has finished.
    func stop() {
        thread.stop(waking: condition)
    }

    private func loop(_ thread: ServiceThread) {
        while true {
            condition.lock()
            let deadline = Date().addingTimeInterval(maxInterval)
            while pendingBatches < everyBatches && !thread.shouldStop {
                if !condition.wait(until: deadline) { break }
            }
            let work = pendingBatches > 0
            pendingBatches = 0
            let stop = thread.shouldStop
            condition.unlock()
            if work || stop { checkpoint() }
            if stop { return }
        }
    }

    /// PASSIVE never blocks the writer or readers; what it cannot copy now it
    /// copies next time. A WAL that has grown large is then emptied (see above).
    private func checkpoint() {
        var logFrames: Int32 = 0, copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied)
        // BUSY is a reader or writer in the way: the next round tries again. Anything else is worth knowing.
        if rc != SQLITE_OK && rc & 0xFF != SQLITE_BUSY {
            failed(connection.error(rc, connection.lastMessage, context: "checkpoint (PASSIVE) of \(connection.path)"))
        }
        guard rc == SQLITE_OK, logFrames > truncateAboveFrames else { return }
        sqlite3_busy_timeout(connection.handle, Self.truncateBusyMilliseconds)
        _ = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
        sqlite3_busy_timeout(connection.handle, busyTimeoutMilliseconds)
    }
}
