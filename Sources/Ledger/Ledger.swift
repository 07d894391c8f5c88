import Foundation
import ScanModel

/// How a ledger database is opened.
public struct LedgerOptions: Sendable {
    /// SQLite's `synchronous` in WAL mode. `.full` (default) fsyncs the WAL at
    /// every commit: an acknowledged posting survives power loss. `.normal`
    /// fsyncs only at checkpoints: faster, and the database stays consistent,
    /// but the last acknowledged postings can be lost on power failure (not on
    /// a process crash). See docs/ledger.md.
    public enum Synchronous: String, Sendable { case full = "FULL", normal = "NORMAL" }
    public var synchronous: Synchronous = .full
    /// How long a connection waits for another process's lock.
    public var busyTimeoutMilliseconds: Int32 = 5_000
    /// Most postings one group-commit transaction takes.
    public var maxBatch: Int = 2_000
    /// After a write was refused for lack of space, the free bytes the file
    /// system must report (besides a commit) before the ledger counts as
    /// having room again (see StorageWatch).
    public var resumeFreeBytes: Int = 256 * 1024
    public init(synchronous: Synchronous = .full, busyTimeoutMilliseconds: Int32 = 5_000, maxBatch: Int = 2_000) {
        self.synchronous = synchronous; self.busyTimeoutMilliseconds = busyTimeoutMilliseconds; self.maxBatch = maxBatch
    }
}

/// The inventory ledger: one SQLite database, one writer thread with group
/// commit, and a reader connection for queries. Safe to share between threads
/// and tasks. Open one `Ledger` per process and database.
public final class Ledger: @unchecked Sendable {
    public let path: String
    public let options: LedgerOptions
    private let writer: Writer
    private let checkpointer: Checkpointer
    private let readerLock = NSLock()
    private var readerStorage: LedgerReader?

    public init(path: String, options: LedgerOptions = LedgerOptions()) throws(LedgerError) {
        self.path = path
        self.options = options
        do {
            let db = try Connection(path: path)
            try Ledger.configure(db, options: options)
            try db.exec("PRAGMA journal_mode = WAL")
            try Schema.migrate(db, path: path)
            // Checkpoints run on their own thread (see Checkpointer), not inside commits.
            try db.exec("PRAGMA wal_autocheckpoint = 0")
            let storage = StorageWatch(path: path, resumeFreeBytes: options.resumeFreeBytes)
            storage.probeAtOpen()
            let checkpointer = try Checkpointer(path: path, options: options) { storage.checkpointFailed($0) }
            self.checkpointer = checkpointer
            do {
                writer = try Writer(connection: db, maxBatch: options.maxBatch, storage: storage) { checkpointer.batchEnded() }
            } catch {
                checkpointer.stop()
                throw error
            }
        } catch {
            throw Writer.ledgerError(error)
        }
    }

    deinit {
        writer.stop()
        checkpointer.stop()
    }

    static func configure(_ db: Connection, options: LedgerOptions) throws {
        sqlite3BusyTimeout(db, options.busyTimeoutMilliseconds)
        try db.exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = \(options.synchronous.rawValue)")
    }

    /// Waits for queued work to commit, then stops the writer. Later posts fail with `.closed`.
    public func close() {
        writer.stop()
        checkpointer.stop()
    }

    // MARK: writing

    /// Posts and calls `completion` after the posting's transaction committed
    /// (or failed). Called on the writer thread: return quickly.
    public func post(_ request: PostingRequest, completion: @escaping @Sendable (Result<PostingResult, LedgerError>) -> Void) {
        writer.post(request, completion: completion)
    }

    /// Posts all of `requests` (group-committed together when they arrive
    /// together) and waits for every result, in order. For CLIs and tools.
    public func postAndWait(_ requests: [PostingRequest]) throws(LedgerError) -> [PostingResult] {
        let collector = ResultCollector(count: requests.count)
        for (i, r) in requests.enumerated() { writer.post(r) { collector.set(i, $0) } }
        return try collector.wait()
    }

    /// Reverses posting `seq` under idempotency key `key`, waiting for durability.
    public func reverse(_ seq: LedgerSequence, key: String, station: String? = nil) throws(LedgerError) -> PostingResult {
        try postAndWait([.reversal(of: seq, key: key, station: station)])[0]
    }

    /// Runs `body` in its own write transaction on the writer thread and waits.
    func writeAndWait(_ body: @escaping (Connection) throws -> Void) throws(LedgerError) {
        let collector = ResultCollector(count: 1)
        writer.write(body) { r in collector.set(0, r.map { PostingResult(key: "", outcome: .posted(seq: .none)) }) }
        _ = try collector.wait()
    }

    /// Group-commit transactions committed so far by this `Ledger` (for metrics).
    public var committedBatches: Int { writer.batchesCommitted }

    /// Whether the disk had room for the latest writes, and when a write last committed.
    public var storageStatus: LedgerStorageStatus { writer.storage.status }

    /// Sets what is told when a full-disk spell begins and ends (once each).
    /// Runs on the writer thread: return quickly, and never wait for the ledger there.
    public func onStorageChange(_ handler: @escaping @Sendable (LedgerStorageChange) -> Void) {
        writer.storage.onChange(handler)
    }

    /// Commits one real row (a document `ledger`/`liveness` holding the time):
    /// a write that needs disk space, unlike an empty transaction, which
    /// commits on a full disk. Throws `.storageFull` when there is no room;
    /// when there is room again it ends a full spell without waiting for a scan.
    public func probeStorage(at now: Date = Date()) throws(LedgerError) {
        let body = "{\"probed_at\":\(Int64(now.timeIntervalSince1970))}"
        try putDocuments([StoredDocument(kind: "ledger", key: "liveness", body: body)])
    }

    /// Runs `body` on the writer thread in its own transaction, without waiting (tests use it as a gate).
    func enqueueWrite(_ body: @escaping (Connection) throws -> Void, completion: @escaping @Sendable (Result<Void, LedgerError>) -> Void) {
        writer.write(body, completion: completion)
    }

    /// Records that the central forwarder has everything up to `seq`.
    public func markForwarded(upTo seq: LedgerSequence) throws(LedgerError) {
        try writeAndWait { db in
            let last = try db.scalarInt("SELECT ifnull(max(seq), 0) FROM postings") ?? 0
            guard seq.value <= last else {
                throw LedgerError.invalidPosting("cannot mark \(seq) forwarded: the last posting is \(last)")
            }
            try db.prepare("UPDATE outbox_cursor SET forwarded_upto = max(forwarded_upto, ?) WHERE id = 1").run(.int(seq.value))
        }
    }

    // MARK: reading

    /// Runs `body` with this ledger's reader connection (one at a time).
    public func read<T>(_ body: (LedgerReader) throws -> T) throws -> T {
        readerLock.lock()
        defer { readerLock.unlock() }
        if readerStorage == nil { readerStorage = try LedgerReader(path: path, options: options) }
        guard let reader = readerStorage else { throw LedgerError.closed }
        return try body(reader)
    }

    public func stock(_ query: StockQuery = StockQuery()) throws -> [StockRow] { try read { try $0.stock(query) } }
    public func history(_ filter: HistoryFilter) throws -> [HistoryRow] { try read { try $0.history(filter) } }
    public func verify(check: IntegrityCheck = .quick) throws -> VerifyReport { try read { try $0.verify(check: check) } }
    /// Outbox rows after `after` (default: after what was marked forwarded), in sequence order.
    public func pendingOutbox(after: LedgerSequence? = nil, limit: Int = 1_000) throws -> [OutboxRecord] {
        try read { try $0.pendingOutbox(after: after, limit: limit) }
    }
    public func forwardedUpTo() throws -> LedgerSequence { try read { try $0.forwardedUpTo() } }
}

/// Collects completions from the writer thread for a synchronous caller.
final class ResultCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [Result<PostingResult, LedgerError>?]
    private var remaining: Int

    init(count: Int) { results = Array(repeating: nil, count: count); remaining = count }

    func set(_ i: Int, _ r: Result<PostingResult, LedgerError>) {
        condition.lock()
        results[i] = r
        remaining -= 1
        if remaining == 0 { condition.broadcast() }
        condition.unlock()
    }

    func wait() throws(LedgerError) -> [PostingResult] {
        condition.lock()
        while remaining > 0 { condition.wait() }
        let all = results
        condition.unlock()
        var out: [PostingResult] = []
        out.reserveCapacity(all.count)
        for r in all {
            guard let r else { throw LedgerError.closed }
            out.append(try r.get())
        }
        return out
    }
}
