import ScanModel

// The ship station's questions (ShipmentLookup), answered from the postings
// and the station journal: no table of its own, so shipping needs no
// migration. A posting that was reversed no longer counts: its carton may
// be shipped again, its tracking number reused.

extension Ledger: ShipmentLookup {
    public func packedCarton(sscc: String) throws -> PackedCarton? {
        try read { try $0.packedCarton(where: "sscc = ?", .text(sscc)) }
    }

    public func packedCarton(order: String) throws -> PackedCarton? {
        try read { try $0.packedCarton(where: "ref = ?", .text(order)) }
    }

    public func shipment(order: String?, sscc: String?) throws -> ShippedCarton? {
        try read { r in
            try r.shippedCarton("""
                SELECT seq, ref, sscc FROM postings WHERE kind = 'ship' AND ref IS ? AND sscc IS ?
                  AND seq NOT IN (SELECT reverses FROM postings WHERE reverses IS NOT NULL) ORDER BY seq DESC LIMIT 1
                """, [.optionalText(order), .optionalText(sscc)])
        }
    }

    /// Scans the `shipped` entries (json_extract, no index): a box ships a
    /// few thousand cartons a day, and a migration for an index would
    /// collide with other schema work under way.
    public func shipment(carrier: String, tracking: String) throws -> ShippedCarton? {
        try read { r in
            try r.shippedCarton("""
                SELECT p.seq, p.ref, p.sscc FROM station_journal j JOIN postings p ON p.seq = j.seq
                WHERE j.code = ? AND p.kind = 'ship' AND json_extract(j.detail, '$.carrier') = ? AND json_extract(j.detail, '$.tracking') = ?
                  AND p.seq NOT IN (SELECT reverses FROM postings WHERE reverses IS NOT NULL) ORDER BY p.seq DESC LIMIT 1
                """, [.text(shippedJournalCode), .text(carrier), .text(tracking)])
        }
    }
}

extension LedgerReader {
    func packedCarton(where condition: String, _ value: SQLValue) throws -> PackedCarton? {
        guard let seq = try db.scalarInt("""
            SELECT seq FROM postings WHERE kind = 'pack' AND \(condition)
              AND seq NOT IN (SELECT reverses FROM postings WHERE reverses IS NOT NULL) ORDER BY seq DESC LIMIT 1
            """, value) else { return nil }
        let rows = try historyRows(where: "p.seq = ?", [.int(seq)])
        guard let first = rows.first else { return nil }
        // Entries come in (from, to) pairs, line by line, as PostingLine.entries makes them.
        var lines: [PostingLine] = []
        for i in stride(from: 0, to: rows.count - 1, by: 2) {
            let from = rows[i], to = rows[i + 1]
            lines.append(PostingLine(item: ItemCode(to.item), qty: to.qty, from: LocationCode(from.location), to: LocationCode(to.location),
                                     lot: to.lot, serial: to.serial, epc: to.epc))
        }
        return PackedCarton(seq: LedgerSequence(seq), order: first.ref, sscc: first.sscc, lines: lines)
    }

    func shippedCarton(_ sql: String, _ values: [SQLValue]) throws -> ShippedCarton? {
        let s = try db.prepare(sql)
        try s.bind(values)
        defer { s.reset() }
        guard try s.step() else { return nil }
        return ShippedCarton(seq: LedgerSequence(s.int(0)), order: s.optionalText(1), sscc: s.optionalText(2))
    }
}
