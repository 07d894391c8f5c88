// The station journal's contract: what a station records besides postings
// (refusals, overrides and their reasons, discrepancies at close, shortages,
// count results), so a supervisor can see tomorrow what went wrong today.

/// How an outcome stands: the journal keeps everything that is not a plain accept.
public enum JournalSeverity: String, Hashable, Sendable, CaseIterable {
    /// Informative: an operator signed in or out, a count approved.
    case info
    /// Accepted with a note (an override, a short delivery, a short pack).
    case warning
    /// Refused: nothing was posted.
    case error
    /// A document completed.
    case done
}

/// One journal entry as a station writes it. Entries that belong to a
/// posting travel inside its `PostingRequest` and commit in the same
/// transaction; the rest (refusals, overrides) are appended on their own.
public struct JournalEntry: Hashable, Sendable {
    /// When it happened (device time, µs since the Unix epoch).
    public var time: Microseconds
    public var station: String
    public var device: String?
    public var operatorID: String?
    /// A stable code (`unknown-item`, `overridden`, `short`, `operator-signed-in`…).
    public var code: String
    public var severity: JournalSeverity
    /// The ASN/PO, order or count the entry is about.
    public var document: String?
    /// The reason code given for an override (`DAMAGED-BOX`).
    public var reason: String?
    /// What the operator was told.
    public var message: String
    /// Structured detail as a JSON object text (line numbers, quantities,
    /// the refused condition); "{}" when there is none.
    public var detail: String

    public init(time: Microseconds, station: String, device: String? = nil, operatorID: String? = nil, code: String,
                severity: JournalSeverity, document: String? = nil, reason: String? = nil, message: String, detail: String = "{}") {
        self.time = time; self.station = station; self.device = device; self.operatorID = operatorID; self.code = code
        self.severity = severity; self.document = document; self.reason = reason; self.message = message; self.detail = detail
    }
}

/// A journal entry as the ledger keeps it: its position (1, 2, 3… in commit
/// order) and the posting it committed with, if any.
public struct JournalRecord: Hashable, Sendable {
    public var id: Int64
    public var seq: LedgerSequence?
    /// UTC RFC 3339 text of `entry.time`.
    public var timeText: String
    public var entry: JournalEntry
    public init(id: Int64, seq: LedgerSequence?, timeText: String, entry: JournalEntry) {
        self.id = id; self.seq = seq; self.timeText = timeText; self.entry = entry
    }
}
