/// How much of the station journal the central forwarder still has to
/// send: the journal's counterpart of `OutboxBacklog`, for its metrics.
public struct JournalBacklog: Sendable, Equatable {
    /// The last journal id marked forwarded.
    public var forwardedUpTo: Int64
    /// Entries after the mark (counted: retention leaves gaps in the ids,
    /// so head − mark would overstate it).
    public var pendingEntries: Int64
}

extension Ledger {
    /// The journal backlog, mark and count read in one transaction so they agree.
    public func journalBacklog() throws -> JournalBacklog {
        try read { reader in
            let mark = try reader.journalForwardedUpTo()
            let pending = try reader.db.scalarInt("SELECT count(*) FROM station_journal WHERE id > ?", .int(mark)) ?? 0
            return JournalBacklog(forwardedUpTo: mark, pendingEntries: pending)
        }
    }
}
