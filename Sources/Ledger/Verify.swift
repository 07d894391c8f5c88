/// What `verify` found: counts, and one line per problem (empty means sound).
public struct VerifyReport: Sendable, Equatable {
    public var postings: Int64 = 0
    public var entries: Int64 = 0
    public var accounts: Int64 = 0
    public var problems: [String] = []
    public var ok: Bool { problems.isEmpty }
}

extension LedgerReader {
    /// Re-checks every invariant from the stored rows, in one read transaction
    /// so the picture is consistent while the writer carries on. `check`
    /// chooses SQLite's structural check (`.full` for `verify --deep`). When
    /// that check found damage, the invariant checks run as far as the damaged
    /// file lets them and the error that stopped them is one more problem.
    public func verify(check: IntegrityCheck = .quick) throws -> VerifyReport {
        try db.exec("BEGIN")
        defer { try? db.exec("COMMIT") }
        var report = VerifyReport()
        let pragma = check == .quick ? "quick_check" : "integrity_check"
        do {
            for line in LedgerIntegrity.lines(try strings("PRAGMA \(pragma)(100)")) where line != "ok" {
                report.problems.append("sqlite \(pragma): \(line)")
            }
        } catch let e as SQLiteError where LedgerIntegrity.isDamage(e.code) {
            report.problems.append("sqlite \(pragma) stopped: \(e.message)")
        }
        do { try checkInvariants(&report) } catch let e as SQLiteError where !report.problems.isEmpty || LedgerIntegrity.isDamage(e.code) {
            report.problems.append("the invariant checks stopped: \(e.message)")
        }
        return report
    }

    private func checkInvariants(_ report: inout VerifyReport) throws {
        report.postings = try db.scalarInt("SELECT count(*) FROM postings") ?? 0
        report.entries = try db.scalarInt("SELECT count(*) FROM entries") ?? 0
        report.accounts = try db.scalarInt("SELECT count(*) FROM accounts") ?? 0
        for line in try strings("SELECT \"table\" || ' row ' || rowid || ' has no parent in ' || parent FROM pragma_foreign_key_check") {
            report.problems.append("foreign key: \(line)")
        }

        let triggers = Set(try strings("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        for name in Schema.requiredTriggers where !triggers.contains(name) {
            report.problems.append("trigger \(name) is missing: entries or postings could be changed in place")
        }

        // Invariant 6: cached balances equal a re-sum of the entries.
        let totals = Dictionary(uniqueKeysWithValues: try wrappingSums("SELECT account_id, qty FROM entries ORDER BY account_id", keys: 1)
            .map { ($0.key[0], $0.sum) })
        let balances = try db.prepare("SELECT id, balance FROM accounts ORDER BY id")
        var drifted: [Int64] = []
        while try balances.step() {
            if balances.int(1) != totals[balances.int(0), default: 0] { drifted.append(balances.int(0)) }
        }
        balances.reset()
        for account in drifted {
            report.problems.append(try describe("""
                SELECT 'account ' || a.id || ' (' || l.code || ', item ' || ifnull(i.gtin, i.sku) ||
                       ifnull(', lot ' || lo.lot, '') || ifnull(', serial ' || s.serial, '') || '): balance ' || a.balance
                FROM accounts a JOIN locations l ON l.id = a.location_id JOIN items i ON i.id = a.item_id
                LEFT JOIN lots lo ON lo.id = a.lot_id LEFT JOIN serials s ON s.id = a.serial_id WHERE a.id = ?
                """, account) + " but entries sum to \(totals[account, default: 0])")
        }

        // Sequence without gaps, starting at 1.
        let maxSeq = try db.scalarInt("SELECT ifnull(max(seq), 0) FROM postings") ?? 0
        if maxSeq != report.postings {
            report.problems.append("sequence has gaps: \(report.postings) postings but the last sequence is \(maxSeq)")
            for line in try strings("""
                SELECT 'missing sequence ' || (p.seq + 1) FROM postings p
                WHERE p.seq < (SELECT max(seq) FROM postings) AND NOT EXISTS (SELECT 1 FROM postings q WHERE q.seq = p.seq + 1)
                LIMIT 20
                """) { report.problems.append(line) }
            if try db.scalarInt("SELECT count(*) FROM postings WHERE seq = 1") == 0, maxSeq > 0 {
                report.problems.append("missing sequence 1")
            }
        }

        // Invariant 1 per stored posting.
        for group in try wrappingSums("""
            SELECT e.seq, a.item_id, ifnull(a.lot_id, 0), ifnull(a.serial_id, 0), e.qty
            FROM entries e JOIN accounts a ON a.id = e.account_id ORDER BY 1, 2, 3, 4
            """, keys: 4) where group.sum != 0 {
            report.problems.append(try describe("""
                SELECT 'posting ' || ? || ': entries of item ' || ifnull(i.gtin, i.sku) ||
                       ifnull(' lot ' || (SELECT lot FROM lots WHERE id = ?), '') || ifnull(' serial ' || (SELECT serial FROM serials WHERE id = ?), '')
                FROM items i WHERE i.id = ?
                """, group.key[0], group.key[2], group.key[3], group.key[1]) + " sum to \(group.sum)")
        }
        for line in try strings("SELECT 'posting ' || seq || ' has no entries' FROM postings p WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.seq = p.seq)") {
            report.problems.append(line)
        }

        // Invariants 2 and 3 on the stored balances.
        for line in try strings("""
            SELECT 'negative on-hand ' || a.balance || ' of item ' || ifnull(i.gtin, i.sku) || ' at ' || l.code
            FROM accounts a JOIN locations l ON l.id = a.location_id JOIN items i ON i.id = a.item_id
            WHERE a.balance < 0 AND l.type <> 'virtual' AND (l.allow_negative = 0 OR a.serial_id IS NOT NULL)
            """) { report.problems.append(line) }
        for line in try strings("""
            SELECT 'serial ' || s.serial || ' of item ' || ifnull(i.gtin, i.sku) || ' is on hand ' || sum(a.balance) || ' times'
            FROM accounts a JOIN locations l ON l.id = a.location_id JOIN serials s ON s.id = a.serial_id JOIN items i ON i.id = a.item_id
            WHERE l.type <> 'virtual' GROUP BY a.serial_id HAVING sum(a.balance) > 1 OR max(a.balance) > 1
            """) { report.problems.append(line) }

        // Invariants 4, 5 and 8: reversals point at non-reversals, every posting has its key and outbox row.
        for line in try strings("""
            SELECT 'posting ' || p.seq || ' reverses ' || p.reverses || ', which is ' ||
                   CASE WHEN o.seq IS NULL THEN 'missing' ELSE 'itself a reversal' END
            FROM postings p LEFT JOIN postings o ON o.seq = p.reverses
            WHERE p.reverses IS NOT NULL AND (o.seq IS NULL OR o.kind = 'reversal')
            """) { report.problems.append(line) }
        for line in try strings("""
            SELECT 'posting ' || p.seq || ': idempotency key ' || quote(p.key) || ' is not recorded for it'
            FROM postings p LEFT JOIN idempotency k ON k.key = p.key WHERE k.seq IS NOT p.seq
            """) { report.problems.append(line) }
        for line in try strings("SELECT 'posting ' || seq || ' has no outbox row' FROM postings p WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.seq = p.seq)") {
            report.problems.append(line)
        }
        for line in try strings("SELECT 'outbox row ' || seq || ' has no posting' FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.seq = o.seq)") {
            report.problems.append(line)
        }
        // Invariant 9 (held stock): @scrap is the shrinkage total, written only by scraps and their reversals.
        for line in try strings("""
            SELECT DISTINCT 'posting ' || p.seq || ' (' || p.kind || ') writes to @scrap; only scrap postings and their reversals may'
            FROM entries e JOIN accounts a ON a.id = e.account_id JOIN locations l ON l.id = a.location_id JOIN postings p ON p.seq = e.seq
            WHERE l.code = '@scrap' AND p.kind NOT IN ('scrap', 'reversal')
            """) { report.problems.append(line) }
    }

    /// Sums of the last column per group of the first `keys` columns (rows
    /// ordered by them), streamed and wrapping. SQLite's sum() fails with
    /// "integer overflow" when a running sum leaves Int64 even though the total
    /// fits (+max, +1, -1 in that order). The ledger's true totals always fit
    /// (the engine checks every balance), so a sum modulo 2^64 is exact.
    private func wrappingSums(_ sql: String, keys: Int) throws -> [(key: [Int64], sum: Int64)] {
        let s = try db.prepare(sql)
        defer { s.reset() }
        var out: [(key: [Int64], sum: Int64)] = []
        while try s.step() {
            let key = (0..<Int32(keys)).map { s.int($0) }
            if out.last?.key == key { out[out.count - 1].sum &+= s.int(Int32(keys)) } else { out.append((key, s.int(Int32(keys)))) }
        }
        return out
    }

    /// The one text a describing query returns for a problem found in Swift.
    private func describe(_ sql: String, _ values: Int64...) throws -> String {
        let s = try db.prepare(sql)
        try s.bind(values.map { .int($0) })
        defer { s.reset() }
        return try s.step() ? s.text(0) : "(row gone)"
    }

    private func strings(_ sql: String) throws -> [String] {
        let s = try db.prepare(sql)
        defer { s.reset() }
        var out: [String] = []
        while try s.step() { out.append(s.text(0)) }
        return out
    }
}
