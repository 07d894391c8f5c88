import Foundation
import ScanModel

/// The single owner of the write connection. Callers enqueue jobs from any
/// thread; one dedicated thread drains the queue. Postings that are waiting
/// together share one transaction (group commit) and each caller hears its
/// result only after that transaction has committed.
///
/// `@unchecked Sendable`: `queue` and `batchesCommittedStorage` are guarded by `condition`.
final class Writer: @unchecked Sendable {
    typealias PostCompletion = @Sendable (Result<PostingResult, LedgerError>) -> Void
    typealias WriteCompletion = @Sendable (Result<Void, LedgerError>) -> Void

    private enum Job {
        case post(PostingRequest, PostCompletion)
        case write((Connection) throws -> Void, WriteCompletion)
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private let engine: PostingEngine
    private let maxBatch: Int
    /// After each posting batch, committed or failed: the checkpointer's cue.
    /// A failed one counts too: on a full disk the refused postings are what
    /// retries (and reports) the checkpoint that cannot copy the WAL.
    private let afterBatch: @Sendable () -> Void
    private let thread = ServiceThread(name: "ledger-writer")
    /// Every transaction's end is reported here: a full disk begins and ends by what commits do.
    let storage: StorageWatch

    // Written by the writer thread, read by anyone: under `condition`.
    private var batchesCommittedStorage: Int = 0
    var batchesCommitted: Int {
        condition.lock(); defer { condition.unlock() }
        return batchesCommittedStorage
    }

    init(connection: Connection, maxBatch: Int, storage: StorageWatch, afterBatch: @escaping @Sendable () -> Void = {}) throws {
        engine = try PostingEngine(db: connection)
        self.storage = storage
        self.maxBatch = max(1, maxBatch)
        self.afterBatch = afterBatch
        thread.start { [unowned self] t in self.loop(t) }
    }

    func post(_ request: PostingRequest, completion: @escaping PostCompletion) {
        enqueue(.post(request, completion)) { completion(.failure(.closed)) }
    }

    func write(_ body: @escaping (Connection) throws -> Void, completion: @escaping WriteCompletion) {
        enqueue(.write(body, completion)) { completion(.failure(.closed)) }
    }

    /// The stop check and the append happen under `condition`, the lock under
    /// which the loop decides to exit, so no job is left behind unanswered.
    private func enqueue(_ job: Job, ifClosed: () -> Void) {
        condition.lock()
        if thread.shouldStop {
            condition.unlock()
            ifClosed()
            return
        }
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Finishes queued work, then stops the thread and returns.
    func stop() {
        thread.stop(waking: condition)
    }

    private func loop(_ thread: ServiceThread) {
        while true {
            condition.lock()
            while queue.isEmpty && !thread.shouldStop { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                return
            }
            // Take either one generic write, or the run of postings at the head.
            var batch: [Job] = []
            if case .write = queue[0] {
                batch.append(queue.removeFirst())
            } else {
                var n = 0
                while n < queue.count, n < maxBatch, case .post = queue[n] { n += 1 }
                batch = Array(queue[0..<n])
                queue.removeFirst(n)
            }
            condition.unlock()
            run(batch)
        }
    }

    private func run(_ batch: [Job]) {
        let changesBefore = engine.db.totalChanges
        if batch.count == 1, case let .write(body, completion) = batch[0] {
            do {
                try engine.db.exec("BEGIN IMMEDIATE")
                do {
                    try body(engine.db)
                    try engine.db.exec("COMMIT")
                } catch {
                    try? engine.db.exec("ROLLBACK")
                    throw error
                }
                engine.forgetCachedMasterData()
                storage.committed(changedRows: engine.db.totalChanges != changesBefore)
                completion(.success(()))
            } catch {
                engine.forgetCachedMasterData()
                let failure = Self.ledgerError(error)
                storage.failed(failure)
                completion(.failure(failure))
            }
            return
        }
        var results: [PostingResult] = []
        results.reserveCapacity(batch.count)
        do {
            try engine.beginBatch()
            do {
                for job in batch {
                    guard case let .post(request, _) = job else { continue }
                    results.append(try engine.apply(request))
                }
            } catch {
                engine.rollbackBatch()
                throw error
            }
            try engine.commitBatch()
        } catch {
            // Nothing of this batch is durable: every caller hears the failure.
            let failure = Self.ledgerError(error)
            storage.failed(failure)
            afterBatch()
            for job in batch { if case let .post(_, completion) = job { completion(.failure(failure)) } }
            return
        }
        condition.lock()
        batchesCommittedStorage += 1
        condition.unlock()
        storage.committed(changedRows: engine.db.totalChanges != changesBefore)
        afterBatch()
        var i = 0
        for job in batch {
            guard case let .post(_, completion) = job else { continue }
            completion(.success(results[i]))
            i += 1
        }
    }

    static func ledgerError(_ error: Error) -> LedgerError {
        if let e = error as? LedgerError { return e }
        if let e = error as? SQLiteError { return LedgerError(e) }
        return .sqlite(String(describing: error))
    }
}
