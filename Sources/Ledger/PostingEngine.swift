import Foundation
import ScanModel

/// Applies postings on the writer connection, one savepoint each, inside a
/// transaction the `Writer` opens and commits for a whole batch. Every
/// invariant is checked here, before anything of the posting is written:
/// balances come from a cache that is only trusted while no other connection
/// has committed (`PRAGMA data_version`). Only the writer thread touches an engine.
final class PostingEngine {
    let db: Connection
    private let cache = MasterDataCache()
    private var nextSeq: Int64 = 1
    private var commitTime: Int64 = 0
    /// The open batch's commit time (µs), for entries the engine writes itself.
    var currentCommitTime: Int64 { commitTime }
    private var dataVersion: Int64 = -1
    let sql: EngineStatements
    /// Whether this posting has opened its savepoint. Checks run before the
    /// posting writes anything, so only master data created while resolving
    /// (accounts, lots, serials, auto-created items) needs one to undo.
    private var savepointOpen = false

    init(db: Connection) throws {
        self.db = db
        sql = try EngineStatements(db)
        cache.beforeWrite = { [unowned self] in try self.openSavepoint() }
    }

    private func openSavepoint() throws {
        guard !savepointOpen else { return }
        try sql.savepoint.run()
        savepointOpen = true
    }

    // MARK: batch

    func beginBatch() throws {
        try db.exec("BEGIN IMMEDIATE")
        // Another process may have written since our last batch: then nothing cached is trusted.
        let version = try sql.dataVersion.firstInt() ?? 0
        if version != dataVersion { cache.clear(); dataVersion = version }
        nextSeq = (try sql.lastSeq.firstInt() ?? 0) + 1
        commitTime = Int64(Date().timeIntervalSince1970 * 1_000_000)
    }

    func commitBatch() throws {
        do {
            // Balances changed in this batch are written once per account, not once per posting.
            for (account, balance) in cache.takeDirtyBalances() { try sql.setBalance.run(.int(balance), .int(account)) }
            try db.exec("COMMIT")
        } catch {
            rollbackBatch()
            throw error
        }
        cache.commit()
    }

    func rollbackBatch() {
        try? db.exec("ROLLBACK")
        cache.clear()
    }

    /// Master data may have changed under us (imports): forget cached rows.
    func forgetCachedMasterData() { cache.clear() }

    // MARK: one posting

    /// Records `request` (or its rejection) in the open transaction.
    /// Throws only on database failure; business refusals come back as `.rejected`.
    func apply(_ request: PostingRequest) throws -> PostingResult {
        // Formatted once: the payload, the check and the row all use this text.
        let eventTime = request.eventTimeText
        let payload = request.canonicalPayload(eventTime: eventTime)
        if let earlier = try previousAnswer(request, payload: payload) { return earlier }
        savepointOpen = false
        do {
            let seq = nextSeq
            let balances = try record(request, eventTime: eventTime, seq: seq, payload: payload)
            try sql.insertPostedKey.run(.text(request.key), .int(seq))
            if savepointOpen { try sql.release.run() }
            cache.keepPending(balances: balances)
            nextSeq += 1
            return PostingResult(key: request.key, outcome: .posted(seq: LedgerSequence(seq)))
        } catch let refusal as LedgerError {
            if savepointOpen {
                try sql.rollbackTo.run()
                try sql.release.run()
            }
            cache.dropPending()
            let message = refusal.description
            try sql.insertRejectedKey.run(.text(request.key), .text(payload), .text(message))
            return PostingResult(key: request.key, outcome: .rejected(reason: message))
        } catch {
            // A database failure: the writer rolls the whole batch back.
            cache.dropPending()
            throw error
        }
    }

    /// Invariant 5: the answer given before for this key, or a conflict.
    private func previousAnswer(_ request: PostingRequest, payload: String) throws -> PostingResult? {
        let s = sql.lookupKey
        try s.bind([.text(request.key)])
        defer { s.reset() }
        guard try s.step() else { return nil }
        let seq = s.optionalInt(0), error = s.optionalText(1), stored = s.optionalText(2)
        guard stored == payload else {
            return PostingResult(key: request.key, outcome: .rejected(reason: LedgerError.idempotencyConflict(key: request.key).description))
        }
        if let seq { return PostingResult(key: request.key, outcome: .duplicate(seq: LedgerSequence(seq))) }
        // A refusal is remembered with its reason (insertRejectedKey); the schema keeps seq or error.
        return PostingResult(key: request.key, outcome: .rejected(reason: error ?? "rejected"))
    }

    struct ResolvedEntry {
        let account: Int64
        let entry: PostingEntry
        let item: CachedItem
        let location: CachedLocation
        let lotID: Int64?
        let serialID: Int64?
    }

    /// Checks and writes one posting; returns the accounts' new balances, which
    /// the cache keeps (and the batch writes) once the posting is released.
    private func record(_ request: PostingRequest, eventTime: String?, seq: Int64, payload: String) throws -> [(Int64, Int64)] {
        guard !request.key.isEmpty else { throw LedgerError.invalidPosting("the idempotency key is empty") }
        if case .written(let time) = request.eventTime, EventTime(time) == nil {
            throw LedgerError.invalidPosting("event time '\(time)' is not ISO 8601 with a UTC offset (e.g. 2024-05-01T10:15:00Z)")
        }
        if let sscc = request.sscc, SSCC(sscc) == nil {
            throw LedgerError.invalidPosting("'\(sscc)' is not a valid SSCC (18 digits with check digit)")
        }
        var entries = request.entries
        var reverses: Int64? = nil
        if request.kind == .reversal {
            guard let original = request.reverses else { throw LedgerError.invalidPosting("a reversal needs the sequence of the posting it reverses") }
            entries = try reversalEntries(of: original)
            reverses = original.value
        } else if request.reverses != nil {
            throw LedgerError.invalidPosting("only a reversal may reference another posting")
        }
        guard !entries.isEmpty else { throw LedgerError.invalidPosting("a posting needs at least one line") }

        // Resolve accounts; master data is created only when allowed.
        var resolved: [ResolvedEntry] = []
        resolved.reserveCapacity(entries.count)
        for entry in entries {
            guard entry.qty != 0 else { throw LedgerError.invalidPosting("item \(entry.item) at \(entry.location): quantity 0") }
            let item = try resolveItem(entry.item.code, autoCreate: request.autoCreate, entry: entry)
            let location = try resolveLocation(entry.location.code, autoCreate: request.autoCreate)
            let (lotID, serialID) = try resolveLotAndSerial(item: item, entry: entry)
            let account = try cache.account(db: db, item: item.id, location: location.id, lot: lotID, serial: serialID)
            resolved.append(ResolvedEntry(account: account, entry: entry, item: item, location: location, lotID: lotID, serialID: serialID))
        }

        try checkBalanced(resolved)
        try checkHoldRules(request, resolved)

        // Net change per account, in first-seen order (postings are small: linear search beats hashing).
        var deltas: [(account: Int64, delta: Int64, index: Int)] = []
        for (i, r) in resolved.enumerated() {
            if let k = deltas.firstIndex(where: { $0.account == r.account }) {
                let (sum, overflow) = deltas[k].delta.addingReportingOverflow(r.entry.qty)
                guard !overflow else { throw LedgerError.invalidPosting("quantities of item \(r.entry.item) at \(r.location.code) overflow") }
                deltas[k].delta = sum
            } else {
                deltas.append((r.account, r.entry.qty, i))
            }
        }
        // Netting per account only regroups entries checkBalanced accepted, so the
        // net changes still sum to zero per item and lot/serial. If not, the engine
        // itself is wrong: stop before writing a posting that breaks double entry.
        precondition(Self.netChangesBalance(deltas, resolved), "posting \(request.key): net changes do not sum to zero per item")

        // Invariants 2 and 3, on the balances as they would stand after this posting.
        var newBalances: [(account: Int64, balance: Int64, serial: Bool)] = []
        newBalances.reserveCapacity(deltas.count)
        for d in deltas where d.delta != 0 {
            let r = resolved[d.index]
            let (balance, overflow) = try cache.balance(db: db, account: d.account).addingReportingOverflow(d.delta)
            guard !overflow else { throw LedgerError.invalidPosting("quantity of item \(r.entry.item) at \(r.location.code) overflows") }
            let physical = r.location.type != .virtual
            if r.serialID != nil, physical {
                guard balance == 0 || balance == 1 else {
                    throw LedgerError.serialOnHand(item: r.entry.item.code, serial: r.entry.serial ?? "?",
                                                   detail: "quantity at \(r.location.code) would be \(balance); a serial is on hand 0 or 1 times")
                }
            } else if physical, !r.location.allowNegative, balance < 0 {
                throw LedgerError.negativeOnHand(location: r.location.code, item: r.entry.item.code, lot: r.entry.lot, balance: balance)
            }
            newBalances.append((d.account, balance, r.serialID != nil))
        }
        try checkSerialsOnHandOnce(resolved)

        // Everything holds: write the posting, its entries, balances and outbox row.
        try sql.insertPosting.run(.int(seq), .text(request.key), .text(request.kind.rawValue), .optionalText(request.station),
                                  .optionalText(request.device), .optionalText(request.ref), .optionalText(request.sscc),
                                  .optionalText(eventTime), .int(commitTime), .optionalInt(reverses),
                                  .optionalText(request.operatorID), .optionalText(request.reason))
        try insertEntries(seq: seq, resolved)
        // Serial balances are written now (the on-hand-once check reads them from the table);
        // the others at the end of the batch, from the cache.
        for b in newBalances where b.serial { try sql.setBalance.run(.int(b.balance), .int(b.account)) }
        // Invariant 8: the outbox row, in this same transaction. Its payload is the
        // canonical request, which idempotency compares against later.
        try sql.insertOutbox.run(.int(seq), .text(payload))
        // The station journal entries this posting carries commit with it.
        for entry in request.journal + holdJournal(request) { try StationJournalStore.insert(entry, seq: seq, with: sql.insertJournal) }
        // …and so does the close of the station session it completes.
        if let station = request.closesSession { try SessionDocuments.delete(station: station, db: db) }
        // …and so do the documents it completes (an ASN or order marked with it).
        for d in request.documents { try Ledger.put(d, sequence: seq, db: db) }
        return newBalances.map { ($0.account, $0.balance) }
    }

    /// Entries go in with multi-row INSERTs of up to `EngineStatements.entriesPerInsert` rows:
    /// one statement run instead of one per entry.
    private func insertEntries(seq: Int64, _ resolved: [ResolvedEntry]) throws {
        var line = 0
        while line < resolved.count {
            let count = min(EngineStatements.entriesPerInsert, resolved.count - line)
            let s = try sql.insertEntries(count, db)
            for k in 0..<count {
                let r = resolved[line + k]
                let base = Int32(k * 4)
                try s.bind(.int(seq), at: base + 1)
                try s.bind(.int(Int64(line + k)), at: base + 2)
                try s.bind(.int(r.account), at: base + 3)
                try s.bind(.int(r.entry.qty), at: base + 4)
            }
            defer { s.reset() }
            try s.step()
            line += count
        }
    }

    /// Per item and lot/serial: the wrapping sum of `parts` (index into
    /// `resolved`, quantity), the first part that made a sum overflow, and the
    /// first part of each group (to name it in an error).
    private static func sumsPerItem(_ parts: [(index: Int, qty: Int64)], _ resolved: [ResolvedEntry])
        -> (sums: [(item: Int64, lot: Int64, serial: Int64, sum: Int64, index: Int)], overflowAt: Int?) {
        var sums: [(item: Int64, lot: Int64, serial: Int64, sum: Int64, index: Int)] = []
        var overflowAt: Int? = nil
        for part in parts {
            let r = resolved[part.index]
            let lot = r.lotID ?? 0, serial = r.serialID ?? 0
            if let k = sums.firstIndex(where: { $0.item == r.item.id && $0.lot == lot && $0.serial == serial }) {
                let (sum, overflow) = sums[k].sum.addingReportingOverflow(part.qty)
                if overflow, overflowAt == nil { overflowAt = part.index }
                sums[k].sum = sum
            } else {
                sums.append((r.item.id, lot, serial, part.qty, part.index))
            }
        }
        return (sums, overflowAt)
    }

    /// Invariant 1 again, on the per-account net changes. Wrapping sums are
    /// exact here: the true sums are zero, and zero is zero modulo 2^64.
    private static func netChangesBalance(_ deltas: [(account: Int64, delta: Int64, index: Int)], _ resolved: [ResolvedEntry]) -> Bool {
        sumsPerItem(deltas.map { ($0.index, $0.delta) }, resolved).sums.allSatisfy { $0.sum == 0 }
    }

    /// Invariant 1: per item and lot/serial the entries sum to zero.
    private func checkBalanced(_ resolved: [ResolvedEntry]) throws {
        let (sums, overflowAt) = Self.sumsPerItem(resolved.indices.map { ($0, resolved[$0].entry.qty) }, resolved)
        if let i = overflowAt { throw LedgerError.invalidPosting("quantities of item \(resolved[i].entry.item) overflow") }
        if let bad = sums.first(where: { $0.sum != 0 }) {
            let e = resolved[bad.index].entry
            throw LedgerError.unbalanced(item: e.item.code, lot: e.lot, serial: e.serial, sum: bad.sum)
        }
    }

    /// Invariant 3 across locations: a serial is on hand at most once in total.
    private func checkSerialsOnHandOnce(_ resolved: [ResolvedEntry]) throws {
        var seen: [Int64] = []
        for r in resolved {
            guard let serialID = r.serialID, !seen.contains(serialID) else { continue }
            seen.append(serialID)
            let change = resolved.filter { $0.serialID == serialID && $0.location.type != .virtual }.reduce(Int64(0)) { $0 &+ $1.entry.qty }
            guard change > 0 else { continue }
            try sql.serialOnHand.bind([.int(serialID)])
            let onHand = (try sql.serialOnHand.step() ? sql.serialOnHand.int(0) : 0) &+ change
            sql.serialOnHand.reset()
            if onHand > 1 {
                throw LedgerError.serialOnHand(item: r.entry.item.code, serial: r.entry.serial ?? "?",
                                               detail: "would be on hand \(onHand) times across locations; receive it only once")
            }
        }
    }

    /// The original's entries negated; refuses a second reversal or reversing a reversal.
    private func reversalEntries(of original: LedgerSequence) throws -> [PostingEntry] {
        let head = try db.prepare("SELECT kind FROM postings WHERE seq = ?")
        try head.bind([.int(original.value)])
        guard try head.step() else { head.reset(); throw LedgerError.notFound(original) }
        let kind = head.text(0)
        head.reset()
        if kind == PostingKind.reversal.rawValue {
            throw LedgerError.invalidPosting("posting \(original) is itself a reversal; post the original movement again instead")
        }
        if let by = try db.scalarInt("SELECT seq FROM postings WHERE reverses = ?", .int(original.value)) {
            throw LedgerError.alreadyReversed(original, by: LedgerSequence(by))
        }
        let rows = try db.prepare("""
            SELECT l.code, ifnull(i.gtin, i.sku), lo.lot, s.serial, s.epc, e.qty
            FROM entries e JOIN accounts a ON a.id = e.account_id JOIN locations l ON l.id = a.location_id
            JOIN items i ON i.id = a.item_id LEFT JOIN lots lo ON lo.id = a.lot_id LEFT JOIN serials s ON s.id = a.serial_id
            WHERE e.seq = ? ORDER BY e.line
            """)
        try rows.bind([.int(original.value)])
        defer { rows.reset() }
        var out: [PostingEntry] = []
        while try rows.step() {
            out.append(PostingEntry(location: LocationCode(rows.text(0)), item: ItemCode(rows.text(1)), lot: rows.optionalText(2),
                                    serial: rows.optionalText(3), epc: rows.optionalText(4), qty: 0 &- rows.int(5)))
        }
        return out
    }

    // MARK: master data resolution

    private func resolveItem(_ identifier: String, autoCreate: Bool, entry: PostingEntry) throws -> CachedItem {
        if let item = try cache.item(db: db, identifier: identifier) { return item }
        guard autoCreate else { throw LedgerError.unknownItem(identifier) }
        guard let gtin = GTIN(identifier) else {
            throw LedgerError.invalidPosting("cannot auto-create item '\(identifier)': it is not a valid GTIN (check digit or length)")
        }
        let tracking: Tracking = entry.serial != nil ? .serial : (entry.lot != nil ? .lot : .none)
        try openSavepoint()
        try db.prepare("INSERT INTO items(gtin, description, tracking) VALUES (?, '', ?)").run(.text(gtin.digits), .text(tracking.rawValue))
        guard let item = try cache.item(db: db, identifier: identifier) else { throw LedgerError.unknownItem(identifier) }
        return item
    }

    private func resolveLocation(_ code: String, autoCreate: Bool) throws -> CachedLocation {
        if let location = try cache.location(db: db, code: code) { return location }
        guard autoCreate else { throw LedgerError.unknownLocation(code) }
        guard !code.isEmpty, !code.hasPrefix("@") else {
            throw LedgerError.invalidPosting("cannot auto-create location '\(code)': codes starting with '@' are reserved for \(VirtualLocation.all.map(\.code).joined(separator: ", "))")
        }
        try openSavepoint()
        try db.prepare("INSERT INTO locations(code, type) VALUES (?, 'storage')").run(.text(code))
        guard let location = try cache.location(db: db, code: code) else { throw LedgerError.unknownLocation(code) }
        return location
    }

    private func resolveLotAndSerial(item: CachedItem, entry: PostingEntry) throws -> (Int64?, Int64?) {
        switch item.tracking {
        case .none:
            guard entry.lot == nil, entry.serial == nil else {
                throw LedgerError.invalidPosting("item \(entry.item) is not tracked by lot or serial; remove lot/serial from the line")
            }
            return (nil, nil)
        case .lot:
            guard let lot = entry.lot, !lot.isEmpty else { throw LedgerError.invalidPosting("item \(entry.item) is tracked by lot: the line needs a lot") }
            guard entry.serial == nil else { throw LedgerError.invalidPosting("item \(entry.item) is tracked by lot, not serial") }
            return (try cache.lot(db: db, item: item.id, lot: lot, expiry: entry.expiry?.iso), nil)
        case .serial:
            guard let serial = entry.serial, !serial.isEmpty else { throw LedgerError.invalidPosting("item \(entry.item) is tracked by serial: the line needs a serial") }
            guard entry.lot == nil else { throw LedgerError.invalidPosting("item \(entry.item) is tracked by serial, not lot") }
            guard entry.qty == 1 || entry.qty == -1 else {
                throw LedgerError.serialOnHand(item: entry.item.code, serial: serial, detail: "a serial moves with quantity 1, not \(entry.qty.magnitude)")
            }
            var epc: String? = nil
            if let hex = entry.epc {
                guard let parsed = EPC(hex: hex) else { throw LedgerError.invalidPosting("EPC '\(hex)' is not a hexadecimal EPC") }
                epc = parsed.hex
            }
            return (nil, try cache.serial(db: db, item: item.id, itemName: entry.item.code, serial: serial, epc: epc))
        }
    }
}
