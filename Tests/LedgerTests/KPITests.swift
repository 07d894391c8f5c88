import Foundation
import Testing
@testable import Ledger
import ScanModel

/// A small day at one site, every figure of docs/kpis.md computed by hand
/// from it (the comments give the arithmetic).
final class KPIDataSet {
    let t: TestLedger
    var seqs: [String: Int64] = [:]

    init() throws {
        t = try TestLedger()
        let w = TestLedger.widget
        func entry(_ code: String, _ severity: JournalSeverity, station: String, document: String? = nil, reason: String? = nil,
                   detail: String = "{}") -> JournalEntry {
            JournalEntry(time: Microseconds(Int64(Date().timeIntervalSince1970 * 1e6)), station: station, code: code, severity: severity,
                         document: document, reason: reason, message: code, detail: detail)
        }
        func post(_ key: String, _ kind: PostingKind, ref: String? = nil, station: String, _ lines: [PostingLine],
                  journal: [JournalEntry] = [], operatorID: String? = nil, reason: String? = nil) throws {
            var r = PostingRequest(key: key, kind: kind, ref: ref, station: station, lines: lines)
            r.journal = journal; r.operatorID = operatorID; r.reason = reason
            let result = try t.post(r)
            guard let seq = result.seq, result.status == .posted else { throw LedgerError.invalidPosting("\(key): \(result.error ?? "?")") }
            seqs[key] = seq.value
        }
        func line(_ qty: Int64, _ from: LocationCode, _ to: LocationCode, item: ItemCode = w, lot: String? = nil) -> PostingLine {
            PostingLine(item: item, qty: qty, from: from, to: to, lot: lot)
        }
        // ASN-1: 12 expected, 10 received (short 2) and 1 unexpected line of 1; ASN-2 exact (5 of 5).
        let asn1 = #"{"lines":[{"line":1,"item":"W","expected":12,"received":10,"over":0,"short":2}],"unexpected":[{"line":null,"item":"X","expected":0,"received":1,"over":1,"short":0}],"partial":false}"#
        let asn2 = #"{"lines":[{"line":1,"item":"M","expected":5,"received":5,"over":0,"short":0}],"unexpected":[],"partial":false}"#
        try post("r1", .receipt, ref: "ASN-1", station: "dock", [line(10, VirtualLocation.supplier, "DOCK1")],
                 journal: [entry("receipt-report", .warning, station: "dock", document: "ASN-1", detail: asn1)])
        try post("r2", .receipt, ref: "ASN-2", station: "dock", [line(5, VirtualLocation.supplier, "DOCK1", item: TestLedger.milk, lot: "L1")],
                 journal: [entry("receipt-report", .done, station: "dock", document: "ASN-2", detail: asn2)])
        try post("m1", .move, station: "dock", [line(10, "DOCK1", "A-01")])            // r1 put away; r2 waits
        try post("p1", .pack, ref: "SO-1", station: "pack", [line(4, "A-01", "PACK1")])
        try post("p2", .pack, ref: "SO-2", station: "pack", [line(2, "A-01", "PACK1")],
                 journal: [entry("short-pack", .warning, station: "pack", document: "SO-2", detail: #"{"item":"W","ordered":3,"packed":2,"missing":1}"#)])
        try post("p3", .pack, ref: "SO-2", station: "pack", [line(1, "A-01", "PACK1")])  // SO-2's second pack: not first time
        try post("s1", .ship, ref: "SO-1", station: "ship", [line(4, "PACK1", VirtualLocation.customer)])
        try post("s2", .ship, ref: "SO-2", station: "ship", [line(3, "PACK1", VirtualLocation.customer)])
        try post("ret1", .return, ref: "SO-1", station: "returns", [line(1, VirtualLocation.customer, "A-01")],
                 journal: [entry("returned", .info, station: "returns", document: "SO-1", reason: "DAMAGED", detail: #"{"item":"W","qty":1}"#)])
        try post("c1", .adjustment, station: "count", [line(2, "A-01", VirtualLocation.adjustment)],
                 journal: [entry("count-posted", .done, station: "count", document: "C1",
                                 detail: #"{"found":2,"missing":1,"misplaced":0,"unknown":0,"adjustment_lines":1}"#)])
        try post("c2", .adjustment, station: "count", [line(1, VirtualLocation.adjustment, "A-02")])
        try post("x1", .scrap, station: "qa", [line(1, "A-01", VirtualLocation.scrap)], operatorID: "op-7", reason: "CRUSHED")
        try t.ledger.recordJournal([
            entry("count-posted", .done, station: "count", document: "C2", detail: #"{"found":3,"missing":0,"misplaced":0,"unknown":0,"adjustment_lines":0}"#),
            entry("wrong-item-for-order", .error, station: "pack", document: "SO-1"),
            entry("over-pack", .error, station: "pack", document: "SO-2"),
            entry("not-in-source", .error, station: "dock"),
            entry("not-in-source", .warning, station: "dock"),   // overridden: not an error
        ])
    }

    func commitTime(_ key: String) throws -> Int64 {
        try #require(try t.ledger.read { try $0.db.scalarInt("SELECT commit_time FROM postings WHERE seq = ?", .int(seqs[key]!)) })
    }

    func activeHours() throws -> Int64 {
        try #require(try t.ledger.read { try $0.db.scalarInt("SELECT count(DISTINCT commit_time / 3600000000) FROM postings") })
    }
}

func kpi(_ table: KPITable, _ name: String, group: Int = 0) -> Double? {
    table.groups[group].values.first { $0.name == name }!.value
}

func near(_ a: Double?, _ b: Double?) -> Bool {
    guard let a, let b else { return a == nil && b == nil }
    return abs(a - b) < 1e-9
}

@Suite struct KPITests {
    @Test func everyFigureOfAHandComputedDay() throws {
        let d = try KPIDataSet()
        let k = try d.t.ledger.kpis(KPIRequest())
        #expect(k.groups.count == 1)
        #expect(near(kpi(k, "inventory_accuracy"), 50))                 // C2 exact, C1 not: 1 / 2
        #expect(near(kpi(k, "count_unit_accuracy"), 500.0 / 6))         // found 2 + 3 of 2 + 3 + 1 missing
        #expect(kpi(k, "counts") == 2)
        #expect(kpi(k, "shrinkage_counted_units") == 1)                 // loss 2 − gain 1
        #expect(kpi(k, "shrinkage_scrapped_units") == 1)
        #expect(kpi(k, "shrinkage_units") == 2)
        #expect(near(kpi(k, "shrinkage_rate"), 200.0 / 15))             // 2 of 10 + 5 received
        #expect(near(kpi(k, "fill_rate"), 87.5))                        // packed 7 of 7 + 1 short
        #expect(near(kpi(k, "order_fill_rate"), 50))                    // SO-1 complete first time, SO-2 not
        #expect(kpi(k, "backorder_rate") == nil)                        // no backordered entries
        #expect(near(kpi(k, "pack_error_rate"), 100))                   // 2 refusals per 2 orders
        #expect(near(kpi(k, "short_pack_rate"), 50))                    // 1 short pack per 2 orders
        #expect(near(kpi(k, "pick_error_rate"), 25))                    // 1 refusal per 1 move + 3 pack lines
        let putAway = Double(try d.commitTime("m1") - d.commitTime("r1")) / 60e6
        #expect(near(kpi(k, "dock_to_stock_p50"), putAway))
        #expect(near(kpi(k, "dock_to_stock_p90"), putAway))
        #expect(kpi(k, "receipt_lines_waiting_put_away") == 1)          // r2's milk
        let cycles = [try d.commitTime("s1") - d.commitTime("p1"), try d.commitTime("s2") - d.commitTime("p2")].sorted().map { Double($0) / 60e6 }
        #expect(near(kpi(k, "order_cycle_p50"), cycles[0]))             // nearest rank of 2: the first
        #expect(near(kpi(k, "order_cycle_p90"), cycles[1]))
        #expect(near(kpi(k, "return_rate"), 100.0 / 7))                 // 1 back of 7 shipped
        #expect(near(kpi(k, "receiving_discrepancy_rate"), 200.0 / 3))  // 2 of 3 lines (the unexpected one counts)
        #expect(near(kpi(k, "receiving_unit_discrepancy"), 300.0 / 17)) // short 2 + over 1 of 12 + 5 expected
        #expect(kpi(k, "postings") == 12)
        #expect(kpi(k, "units") == 44)                                  // 10+5+10+4+2+1+4+3+1+2+1+1
        let hours = Double(try d.activeHours())
        #expect(near(kpi(k, "postings_per_hour"), 12 / hours))
        #expect(near(kpi(k, "units_per_hour"), 44 / hours))
        #expect(k.groups[0].counts.returnedByReason == ["DAMAGED": 1])
    }

    @Test func backordersCountOrdersWithAnEntryAmongThoseOfThePeriod() throws {
        let d = try KPIDataSet()
        try d.t.ledger.recordJournal([JournalEntry(time: Microseconds(Int64(Date().timeIntervalSince1970 * 1e6)), station: "pack",
                                                   code: KPICodes.backordered, severity: .warning, document: "SO-3", message: "SO-3 backordered")])
        let k = try d.t.ledger.kpis(KPIRequest())
        #expect(near(kpi(k, "backorder_rate"), 100.0 / 3))               // SO-3 of SO-1, SO-2, SO-3
    }

    /// The pick station's refusals are pick errors (a FEFO warning is not).
    @Test func pickStationRefusalsCountAsPickErrors() throws {
        let d = try KPIDataSet()
        let now = Microseconds(Int64(Date().timeIntervalSince1970 * 1e6))
        try d.t.ledger.recordJournal(["wrong-location", "wrong-lot"].map {
            JournalEntry(time: now, station: "pick", code: $0, severity: .error, document: "SO-1", message: $0)
        } + [JournalEntry(time: now, station: "pick", code: "fefo", severity: .warning, document: "SO-1", message: "fefo")])
        let k = try d.t.ledger.kpis(KPIRequest())
        #expect(near(kpi(k, "pick_error_rate"), 75))                    // 1 + 2 refusals per 1 move + 3 pack lines
    }

    @Test func groupsByStationSplitTheFigures() throws {
        let d = try KPIDataSet()
        let k = try d.t.ledger.kpis(KPIRequest(by: .station))
        #expect(k.groups.map(\.key) == ["count", "dock", "pack", "qa", "returns", "ship"])
        let dock = try #require(k.groups.firstIndex { $0.key == "dock" })
        #expect(kpi(k, "postings", group: dock) == 3)
        #expect(near(kpi(k, "pick_error_rate", group: dock), 100))      // 1 refusal per 1 move line
        let pack = try #require(k.groups.firstIndex { $0.key == "pack" })
        #expect(near(kpi(k, "fill_rate", group: pack), 87.5))
        #expect(kpi(k, "return_rate", group: pack) == nil)             // nothing shipped at the pack bench
    }

    @Test func aPeriodWithNothingInItIsNotApplicableNotZero() throws {
        let d = try KPIDataSet()
        let future = Microseconds(Int64(Date().timeIntervalSince1970 * 1e6) + 86_400_000_000)
        let k = try d.t.ledger.kpis(KPIRequest(since: future))
        #expect(k.groups.count == 1 && kpi(k, "postings") == 0)
        for name in ["inventory_accuracy", "fill_rate", "order_fill_rate", "return_rate", "pack_error_rate", "dock_to_stock_p50",
                     "receiving_discrepancy_rate", "shrinkage_rate", "postings_per_hour"] {
            #expect(kpi(k, name) == nil, "\(name)")
        }
        // Before the postings: until excludes them all too.
        let before = try d.t.ledger.kpis(KPIRequest(until: Microseconds(1_000_000)))
        #expect(kpi(before, "postings") == 0)
    }

    @Test func anEmptyLedgerPrintsNotApplicable() throws {
        let t = try TestLedger()
        let k = try t.ledger.kpis(KPIRequest())
        #expect(k.text.contains("fill_rate") && k.text.contains("n/a"))
        #expect(!k.text.contains("nan") && !k.text.contains("inf"))
        #expect(k.json.contains("\"fill_rate\":null"))
        #expect(k.csv.contains(",fill_rate,%,n/a\n"))
    }

    @Test func aCountsRelocationIsNeitherLossNorGain() throws {
        let t = try TestLedger()
        #expect(try t.receive("r", qty: 5, to: "A-01").status == .posted)
        let count = PostingRequest(key: "c", kind: .adjustment, station: "count", lines: [
            PostingLine(item: TestLedger.widget, qty: 2, from: "A-01", to: "A-02"),   // found misplaced: relocated
            PostingLine(item: TestLedger.widget, qty: 1, from: "A-01", to: VirtualLocation.adjustment),
        ])
        #expect(try t.post(count).status == .posted)
        let k = try t.ledger.kpis(KPIRequest())
        #expect(kpi(k, "shrinkage_counted_units") == 1)
        #expect(near(kpi(k, "shrinkage_rate"), 20))                     // 1 of 5 received
        #expect(kpi(k, "units") == 8)                                   // 5 received + 2 relocated + 1 written off
    }

    @Test func aReversedPostingCountsAsNeither() throws {
        let d = try KPIDataSet()
        _ = try d.t.ledger.reverse(LedgerSequence(d.seqs["s2"]!), key: "undo-s2")
        let k = try d.t.ledger.kpis(KPIRequest())
        #expect(kpi(k, "postings") == 11)
        #expect(near(kpi(k, "return_rate"), 25))                        // 1 back of the 4 still shipped
    }
}
