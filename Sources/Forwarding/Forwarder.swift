import Foundation
import Ledger
import ScanModel

/// Forwards every posting and station journal entry of one ledger to the
/// central PostgreSQL, exactly once, in order, through outages.
///
/// Exactly once = at-least-once sending + idempotent ingest: a batch is
/// committed centrally first, and only then is the local forwarded mark
/// advanced. A crash in between re-sends the batch, which the central key
/// (origin, seq) and `ON CONFLICT DO NOTHING` turn into a no-op (after
/// checking the central rows are identical). Failures are retried with
/// backoff forever: nothing is dropped; the backlog simply waits in the
/// ledger's outbox. The station journal goes the same way by its own mark
/// (`journal_forwarded_upto`, key (origin, id)), each entry after the
/// posting it committed with.
///
/// Threading: `start()` forwards on a thread of its own until `stop()`;
/// everything else may be called from any thread.
///
/// `@unchecked Sendable`: `woken` and `snapshot` are guarded by `condition`;
/// the connection and prefetch state belong to the thread that forwards.
public final class Forwarder: @unchecked Sendable {
    /// Lines at the kernel's levels; the forwarder uses debug, info and warning.
    public typealias Log = @Sendable (LogLevel, String) -> Void

    public let config: ForwarderConfig
    private let ledger: Ledger
    private let log: Log

    private let condition = NSCondition()
    private var woken = false
    private var snapshot = ForwarderStatus()
    private let thread = ServiceThread(name: "forwarder")

    // Owned by the thread that forwards (run() or forwardPending()).
    private var db: PGConnection?
    private var lastBytesMeasurement: Double = -.infinity
    private var lastReportedHead: Int64 = -1
    private var lastHeartbeat: Double = -.infinity
    private var prefetch: BatchPrefetch?
    private let prefetchQueue = DispatchQueue(label: "forwarder-prefetch")
    /// A test seam between a batch's central commit and its local mark (set
    /// before forwarding starts): tests fill the disk there, so the mark is
    /// the write the full box refuses.
    var afterCentralCommit: () -> Void = {}

    public init(config: ForwarderConfig, ledger: Ledger, log: @escaping Log = { _, _ in }) {
        self.config = config
        self.ledger = ledger
        self.log = log
        snapshot.origin = config.origin
    }

    /// A copy of the current state and counters.
    public var status: ForwarderStatus {
        condition.lock(); defer { condition.unlock() }
        return snapshot
    }

    /// Forwards on a new thread named "forwarder" until `stop()`.
    public func start() {
        thread.start { [self] t in run(t) }
    }

    /// Asks the thread to finish its current batch and return; waits until it
    /// has (the central connection is closed by then).
    public func stop() {
        thread.stop(waking: condition)
    }

    private func run(_ thread: ServiceThread) {
        defer {
            db = nil
            dropPrefetch()
            update { s in
                s.state = .stopped
                s.connected = false
            }
        }
        log(.info, "forwarding origin '\(config.origin)' to \(config.connection.redactedConninfo)")
        while !thread.shouldStop {
            do {
                let sent = try forwardOneBatch()
                if sent == 0 { pause(config.pollIntervalSeconds, wakeable: true) }
            } catch {
                let delay = recordFailure(error)
                pause(delay, wakeable: false)
            }
        }
    }

    /// Cuts the idle wait short (call after posting so forwarding starts at once).
    public func wake() {
        condition.lock()
        woken = true
        condition.broadcast()
        condition.unlock()
    }

    /// Forwards everything pending now, on the caller's thread, without
    /// retrying (for `scanledger central forward` and tests). Do not call
    /// while started. Returns the postings new to the central database.
    @discardableResult
    public func forwardPending() throws(CentralError) -> Int64 {
        var total: Int64 = 0
        let before = status.forwardedPostings
        while true {
            do {
                if try forwardOneBatch() == 0 { break }
            } catch {
                _ = recordFailure(error)
                dropPrefetch()
                throw error
            }
        }
        total = status.forwardedPostings - before
        db = nil
        dropPrefetch()
        return total
    }

    // MARK: one step

    /// Sends the next batch of postings, then the journal entries that are
    /// ready; returns how many of both it sent (0: nothing pending).
    private func forwardOneBatch() throws(CentralError) -> Int {
        // Backlog first: during an outage (connecting fails) it is the metric that matters.
        let (backlog, journal) = try refreshBacklog()
        let connection = try connected()
        let postings = try forwardPostings(backlog, over: connection)
        // Postings first: an entry names the posting it committed with, which
        // the central foreign key requires to be there already.
        let entries = try forwardJournal(after: journal.forwardedUpTo, postingsUpTo: postings.upTo, over: connection)
        if postings.sent + entries == 0 {
            try heartbeat(backlog, over: connection)
            update { $0.state = .idle; $0.lagSeconds = 0 }
        }
        return postings.sent + entries
    }

    /// Sends the postings batch after the mark; returns how many it held and
    /// the forwarded mark after it.
    private func forwardPostings(_ backlog: OutboxBacklog, over connection: PGConnection) throws(CentralError) -> (sent: Int, upTo: LedgerSequence) {
        let batch = try nextBatch(after: backlog.forwardedUpTo)
        let records = batch.records
        guard let last = records.last else { return (0, backlog.forwardedUpTo) }
        // A full batch: more are likely waiting; read the next one while this one is sent.
        if records.count >= config.batchSize {
            prefetch = BatchPrefetch(after: last.seq, limit: config.batchSize, origin: config.origin, ledger: ledger, queue: prefetchQueue)
        }
        if let why = batch.unreadable {
            log(.warning, "postings \(records[0].seq)…\(last.seq) go by the slower statement path: \(why)")
        }
        update { $0.state = .forwarding }
        let start = DispatchTime.now().uptimeNanoseconds
        let outcome = try central(connection) { () throws(CentralError) in
            try CentralIngest.send(batch, origin: config.origin, site: config.site, localHead: backlog, over: connection)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        lastReportedHead = max(backlog.headSeq.value, last.seq.value)
        afterCentralCommit()
        // Only now, with the batch committed centrally, may the mark move.
        do { try ledger.markForwarded(upTo: last.seq) } catch {
            throw CentralError(.ledger, "batch up to \(last.seq) is central, but marking it forwarded failed (it will be re-sent and skipped): \(error)")
        }
        let nowMicros = Int64(Date().timeIntervalSince1970 * 1e6)
        update { s in
            s.recordBatch(seconds: seconds)
            s.forwardedPostings += Int64(outcome.inserted)
            s.alreadyCentralPostings += Int64(records.count - outcome.inserted)
            s.forwardedUpTo = last.seq.value
            s.localHeadSeq = max(s.localHeadSeq, last.seq.value)
            s.backlogPostings = max(0, s.localHeadSeq - last.seq.value)
            s.lagSeconds = s.backlogPostings == 0 ? 0 : max(0, Double(nowMicros - last.commitTimeMicros) / 1e6)
            s.consecutiveFailures = 0
            s.lastError = nil
            s.lastErrorKind = nil
        }
        if outcome.inserted < records.count {
            log(.info, "re-sent postings \(records[0].seq)…\(last.seq): \(records.count - outcome.inserted) were already central (identical), skipped")
        }
        return (records.count, last.seq)
    }

    /// Sends the station journal entries after `mark`, in id order, up to the
    /// first whose posting is not central yet (it goes after that posting's
    /// batch); then moves the journal mark, the same way as the postings'.
    private func forwardJournal(after mark: Int64, postingsUpTo posted: LedgerSequence,
                                over connection: PGConnection) throws(CentralError) -> Int {
        let pending: [JournalRecord]
        do { pending = try ledger.stationJournal(JournalQuery(afterID: mark, limit: config.batchSize)) } catch {
            throw CentralError(.ledger, "reading the local station journal: \(error)")
        }
        let ready = Array(pending.prefix { ($0.seq?.value ?? 0) <= posted.value })
        guard let last = ready.last else { return 0 }
        update { $0.state = .forwarding }
        let inserted = try central(connection) { () throws(CentralError) in
            try CentralJournal.send(ready, origin: config.origin, over: connection)
        }
        do { try ledger.markJournalForwarded(upTo: last.id) } catch {
            throw CentralError(.ledger, "journal entries up to \(last.id) are central, but marking them forwarded failed (they will be re-sent and skipped): \(error)")
        }
        update { s in
            s.forwardedJournalEntries += Int64(inserted)
            s.alreadyCentralJournalEntries += Int64(ready.count - inserted)
            s.journalForwardedUpTo = last.id
            s.backlogJournalEntries = max(0, s.backlogJournalEntries - Int64(ready.count))
            s.consecutiveFailures = 0
            s.lastError = nil
            s.lastErrorKind = nil
        }
        if inserted < ready.count {
            log(.info, "re-sent journal entries \(ready[0].id)…\(last.id): \(ready.count - inserted) were already central (identical), skipped")
        }
        return ready.count
    }

    /// Runs one exchange with the central database; a broken connection is
    /// dropped so that the next attempt reconnects.
    private func central<T>(_ connection: PGConnection, _ body: () throws(CentralError) -> T) throws(CentralError) -> T {
        do { return try body() } catch {
            if error.kind == .connection || !connection.isHealthy { db = nil }
            throw error
        }
    }

    /// The batch after the mark: the prefetched one if it starts there, else read now.
    private func nextBatch(after mark: LedgerSequence) throws(CentralError) -> CentralBatch {
        let ahead = prefetch
        prefetch = nil
        if let ahead {
            let result = ahead.wait()
            if ahead.after == mark { return try result.get() }
        }
        return try BatchPrefetch.read(after: mark, limit: config.batchSize, origin: config.origin, ledger: ledger).get()
    }

    /// Waits for an outstanding prefetch (it reads the ledger, which the owner may close next) and forgets it.
    private func dropPrefetch() {
        _ = prefetch?.wait()
        prefetch = nil
    }

    private func connected() throws(CentralError) -> PGConnection {
        if let db, db.isHealthy { return db }
        db = nil
        update { $0.state = .connecting; $0.connected = false }
        let connection = try PGConnection(config.connection)
        try CentralSchema.check(connection)
        db = connection
        let reconnect = status.connects > 0
        update { $0.connected = true; $0.connects += 1 }
        log(.info, reconnect ? "reconnected to the central database" : "connected to the central database (server \(connection.serverVersion))")
        return connection
    }

    /// Reads the local head and forwarded marks (bytes now and then) and updates the backlog alarm.
    private func refreshBacklog() throws(CentralError) -> (OutboxBacklog, JournalBacklog) {
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(now) / 1e9
        let measure = seconds - lastBytesMeasurement >= config.backlogMeasureIntervalSeconds
        let backlog: OutboxBacklog
        let oldestPending: Int64?
        let journal: JournalBacklog
        do {
            backlog = try ledger.outboxBacklog(measureBytes: measure)
            journal = try ledger.journalBacklog()
            oldestPending = backlog.pendingPostings > 0 ? try ledger.pendingOutbox(limit: 1).first?.commitTimeMicros : nil
        } catch {
            throw CentralError(.ledger, "reading the local outbox: \(error)")
        }
        if measure { lastBytesMeasurement = seconds }
        let nowMicros = Int64(Date().timeIntervalSince1970 * 1e6)
        var raised = false, cleared = false
        update { s in
            s.localHeadSeq = backlog.headSeq.value
            s.forwardedUpTo = backlog.forwardedUpTo.value
            s.backlogPostings = backlog.pendingPostings
            s.journalForwardedUpTo = journal.forwardedUpTo
            s.backlogJournalEntries = journal.pendingEntries
            if let bytes = backlog.pendingPayloadBytes { s.backlogBytes = bytes }
            s.lagSeconds = oldestPending.map { max(0, Double(nowMicros - $0) / 1e6) } ?? 0
            let alarm = s.backlogPostings > config.backlogAlarmPostings || (s.backlogBytes ?? 0) > config.backlogAlarmBytes
            raised = alarm && !s.backlogAlarm
            cleared = !alarm && s.backlogAlarm
            s.backlogAlarm = alarm
        }
        if raised { log(.warning, "unforwarded backlog over the alarm threshold: \(backlog.pendingPostings) postings, \(status.backlogBytes ?? 0) bytes") }
        if cleared { log(.info, "unforwarded backlog back under the alarm threshold") }
        return (backlog, journal)
    }

    /// Keeps the central lag view current while idle: on a new head, else every 30 s.
    private func heartbeat(_ backlog: OutboxBacklog, over connection: PGConnection) throws(CentralError) {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        guard backlog.headSeq.value != lastReportedHead || now - lastHeartbeat >= 30 else { return }
        try central(connection) { () throws(CentralError) in
            try CentralIngest.report(origin: config.origin, site: config.site, head: backlog, over: connection)
        }
        lastReportedHead = backlog.headSeq.value
        lastHeartbeat = now
    }

    // MARK: failures and waiting

    /// Counts the failure, logs it, and returns how long to wait before retrying.
    private func recordFailure(_ error: CentralError) -> Double {
        if error.kind != .conflict && error.kind != .query { db = nil }
        var failures = 0
        update { s in
            s.errorsByKind[error.kind.rawValue, default: 0] += 1
            s.consecutiveFailures += 1
            s.lastError = error.message
            s.lastErrorKind = error.kind.rawValue
            s.state = .retrying
            s.connected = db != nil
            failures = s.consecutiveFailures
        }
        let backoff = Backoff(initial: Microseconds(Int64(config.retryInitialSeconds * 1e6)), maximum: Microseconds(Int64(config.retryMaxSeconds * 1e6)))
        let base = Double(backoff.delay(attempt: failures).value) / 1e6
        let delay = base * Double.random(in: 0.75...1.0) // jitter: boxes that lost the server together do not return together
        log(failures == 1 || failures % 10 == 0 ? .warning : .debug,
            "\(error.kind.rawValue) error (failure \(failures)); retrying in \(String(format: "%.1f", delay)) s: \(error.message)")
        return delay
    }

    /// Sleeps until the deadline or `stop()`, and, if `wakeable`, `wake()`. A
    /// stop is checked under `condition`, the lock `stop` broadcasts under, so
    /// it cannot slip in between the check and the wait.
    private func pause(_ seconds: Double, wakeable: Bool) {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while !thread.shouldStop && !(wakeable && woken) {
            if !condition.wait(until: deadline) { break }
        }
        if wakeable { woken = false }
    }

    private func update(_ body: (inout ForwarderStatus) -> Void) {
        condition.lock()
        body(&snapshot)
        condition.unlock()
    }
}
