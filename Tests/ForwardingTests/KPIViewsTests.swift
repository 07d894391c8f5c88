import Foundation
import Testing
@testable import Forwarding
import Ledger
import ScanModel

/// The central KPI views (schema 4) against `scanledger kpi` on each box:
/// three site ledgers with different days, forwarded to the test's
/// PostgreSQL, give the same KPIs per origin, and all origins together give
/// those of the three ledgers' sums. Part of the serialized ForwardingTests suite.
extension ForwardingTests {
    /// A day at box `n` (1…3): receipts, a put-away, packs (short from box 2 on),
    /// a shipment, a return at box 3, counts, a scrap, refusals, a backorder
    /// at box 3 and a reversed move at box 2.
    static func kpiDay(_ box: Box, _ n: Int64) throws {
        let w = ItemCode(Box.widget), now = Microseconds(Int64(Date().timeIntervalSince1970 * 1e6))
        func entry(_ code: String, _ severity: JournalSeverity, document: String? = nil, reason: String? = nil, detail: String = "{}") -> JournalEntry {
            JournalEntry(time: now, station: box.origin, code: code, severity: severity, document: document, reason: reason, message: code, detail: detail)
        }
        var seq: [String: LedgerSequence] = [:]
        func post(_ key: String, _ kind: PostingKind, ref: String? = nil, _ qty: Int64, _ from: LocationCode, _ to: LocationCode,
                  item: ItemCode = w, journal: [JournalEntry] = []) throws {
            var r = PostingRequest(key: "\(box.origin)-\(key)", kind: kind, ref: ref, station: box.origin,
                                   lines: [PostingLine(item: item, qty: qty, from: from, to: to)])
            r.journal = journal
            if kind == .scrap { r.operatorID = "op-\(n)"; r.reason = "CRUSHED" }
            let result = try box.ledger.postAndWait([r])[0]
            try #require(result.status == .posted, "\(key): \(result.error ?? "")")
            seq[key] = result.seq
        }
        let report = #"{"lines":[{"expected":\#(10 * n + 1),"received":\#(10 * n),"over":0,"short":1}],"unexpected":[{"received":\#(n),"over":\#(n),"short":0,"expected":0}],"partial":false}"#
        try post("r1", .receipt, ref: "ASN-\(n)", 10 * n, VirtualLocation.supplier, "DOCK1", journal: [entry("receipt-report", .warning, document: "ASN-\(n)", detail: report)])
        try post("r2", .receipt, 5, VirtualLocation.supplier, "DOCK1", item: ItemCode(Box.bolt))
        try post("m1", .move, 10 * n, "DOCK1", "A-01")
        try post("p1", .pack, ref: "SO-1", n, "A-01", "A-02")
        if n >= 2 {
            try post("p2", .pack, ref: "SO-2", 1, "A-01", "A-02",
                     journal: [entry("short-pack", .warning, document: "SO-2", detail: #"{"missing":\#(n - 1)}"#)])
            try post("m2", .move, 1, "A-01", "A-02")
            #expect(try box.ledger.reverse(seq["m2"]!, key: "\(box.origin)-undo-m2").status == .posted)
        }
        try post("s1", .ship, ref: "SO-1", n, "A-02", VirtualLocation.customer)
        if n == 3 {
            try post("ret", .return, ref: "SO-1", 1, VirtualLocation.customer, "A-01",
                     journal: [entry("returned", .info, document: "SO-1", reason: "LATE", detail: #"{"qty":1}"#)])
        }
        if n != 2 {
            try post("c1", .adjustment, 1, "A-01", VirtualLocation.adjustment, journal: [entry("count-posted", .done, document: "C-\(n)",
                     detail: #"{"found":\#(n + 2),"missing":1,"misplaced":0,"unknown":0,"adjustment_lines":1}"#)])
        }
        try post("x1", .scrap, 1, "A-01", VirtualLocation.scrap)
        var refusals = (0..<n).map { _ in entry("wrong-item-for-order", .error, document: "SO-1") } + [entry("not-in-source", .error)]
        if n == 3 { refusals.append(entry(KPICodes.backordered, .warning, document: "SO-9")) }
        try box.ledger.recordJournal(refusals + [entry("count-posted", .done, document: "C-x",
                                                        detail: #"{"found":2,"missing":0,"misplaced":0,"unknown":0,"adjustment_lines":0}"#)])
    }

    @Test func centralKPIViewsEqualEachBoxAndAllTogether() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let settings = try server.settings(database: name)
        let boxes = try ["north", "south", "east"].map { try Box(origin: $0) }
        var local: [String: KPICounts] = [:]
        var all = KPICounts()
        var hours = Set<Int64>()
        for (i, box) in boxes.enumerated() {
            try Self.kpiDay(box, Int64(i + 1))
            #expect(try box.forwarder(settings).forwardPending() > 0)
            let counts = try #require(try box.ledger.read { try $0.kpiCounts(KPIRequest()) }.first?.counts)
            local[box.origin] = counts
            all.add(counts)
            hours.formUnion(try box.ledger.read { try $0.kpiHourly(KPIRequest()) }.map(\.hour))
        }
        all.activeHours = Int64(hours.count)
        let db = try server.connect(name)
        let names = KPI.values(KPICounts()).map(\.name)
        #expect(names == CentralKPIViews.columns.map(\.0), "the views name the KPIs as the box does")
        let rows = try db.query("SELECT coalesce(origin, '*'), \(names.joined(separator: ", ")) FROM kpi_by_origin")
        #expect(rows.rowCount == 4)
        var checked = 0
        for r in 0..<rows.rowCount {
            let origin = rows.text(r, 0) ?? "?"
            let expected = KPI.values(origin == "*" ? all : try #require(local[origin], "origin \(origin)"))
            for (c, v) in expected.enumerated() {
                let central = rows.text(r, c + 1).flatMap(Double.init)
                if let want = v.value, let got = central {
                    #expect(abs(want - got) < 1e-6 * max(1, abs(want)), "\(origin) \(v.name): box \(want), central \(got)")
                } else {
                    #expect(v.value == nil && central == nil, "\(origin) \(v.name): box \(v.text), central \(rows.text(r, c + 1) ?? "NULL")")
                }
                checked += 1
            }
        }
        #expect(checked == 4 * names.count)
        // The data set exercises the ratios, not only their n/a: a few figures by hand.
        let north = KPI.values(local["north"]!), everyone = KPI.values(all)
        #expect(north.first { $0.name == "backorder_rate" }?.value == nil)
        #expect(everyone.first { $0.name == "backorder_rate" }?.value.map { abs($0 - 100.0 / 6) < 1e-9 } == true) // SO-9 of 6 orders (1 + 2 + 3)
        #expect(everyone.first { $0.name == "order_fill_rate" }?.value.map { abs($0 - 100.0 * 3 / 5) < 1e-9 } == true)
    }
}
