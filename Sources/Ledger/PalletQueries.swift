import ScanModel

// The ship station's pallet questions (PalletLookup), answered from the
// `shipped` journal entries like the tracking-number check: the pallet SSCC
// lives in the entry's detail, so pallets need no table and no migration.

extension Ledger: PalletLookup {
    public func shipment(pallet: String) throws -> ShippedCarton? {
        try read { r in
            try r.shippedCarton("""
                SELECT p.seq, p.ref, p.sscc FROM station_journal j JOIN postings p ON p.seq = j.seq
                WHERE j.code = ? AND p.kind = 'ship' AND json_extract(j.detail, '$.pallet') = ?
                  AND p.seq NOT IN (SELECT reverses FROM postings WHERE reverses IS NOT NULL) ORDER BY p.seq LIMIT 1
                """, [.text(shippedJournalCode), .text(pallet)])
        }
    }

    public func pallet(ofShipment seq: LedgerSequence) throws -> String? {
        try read { r in
            let s = try r.db.prepare("SELECT json_extract(detail, '$.pallet') FROM station_journal WHERE seq = ? AND code = ? LIMIT 1")
            try s.bind([.int(seq.value), .text(shippedJournalCode)])
            defer { s.reset() }
            return try s.step() ? s.optionalText(0) : nil
        }
    }
}
