import Foundation
import ScanModel

/// How much the central forwarder still has to send: the metric behind the
/// backlog alarm. Added for the forwarder (docs/forwarding.md).
public struct OutboxBacklog: Sendable, Equatable {
    /// The last posting in the ledger (0 when empty).
    public var headSeq: LedgerSequence
    /// Commit time of the last posting, µs since 1970 (0 when empty).
    public var headCommitTimeMicros: Int64
    /// What has been marked forwarded.
    public var forwardedUpTo: LedgerSequence
    /// Postings not yet forwarded (sequences have no gaps, so head − forwarded).
    public var pendingPostings: Int64 { max(0, headSeq.value - forwardedUpTo.value) }
    /// Bytes of outbox payload not yet forwarded (only when asked for: it scans the backlog).
    public var pendingPayloadBytes: Int64?
}

extension Ledger {
    /// The outbox backlog. `measureBytes` sums the unforwarded payloads, which
    /// reads the whole backlog: ask for it every few seconds, not per batch.
    public func outboxBacklog(measureBytes: Bool = false) throws -> OutboxBacklog {
        try read { reader in
            let db = reader.db
            let head = try db.prepare("SELECT ifnull(max(seq), 0), ifnull((SELECT commit_time FROM postings ORDER BY seq DESC LIMIT 1), 0) FROM postings")
            defer { head.reset() }
            var headSeq: Int64 = 0, headTime: Int64 = 0
            if try head.step() { headSeq = head.int(0); headTime = head.int(1) }
            let forwarded = try reader.forwardedUpTo()
            var bytes: Int64?
            if measureBytes {
                bytes = try db.scalarInt("SELECT ifnull(sum(length(payload)), 0) FROM outbox WHERE seq > ?", .int(forwarded.value)) ?? 0
            }
            return OutboxBacklog(headSeq: LedgerSequence(headSeq), headCommitTimeMicros: headTime, forwardedUpTo: forwarded, pendingPayloadBytes: bytes)
        }
    }
}
