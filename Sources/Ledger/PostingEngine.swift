import Foundation
import ScanModel

/// Applies postings on the writer connection, one savepoint each, inside a
/// transaction the `Writer` opens and commits for a whole batch. Every
/// invariant is checked here, before the savepoint is released.
/// Only the writer thread touches an engine.
final class PostingEngine {
    let db: Connection
    private let cache = MasterDataCache()
    private var nextSeq: Int64 = 1
    private var commitTime: Int64 = 0
    private let timeParser = EventTimeParser()

    init(db: Connection) { self.db = db }

    // MARK: batch

    func beginBatch() throws {
        try db.exec("BEGIN IMMEDIATE")
        // Read inside the write lock: another process may have posted since our last batch.
        nextSeq = (try db.scalarInt("SELECT ifnull(max(seq), 0) FROM postings") ?? 0) + 1
        commitTime = Int64(Date().timeIntervalSince1970 * 1_000_000)
    }

    func commitBatch() throws {
        do { try db.exec("COMMIT") } catch {
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
        let payload = request.canonicalPayload
        let lookup = try db.prepare("SELECT payload, seq, error FROM idempotency WHERE key = ?")
        try lookup.bind([.text(request.key)])
        if try lookup.step() {
            let storedPayload = lookup.text(0), seq = lookup.optionalInt(1), error = lookup.optionalText(2)
            lookup.reset()
            guard storedPayload == payload else {
                return PostingResult(key: request.key, status: .rejected, error: LedgerError.idempotencyConflict(key: request.key).description)
            }
            if let seq { return PostingResult(key: request.key, status: .duplicate, seq: LedgerSequence(seq)) }
            return PostingResult(key: request.key, status: .rejected, error: error)
        }
        lookup.reset()

        try db.exec("SAVEPOINT posting")
        do {
            let seq = nextSeq
            try record(request, seq: seq)
            try db.prepare("INSERT INTO idempotency(key, payload, seq) VALUES (?, ?, ?)").run(.text(request.key), .text(payload), .int(seq))
            try db.exec("RELEASE posting")
            cache.keepPending()
            nextSeq += 1
            return PostingResult(key: request.key, status: .posted, seq: LedgerSequence(seq))
        } catch let refusal as LedgerError {
            try db.exec("ROLLBACK TO posting; RELEASE posting")
            cache.dropPending()
            let message = refusal.description
            try db.prepare("INSERT INTO idempotency(key, payload, error) VALUES (?, ?, ?)").run(.text(request.key), .text(payload), .text(message))
            return PostingResult(key: request.key, status: .rejected, error: message)
        } catch {
            try? db.exec("ROLLBACK TO posting; RELEASE posting")
            cache.dropPending()
            throw error
        }
    }

    private struct ResolvedEntry {
        let account: Int64
        let entry: PostingEntry
        let item: CachedItem
        let location: CachedLocation
        let serialID: Int64?
    }

    private func record(_ request: PostingRequest, seq: Int64) throws {
        guard !request.key.isEmpty else { throw LedgerError.invalidPosting("the idempotency key is empty") }
        if let time = request.eventTime, !timeParser.isValid(time) {
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

        // Resolve accounts; creating master data only when allowed.
        var resolved: [ResolvedEntry] = []
        resolved.reserveCapacity(entries.count)
        for entry in entries {
            guard entry.qty != 0 else { throw LedgerError.invalidPosting("item \(entry.item) at \(entry.location): quantity 0") }
            let item = try resolveItem(entry.item, autoCreate: request.autoCreate, entry: entry)
            let location = try resolveLocation(entry.location, autoCreate: request.autoCreate)
            let (lotID, serialID) = try resolveLotAndSerial(item: item, entry: entry)
            let account = try cache.account(db: db, item: item.id, location: location.id, lot: lotID, serial: serialID)
            resolved.append(ResolvedEntry(account: account, entry: entry, item: item, location: location, serialID: serialID))
        }

        // Invariant 1: per item and lot/serial the entries sum to zero.
        struct Unit: Hashable { let item: Int64; let lot: String?; let serial: String? }
        var sums: [Unit: Int64] = [:]
        var unitOrder: [Unit] = []
        for r in resolved {
            let unit = Unit(item: r.item.id, lot: r.entry.lot, serial: r.entry.serial)
            if sums[unit] == nil { unitOrder.append(unit) }
            let (sum, overflow) = sums[unit, default: 0].addingReportingOverflow(r.entry.qty)
            guard !overflow else { throw LedgerError.invalidPosting("quantities of item \(r.entry.item) overflow") }
            sums[unit] = sum
        }
        for unit in unitOrder where sums[unit] != 0 {
            let e = resolved.first { $0.item.id == unit.item }?.entry
            throw LedgerError.unbalanced(item: e?.item ?? "?", lot: unit.lot, serial: unit.serial, sum: sums[unit] ?? 0)
        }

        try db.prepare("""
            INSERT INTO postings(seq, key, kind, station, device, ref, sscc, event_time, commit_time, reverses)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).run(.int(seq), .text(request.key), .text(request.kind.rawValue), .optionalText(request.station),
                     .optionalText(request.device), .optionalText(request.ref), .optionalText(request.sscc),
                     .optionalText(request.eventTime), .int(commitTime), .optionalInt(reverses))

        let insertEntry = try db.prepare("INSERT INTO entries(seq, account_id, qty) VALUES (?, ?, ?)")
        var deltas: [Int64: Int64] = [:]
        var accountOrder: [Int64] = []
        for r in resolved {
            try insertEntry.run(.int(seq), .int(r.account), .int(r.entry.qty))
            if deltas[r.account] == nil { accountOrder.append(r.account) }
            deltas[r.account, default: 0] &+= r.entry.qty
        }

        // Invariants 2 and 3 on the balances as they stand after this posting.
        let update = try db.prepare("UPDATE accounts SET balance = balance + ? WHERE id = ? RETURNING balance")
        for account in accountOrder {
            guard let delta = deltas[account], delta != 0,
                  let r = resolved.first(where: { $0.account == account }) else { continue }
            try update.bind([.int(delta), .int(account)])
            guard try update.step() else { update.reset(); throw LedgerError.sqlite("account \(account) vanished") }
            let balance = update.int(0)
            update.reset()
            let physical = r.location.type != .virtual
            if r.serialID != nil, physical {
                guard balance == 0 || balance == 1 else {
                    throw LedgerError.serialOnHand(item: r.entry.item, serial: r.entry.serial ?? "?",
                                                   detail: "quantity at \(r.location.code) would be \(balance); a serial is on hand 0 or 1 times")
                }
            } else if physical, !r.location.allowNegative, balance < 0 {
                throw LedgerError.negativeOnHand(location: r.location.code, item: r.entry.item, lot: r.entry.lot, balance: balance)
            }
        }
        for serialID in Set(resolved.compactMap(\.serialID)) {
            let onHand = try db.scalarInt("""
                SELECT ifnull(sum(a.balance), 0) FROM accounts a JOIN locations l ON l.id = a.location_id
                WHERE a.serial_id = ? AND l.type <> 'virtual'
                """, .int(serialID)) ?? 0
            if onHand > 1 || onHand < 0, let r = resolved.first(where: { $0.serialID == serialID }) {
                throw LedgerError.serialOnHand(item: r.entry.item, serial: r.entry.serial ?? "?",
                                               detail: "would be on hand \(onHand) times across locations; receive it only once")
            }
        }

        // Invariant 8: the outbox row, in this same transaction.
        try db.prepare("INSERT INTO outbox(seq, payload) VALUES (?, ?)")
            .run(.int(seq), .text(outboxPayload(request, seq: seq, reverses: reverses, entries: resolved.map(\.entry))))
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
            WHERE e.seq = ? ORDER BY e.id
            """)
        try rows.bind([.int(original.value)])
        defer { rows.reset() }
        var out: [PostingEntry] = []
        while try rows.step() {
            out.append(PostingEntry(location: rows.text(0), item: rows.text(1), lot: rows.optionalText(2),
                                    serial: rows.optionalText(3), epc: rows.optionalText(4), qty: 0 &- rows.int(5)))
        }
        return out
    }

    private func outboxPayload(_ r: PostingRequest, seq: Int64, reverses: Int64?, entries: [PostingEntry]) -> String {
        let list = entries.map { e in
            JSONText.object([("location", JSONText.quote(e.location)), ("item", JSONText.quote(e.item)),
                             ("lot", JSONText.quote(e.lot)), ("serial", JSONText.quote(e.serial)),
                             ("epc", JSONText.quote(e.epc)), ("qty", String(e.qty))])
        }.joined(separator: ",")
        return JSONText.object([
            ("seq", String(seq)), ("key", JSONText.quote(r.key)), ("kind", JSONText.quote(r.kind.rawValue)),
            ("ref", JSONText.quote(r.ref)), ("station", JSONText.quote(r.station)), ("device", JSONText.quote(r.device)),
            ("sscc", JSONText.quote(r.sscc)), ("event_time", JSONText.quote(r.eventTime)),
            ("commit_time_us", String(commitTime)), ("reverses", JSONText.number(reverses)), ("entries", "[\(list)]"),
        ])
    }

    // MARK: master data resolution

    private func resolveItem(_ identifier: String, autoCreate: Bool, entry: PostingEntry) throws -> CachedItem {
        if let item = try cache.item(db: db, identifier: identifier) { return item }
        guard autoCreate else { throw LedgerError.unknownItem(identifier) }
        guard let gtin = GTIN(identifier) else {
            throw LedgerError.invalidPosting("cannot auto-create item '\(identifier)': it is not a valid GTIN (check digit or length)")
        }
        let tracking: Tracking = entry.serial != nil ? .serial : (entry.lot != nil ? .lot : .none)
        try db.prepare("INSERT INTO items(gtin, description, tracking) VALUES (?, '', ?)").run(.text(gtin.digits), .text(tracking.rawValue))
        guard let item = try cache.item(db: db, identifier: identifier) else { throw LedgerError.unknownItem(identifier) }
        return item
    }

    private func resolveLocation(_ code: String, autoCreate: Bool) throws -> CachedLocation {
        if let location = try cache.location(db: db, code: code) { return location }
        guard autoCreate else { throw LedgerError.unknownLocation(code) }
        guard !code.isEmpty, !code.hasPrefix("@") else {
            throw LedgerError.invalidPosting("cannot auto-create location '\(code)': codes starting with '@' are reserved for \(VirtualLocation.all.joined(separator: ", "))")
        }
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
            return (try cache.lot(db: db, item: item.id, lot: lot, expiry: entry.expiry), nil)
        case .serial:
            guard let serial = entry.serial, !serial.isEmpty else { throw LedgerError.invalidPosting("item \(entry.item) is tracked by serial: the line needs a serial") }
            guard entry.lot == nil else { throw LedgerError.invalidPosting("item \(entry.item) is tracked by serial, not lot") }
            guard entry.qty == 1 || entry.qty == -1 else {
                throw LedgerError.serialOnHand(item: entry.item, serial: serial, detail: "a serial moves with quantity 1, not \(abs(entry.qty))")
            }
            var epc: String? = nil
            if let hex = entry.epc {
                guard let parsed = EPC(hex: hex) else { throw LedgerError.invalidPosting("EPC '\(hex)' is not a hexadecimal EPC") }
                epc = parsed.hex
            }
            return (nil, try cache.serial(db: db, item: item.id, itemName: entry.item, serial: serial, epc: epc))
        }
    }
}

/// Validates ISO 8601 event times with a UTC offset or Z, with or without fractions.
final class EventTimeParser {
    private let plain = ISO8601DateFormatter()
    private let fractional: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
    func date(_ text: String) -> Date? { plain.date(from: text) ?? fractional.date(from: text) }
    func isValid(_ text: String) -> Bool { date(text) != nil }
}
