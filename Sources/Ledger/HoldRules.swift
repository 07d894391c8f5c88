import ScanModel

// Held stock (docs/ledger.md, "Held stock"): stock at a quarantine or damaged
// location, and every unit of a lot on hold, is on hand and counted, but a
// move, pack or ship may not take it. Only a release (held location →
// available location) or a scrap (anywhere → @scrap) takes it out, each with
// a reason and an operator, and each writes a journal entry that shrinkage
// reports read. Stations refuse the same things at scan time with the
// `held-stock` code; this is the last line, for every client.
extension PostingEngine {
    /// Refuses what the hold rules forbid; runs before the posting writes anything.
    func checkHoldRules(_ request: PostingRequest, _ resolved: [ResolvedEntry]) throws {
        let kind = request.kind
        if kind == .release || kind == .scrap {
            guard let reason = request.reason, !reason.isEmpty else {
                throw LedgerError.invalidPosting("a \(kind.rawValue) needs a reason (it is what the shrinkage report shows)")
            }
            guard let who = request.operatorID, !who.isEmpty else {
                throw LedgerError.invalidPosting("a \(kind.rawValue) needs an operator (who decided it)")
            }
        }
        // A reversal is a correction of something already accepted: it may
        // undo a scrap (out of @scrap) or a move into quarantine.
        guard kind != .reversal else { return }
        for r in resolved {
            let code = r.location.code, type = r.location.type, taking = r.entry.qty < 0
            switch kind {
            case .release:
                if taking, !type.holdsStock {
                    throw LedgerError.invalidPosting("a release takes stock from a quarantine or damaged location; \(code) is \(type.rawValue)")
                }
                if !taking, type == .virtual || type.holdsStock {
                    throw LedgerError.invalidPosting("a release puts stock into an available location; \(code) is \(type.rawValue)")
                }
            case .scrap:
                if taking, type == .virtual {
                    throw LedgerError.invalidPosting("a scrap takes stock from a physical location, not from \(code)")
                }
                if !taking, code != VirtualLocation.scrap.code {
                    throw LedgerError.invalidPosting("a scrap writes stock off to \(VirtualLocation.scrap), not to \(code)")
                }
            default:
                // @scrap is the shrinkage total: nothing else may write to it.
                if code == VirtualLocation.scrap.code {
                    throw LedgerError.invalidPosting("only a scrap posting (or its reversal) writes to \(VirtualLocation.scrap); \(kind.rawValue) may not")
                }
                guard kind.takesAvailableStockOnly, taking else { continue }
                if type.holdsStock {
                    throw LedgerError.heldStock(location: code, item: r.entry.item.code, lot: nil, reason: nil)
                }
                if let lotID = r.lotID, let reason = try lotHoldReason(lotID) {
                    throw LedgerError.heldStock(location: code, item: r.entry.item.code, lot: r.entry.lot, reason: reason)
                }
            }
        }
    }

    /// Why the lot is on hold, nil when it is not. Read from the table, not a
    /// cache: holds are set by `scanledger hold` in other processes, and the
    /// engine reads inside its write lock, so it always sees the latest.
    private func lotHoldReason(_ lotID: Int64) throws -> String? {
        let s = sql.lotHold
        try s.bind([.int(lotID)])
        defer { s.reset() }
        return try s.step() ? s.text(0) : nil
    }

    /// The journal entry a release or scrap commits with (unless the client
    /// wrote its own with the same code): who, why, what, from where.
    func holdJournal(_ request: PostingRequest) -> [JournalEntry] {
        guard request.kind == .release || request.kind == .scrap,
              !request.journal.contains(where: { $0.code == request.kind.rawValue }) else { return [] }
        func unit(_ e: PostingEntry) -> String {
            "\(e.qty.magnitude) × \(e.item)" + (e.lot.map { " lot \($0)" } ?? "") + (e.serial.map { " serial \($0)" } ?? "")
        }
        let taken = request.entries.filter { $0.qty < 0 }
        var places: [String] = []
        for e in request.entries where e.qty > 0 && !places.contains(e.location.code) { places.append(e.location.code) }
        let verb = request.kind == .scrap ? "scrapped" : "released"
        let what = taken.map { "\(unit($0)) from \($0.location)" }.joined(separator: ", ")
        let entries = request.entries.map { e in
            JSONText.object([("location", JSONText.quote(e.location.code)), ("item", JSONText.quote(e.item.code)),
                             ("lot", JSONText.quote(e.lot)), ("serial", JSONText.quote(e.serial)), ("qty", JSONText.number(e.qty))])
        }
        let time: Microseconds
        switch request.eventTime {
        case .device(let t): time = t
        case .written(let text): time = Microseconds(EventTime(text)?.micros ?? currentCommitTime)
        case nil: time = Microseconds(currentCommitTime)
        }
        return [JournalEntry(time: time, station: request.station ?? "ledger", device: request.device, operatorID: request.operatorID,
                             code: request.kind.rawValue, severity: request.kind == .scrap ? .warning : .info, document: request.ref,
                             reason: request.reason,
                             message: "\(verb) \(what) to \(places.joined(separator: ", ")) (reason \(request.reason ?? "-"))",
                             detail: JSONText.object([("entries", "[" + entries.joined(separator: ",") + "]")]))]
    }
}
