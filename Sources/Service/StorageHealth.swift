import Devices
import Foundation
import Ledger
import ScanModel
import Stations

/// What the daemon does about a full disk under the ledger (issue 18;
/// docs/operations.md, "Disk full"). The ledger says when a write is refused
/// for lack of space and when one commits again (`LedgerStorageChange`);
/// this turns that into one log line when an episode begins and one when it
/// ends, the journal entries held back meanwhile, and the liveness probe.
///
/// An episode is not the same as the ledger's `full` flag: where free space
/// hovers around the ledger's resume threshold (a backup being written next
/// to it, logs rotating) the flag can go off and on from scan to scan. An
/// episode begins with the first refusal and ends only once writes have
/// committed with no refusal for `settle` seconds, so the log says "full"
/// and "space is back" once each.
///
/// `@unchecked Sendable`: `state` is behind a `Locked`; the rest is immutable.
final class StorageHealth: @unchecked Sendable {
    struct State {
        var episodeSince: Date?
        /// Bumped by every recovery, so a settle check knows whether it is the latest.
        var recoveries = 0
        var recoveredAt: Date?
        /// Journal entries not written while full, per station and code.
        var heldBack: [String: [String: Int]] = [:]
        var heldBackTotal = 0
        /// The last liveness probe: when, and what it found (nil: it committed).
        var lastProbe: (at: Microseconds, problem: String?)?
    }

    let ledger: Ledger
    private let logger: Logger
    /// Where the held-back summary goes: the stations' journal, so it wakes the forwarder like theirs.
    private let journal: JournalSink
    private let state = Locked(State())
    private let queue = DispatchQueue(label: "daemon.storage")
    /// Quiet time after a commit before an episode counts as over.
    let settle: TimeInterval
    /// A liveness check with no commit for this long probes with a real write.
    static let probeAfter: TimeInterval = 20
    /// Probes no more often than this (status requests ask too): each probe
    /// writes a page, and on a full disk that page is what postings need.
    static let probeEvery: TimeInterval = 10

    init(ledger: Ledger, logger: Logger, journal: JournalSink, settle: TimeInterval = 10) {
        self.ledger = ledger; self.logger = logger; self.journal = journal; self.settle = settle
        ledger.onStorageChange { [weak self] change in self?.changed(change) }
        // Opened on a full disk: the episode began before any write was refused.
        let storage = ledger.storageStatus
        if storage.full { begin(storage.fullError ?? "storage-full") }
    }

    var heldBackTotal: Int { state.withLock { $0.heldBackTotal } }

    /// On the writer thread: logs and schedules, never waits for the ledger.
    private func changed(_ change: LedgerStorageChange) {
        switch change {
        case .full(let error): begin(error.description)
        case .recovered:
            let n = state.withLock { s in s.recoveries += 1; s.recoveredAt = Date(); return s.recoveries }
            queue.asyncAfter(deadline: .now() + settle) { [weak self] in self?.settleCheck(n) }
        }
    }

    private func begin(_ why: String) {
        let began = state.withLock { s in
            guard s.episodeSince == nil else { return false }
            s.episodeSince = Date()
            return true
        }
        if began {
            logger.error("ledger", "\(why); scans that need a write are refused with storage-full, "
                         + "and refusals are not journaled until space returns")
        }
    }

    /// Ends the episode when nothing was refused since recovery `n`.
    private func settleCheck(_ n: Int) {
        let storage = ledger.storageStatus
        guard !storage.full else { return }
        let ended: (since: Date, until: Date, held: [String: [String: Int]], total: Int)? = state.withLock { s in
            guard s.recoveries == n, let since = s.episodeSince else { return nil }
            s.episodeSince = nil
            defer { s.heldBack = [:]; s.heldBackTotal = 0 }
            return (since, s.recoveredAt ?? Date(), s.heldBack, s.heldBackTotal)
        }
        guard let ended else { return }
        let seconds = Int(ended.until.timeIntervalSince(ended.since).rounded())
        logger.notice("ledger", "storage space is back after \(seconds) s: postings commit again; "
                      + "\(storage.refusedWrites) writes were refused in the last full spell, \(ended.total) journal entries were not written")
        writeHeldBackSummary(ended.held, since: ended.since)
    }

    /// One entry per station that lost journal entries: the journal says once
    /// that it has a hole, and how big, instead of nothing at all.
    private func writeHeldBackSummary(_ held: [String: [String: Int]], since: Date) {
        guard !held.isEmpty else { return }
        let now = DeviceRunner.wallClock()
        let entries = held.sorted { $0.key < $1.key }.map { station, codes in
            let n = codes.values.reduce(0, +)
            let detail = JSONText.object([("not_journaled", "\(n)"), ("since_unix", "\(Int64(since.timeIntervalSince1970))"),
                                          ("codes", JSONText.object(codes.sorted { $0.key < $1.key }.map { ($0.key, "\($0.value)") }))])
            return JournalEntry(time: now, station: station, code: FeedbackCode.storageFull.rawValue, severity: .warning,
                                message: "\(n) journal entries of \(station) were not written while the ledger's disk was full", detail: detail)
        }
        do { try journal.record(entries) } catch {
            logger.warning("ledger", "the journal's note of \(held.values.map { $0.values.reduce(0, +) }.reduce(0, +)) entries not written while the disk was full was not saved either: \(error)")
        }
    }

    /// Counts entries the journal did not write (while full, or refused for space).
    func holdBack(_ entries: [JournalEntry]) {
        state.withLock { s in
            for e in entries { s.heldBack[e.station, default: [:]][e.code, default: 0] += 1 }
            s.heldBackTotal += entries.count
        }
    }

    /// Nil when a real write committed recently and the disk has room; else
    /// why not. "Recently" is `probeAfter`: an older last write (an idle box)
    /// is checked by a probe that commits a real row, at most every
    /// `probeEvery`. While full the probe goes on (same pace): it is what
    /// notices space coming back on a box nobody scans at.
    /// `uptime`: now on CLOCK_MONOTONIC, what "recently" and the probe's pace
    /// are measured on (a wall clock stepped back an hour must not keep an
    /// old write looking recent); `now` only stamps the probe.
    func writeProblem(now: Date = Date(), uptime: Microseconds = MonotonicClock().now()) -> (problem: String, storageFull: Bool)? {
        let before = ledger.storageStatus
        if !before.full, let last = before.lastWriteUptime, Self.seconds(uptime - last) < Self.probeAfter { return nil }
        let failure = probe(now, uptime: uptime)
        let after = ledger.storageStatus
        if after.full {
            let since = after.fullSince.map { " since \(EventTime.utcText(micros: Int64($0.timeIntervalSince1970 * 1e6)))" } ?? ""
            return ("storage full\(since): \(after.fullError ?? "a write was refused for lack of space")", true)
        }
        return failure.map { ($0, false) }
    }

    /// Runs the probe unless one ran within `probeEvery` (then its answer
    /// stands); what failed other than space, if anything.
    private func probe(_ now: Date, uptime: Microseconds) -> String? {
        let recent: String?? = state.withLock { s in
            if let p = s.lastProbe, Self.seconds(uptime - p.at) < Self.probeEvery { return .some(p.problem) }
            s.lastProbe = (uptime, nil)
            return .none
        }
        if let recent { return recent }
        var problem: String?
        do { try ledger.probeStorage(at: now) } catch {
            // A full disk is reported from the ledger's status above; anything else is the writer failing.
            if !error.isStorageFull { problem = "the ledger writer failed: \(error)" }
        }
        state.withLock { $0.lastProbe = (uptime, problem) }
        return problem
    }

    private static func seconds(_ interval: Microseconds) -> TimeInterval { Double(interval.value) / 1e6 }
}

/// The station journal, minus the writes a full disk cannot take: while the
/// ledger is full, journal-only entries (refusals above all: every scan on
/// a full box is one) are counted instead of written, because on a disk that
/// is slowly getting space back each of them would take the room the next
/// posting needs. `StorageHealth` writes one entry per station saying how
/// many were held back once space returns. A held-back entry is not an
/// error for the station: that is the point (no log line per scan).
final class StorageAwareJournal: JournalSink {
    private let inner: JournalSink
    private let health: StorageHealth

    init(_ inner: JournalSink, health: StorageHealth) { self.inner = inner; self.health = health }

    func record(_ entries: [JournalEntry]) throws {
        if health.ledger.storageStatus.full {
            health.holdBack(entries)
            return
        }
        do { try inner.record(entries) } catch where isStorageFull(error) {
            health.holdBack(entries)
        }
    }
}
