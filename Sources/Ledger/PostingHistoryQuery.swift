import ScanModel

// What a document's earlier postings moved, for the returns station: an
// order's `pack` postings are what it shipped, its `return` postings what
// already came back.

extension Ledger: PostingHistory {
    public func postedUnits(kind: PostingKind, ref: String) throws -> [StockBalance] {
        try read { r in
            // Positive entries are where the goods went; a reversed posting
            // is as if it never happened, so it is left out.
            let rows = try r.historyRows(where: """
                p.ref = ? AND p.kind = ? AND e.qty > 0
                AND NOT EXISTS (SELECT 1 FROM postings x WHERE x.reverses = p.seq)
                """, [.text(ref), .text(kind.rawValue)])
            var order: [String] = []
            var sums: [String: StockBalance] = [:]
            for row in rows {
                let key = "\(row.item)\u{0}\(row.lot ?? "")\u{0}\(row.serial ?? "")"
                if sums[key] == nil {
                    order.append(key)
                    sums[key] = StockBalance(item: ItemCode(row.item), lot: row.lot, serial: row.serial, qty: 0)
                }
                sums[key]?.qty &+= row.qty
            }
            return order.compactMap { sums[$0] }
        }
    }

    public func refs(kind: PostingKind, item: ItemCode, serial: String) throws -> [String] {
        try read { r in
            let rows = try r.historyRows(where: """
                p.kind = ? AND s.serial = ? AND ifnull(i.gtin, i.sku) = ? AND e.qty > 0 AND p.ref IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM postings x WHERE x.reverses = p.seq)
                """, [.text(kind.rawValue), .text(serial), .text(item.code)])
            var refs: [String] = []
            for row in rows.reversed() { if let ref = row.ref, !refs.contains(ref) { refs.append(ref) } }
            return refs
        }
    }
}
