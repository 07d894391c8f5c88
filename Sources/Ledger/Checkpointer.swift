import Foundation

/// Copies the WAL back into the database on its own connection and thread,
/// so a posting's commit waits for one fsync (its WAL frames) and never for a
/// checkpoint's writes and fsyncs. The writer's connection has automatic
/// checkpoints turned off; it nudges this thread after every batch.
final class Checkpointer: @unchecked Sendable {
    private let condition = NSCondition()
    private var pendingBatches = 0
    private var stopping = false
    private var finished = false
    private let connection: Connection
    /// Batches to wait for before checkpointing, and the most time to let pass.
    private let everyBatches = 32
    private let maxInterval: TimeInterval = 0.5

    init(path: String, options: LedgerOptions) throws {
        connection = try Connection(path: path)
        try Ledger.configure(connection, options: options)
        let t = Thread { [unowned self] in self.loop() }
        t.name = "ledger-checkpoint"
        t.start()
    }

    /// Called by the writer after each committed batch.
    func batchCommitted() {
        condition.lock()
        pendingBatches += 1
        if pendingBatches >= everyBatches { condition.signal() }
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            let deadline = Date().addingTimeInterval(maxInterval)
            while pendingBatches < everyBatches && !stopping {
                if !condition.wait(until: deadline) { break }
            }
            let work = pendingBatches > 0
            pendingBatches = 0
            let stop = stopping
            condition.unlock()
            // PASSIVE never blocks the writer or readers; what it cannot copy now it copies next time.
            if work || stop { try? connection.exec("PRAGMA wal_checkpoint(PASSIVE)") }
            if stop {
                condition.lock()
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }
}
