import Foundation

/// Settings of one forwarder (one box → one central database).
public struct ForwarderConfig: Sendable {
    public var connection: CentralConnectionSettings
    /// This box's id in the central database: the first half of the central
    /// key (origin, seq). Must be unique per ledger across the site.
    public var origin: String
    /// The site the box belongs to (groups boxes in `site_balances`).
    public var site: String
    /// Postings per central transaction (and journal entries per journal transaction).
    public var batchSize: Int
    /// How long to sleep when there is nothing to send (`wake()` cuts it short).
    public var pollIntervalSeconds: Double
    /// Retry delays after a failure: doubling from initial up to max, with jitter. Never gives up.
    public var retryInitialSeconds: Double
    public var retryMaxSeconds: Double
    /// Raise `backlogAlarm` when the unforwarded outbox payload exceeds this many bytes…
    public var backlogAlarmBytes: Int64
    /// …or this many postings.
    public var backlogAlarmPostings: Int64
    /// How often to measure the backlog's bytes (it reads the whole backlog).
    public var backlogMeasureIntervalSeconds: Double

    public init(connection: CentralConnectionSettings, origin: String, site: String = "default",
                batchSize: Int = 5_000, pollIntervalSeconds: Double = 0.5,
                retryInitialSeconds: Double = 0.25, retryMaxSeconds: Double = 30,
                backlogAlarmBytes: Int64 = 512 << 20, backlogAlarmPostings: Int64 = 1_000_000,
                backlogMeasureIntervalSeconds: Double = 10) throws(CentralError) {
        let trimmed = origin.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed == origin, origin.utf8.count <= 200 else {
            throw CentralError(.configuration, "central.origin must be a non-empty box id without surrounding spaces (got '\(origin)')")
        }
        self.connection = connection; self.origin = origin; self.site = site
        self.batchSize = min(max(1, batchSize), 50_000)
        self.pollIntervalSeconds = max(0.01, pollIntervalSeconds)
        self.retryInitialSeconds = max(0.01, retryInitialSeconds)
        self.retryMaxSeconds = max(self.retryInitialSeconds, retryMaxSeconds)
        self.backlogAlarmBytes = backlogAlarmBytes; self.backlogAlarmPostings = backlogAlarmPostings
        self.backlogMeasureIntervalSeconds = max(0.1, backlogMeasureIntervalSeconds)
    }
}

/// A point-in-time copy of the forwarder's state and counters (plain values:
/// the service renders them as Prometheus metrics and in `status`).
public struct ForwarderStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        case stopped, connecting, forwarding, idle, retrying
    }
    public var state: State = .stopped
    public var origin: String = ""
    /// Postings this process sent that were new to the central database.
    public var forwardedPostings: Int64 = 0
    /// Postings re-sent that the central database already had (after a crash): skipped, not duplicated.
    public var alreadyCentralPostings: Int64 = 0
    public var batches: Int64 = 0
    /// Central batch latency (send + commit), seconds.
    public var lastBatchSeconds: Double = 0
    public var batchSecondsSum: Double = 0
    public var batchSecondsMax: Double = 0
    /// Cumulative counts of batches at or under each bound (`ForwarderStatus.latencyBuckets`).
    public var batchLatencyBuckets: [Int64] = Array(repeating: 0, count: ForwarderStatus.latencyBuckets.count)
    public static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// The local ledger's last posting and the forwarded mark.
    public var localHeadSeq: Int64 = 0
    public var forwardedUpTo: Int64 = 0
    /// Unforwarded postings, and their payload bytes (measured every few seconds; nil before the first measurement).
    public var backlogPostings: Int64 = 0
    public var backlogBytes: Int64?
    /// Station journal entries this process sent that were new to the central
    /// database, and re-sent ones it already had (skipped, not duplicated).
    public var forwardedJournalEntries: Int64 = 0
    public var alreadyCentralJournalEntries: Int64 = 0
    /// The last journal id marked forwarded, and the entries after it.
    public var journalForwardedUpTo: Int64 = 0
    public var backlogJournalEntries: Int64 = 0
    /// True while the backlog exceeds the configured alarm threshold.
    public var backlogAlarm: Bool = false
    /// Age of the oldest posting not yet central (0 when caught up), seconds.
    public var lagSeconds: Double = 0
    /// Failures by kind (`CentralError.Kind.rawValue`), cumulative.
    public var errorsByKind: [String: Int64] = [:]
    public var consecutiveFailures: Int = 0
    /// The last failure's message (redacted), nil after a success.
    public var lastError: String?
    public var lastErrorKind: String?
    public var connected: Bool = false
    public var connects: Int64 = 0

    public init() {}

    mutating func recordBatch(seconds: Double) {
        batches += 1
        lastBatchSeconds = seconds
        batchSecondsSum += seconds
        batchSecondsMax = max(batchSecondsMax, seconds)
        for (i, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { batchLatencyBuckets[i] += 1 }
    }
}
