import Dispatch
import Ledger
import ScanModel

/// The next batch, read from the local outbox and prepared (COPY streams)
/// on another thread while the current batch is sent and committed, so the
/// box's work overlaps the central server's. Only reading is overlapped:
/// the forwarded mark still moves strictly after each central commit, and a
/// prefetched batch is used only if it starts right after the mark.
final class BatchPrefetch: @unchecked Sendable {
    /// The batch holds the records after this sequence.
    let after: LedgerSequence
    private let done = DispatchSemaphore(value: 0)
    // Written once on the queue before `done` is signalled, read after waiting.
    private var result: Result<CentralBatch, CentralError> = .failure(CentralError(.ledger, "prefetch did not run"))

    init(after: LedgerSequence, limit: Int, origin: String, ledger: Ledger, queue: DispatchQueue) {
        self.after = after
        queue.async { [self] in
            result = Self.read(after: after, limit: limit, origin: origin, ledger: ledger)
            done.signal()
        }
    }

    /// Waits for the prefetch and returns its batch (or the reading error).
    func wait() -> Result<CentralBatch, CentralError> {
        done.wait()
        done.signal() // a second wait returns at once
        return result
    }

    /// Reads and prepares the batch after `after` now, on the caller's thread.
    static func read(after: LedgerSequence, limit: Int, origin: String, ledger: Ledger) -> Result<CentralBatch, CentralError> {
        do {
            let records = try ledger.pendingOutbox(after: after, limit: limit)
            return .success(CentralBatch(records, origin: origin))
        } catch {
            return .failure(CentralError(.ledger, "reading the local outbox: \(error)"))
        }
    }
}
