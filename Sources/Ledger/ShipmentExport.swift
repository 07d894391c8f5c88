import ScanModel

// `scanledger export shipments`: the ship postings that stand (not
// reversed), each with the carrier data its `shipped` journal entry stores
// and the lines that left for the customer.

public struct ShipmentRow: Hashable, Sendable {
    public struct Line: Hashable, Sendable {
        public var item: String
        public var lot: String?
        public var serial: String?
        public var qty: Int64
        public init(item: String, lot: String? = nil, serial: String? = nil, qty: Int64) {
            self.item = item; self.lot = lot; self.serial = serial; self.qty = qty
        }
    }
    public var seq: LedgerSequence
    /// UTC text of the journal entry's time (the CONFIRM scan).
    public var time: String
    public var station: String
    public var order: String?
    public var sscc: String?
    /// The pallet the carton left on; nil for a loose carton.
    public var pallet: String? = nil
    public var carrier: String?
    public var service: String?
    public var tracking: String?
    public var lines: [Line]

    public var jsonText: String {
        let q = JSONText.quote
        let lines = lines.map { l in
            JSONText.object([("item", q(l.item)), ("lot", q(l.lot)), ("serial", q(l.serial)), ("qty", String(l.qty))])
        }
        return JSONText.object([("seq", String(seq.value)), ("time", q(time)), ("station", q(station)), ("order", q(order)),
                                ("sscc", q(sscc)), ("pallet", q(pallet)), ("carrier", q(carrier)), ("service", q(service)), ("tracking", q(tracking)),
                                ("lines", "[" + lines.joined(separator: ",") + "]")])
    }

    public static let csvHeader = ["seq", "time", "station", "order", "sscc", "pallet", "carrier", "service", "tracking", "item", "lot", "serial", "qty"]

    /// One CSV record per line, the shipment's fields repeated.
    public var csvRecords: String {
        lines.map { l in
            CSV.record([String(seq.value), time, station, order ?? "", sscc ?? "", pallet ?? "", carrier ?? "", service ?? "", tracking ?? "",
                        l.item, l.lot ?? "", l.serial ?? "", String(l.qty)])
        }.joined()
    }
}

extension LedgerReader {
    /// Shipments confirmed at or after `since`, oldest first.
    public func shipments(since: Microseconds = .zero) throws -> [ShipmentRow] {
        let s = try db.prepare("""
            SELECT p.seq, j.time, j.station, json_extract(j.detail, '$.order'), p.sscc, json_extract(j.detail, '$.carrier'),
                   json_extract(j.detail, '$.service'), json_extract(j.detail, '$.tracking'), json_extract(j.detail, '$.pallet')
            FROM station_journal j JOIN postings p ON p.seq = j.seq
            WHERE j.code = ? AND p.kind = 'ship' AND j.time >= ?
              AND p.seq NOT IN (SELECT reverses FROM postings WHERE reverses IS NOT NULL)
            ORDER BY p.seq
            """)
        try s.bind([.text(shippedJournalCode), .text(StationJournalStore.timeText(since))])
        defer { s.reset() }
        var rows: [ShipmentRow] = []
        while try s.step() {
            rows.append(ShipmentRow(seq: LedgerSequence(s.int(0)), time: s.text(1), station: s.text(2), order: s.optionalText(3),
                                    sscc: s.optionalText(4), pallet: s.optionalText(8), carrier: s.optionalText(5),
                                    service: s.optionalText(6), tracking: s.optionalText(7), lines: []))
        }
        // The `to` side of each line is what reached the customer.
        for i in rows.indices {
            rows[i].lines = try historyRows(where: "p.seq = ?", [.int(rows[i].seq.value)]).filter { $0.qty > 0 }
                .map { ShipmentRow.Line(item: $0.item, lot: $0.lot, serial: $0.serial, qty: $0.qty) }
        }
        return rows
    }
}
