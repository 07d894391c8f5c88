import Foundation
import ScanModel

// The KPIs as ratios of the sums in `KPICounts` (definitions in docs/kpis.md).
// A ratio whose denominator is zero is nil ("n/a"), never 0 %.

/// One KPI of one group: a name, a unit and the value, or nil for n/a.
public struct KPIValue: Sendable, Equatable {
    public var name: String
    public var unit: String
    public var value: Double?
    public init(name: String, unit: String, value: Double?) { self.name = name; self.unit = unit; self.value = value }

    /// Two decimals for ratios and times, none for counts; "n/a" without a value.
    public var text: String {
        guard let value else { return "n/a" }
        return unit == "units" || unit == "count" ? String(Int64(value.rounded())) : String(format: "%.2f", value)
    }

    /// JSON number (shortest form that round-trips to the shown value) or null.
    public var jsonNumber: String {
        guard let value else { return "null" }
        return unit == "units" || unit == "count" ? String(Int64(value.rounded())) : String(format: "%.4f", value)
    }
}

public enum KPI {
    /// `part / whole × 100`, nil when `whole` is 0.
    public static func percent(_ part: Int64, of whole: Int64) -> Double? {
        whole == 0 ? nil : Double(part) * 100 / Double(whole)
    }

    public static func rate(_ part: Int64, per whole: Int64, scale: Double = 1) -> Double? {
        whole == 0 ? nil : Double(part) * scale / Double(whole)
    }

    /// Nearest-rank percentile of sorted values (p in 0...100), nil when empty.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// The KPIs of one group, in the order docs/kpis.md lists them.
    public static func values(_ c: KPICounts) -> [KPIValue] {
        let shrinkage = c.countLossUnits - c.countGainUnits + c.unitsScrapped
        return [
            KPIValue(name: "inventory_accuracy", unit: "%", value: percent(c.countsExact, of: c.countsPosted)),
            KPIValue(name: "count_unit_accuracy", unit: "%", value: percent(c.serialsFound, of: c.serialsFound + c.serialsMissing)),
            KPIValue(name: "counts", unit: "count", value: Double(c.countsPosted)),
            KPIValue(name: "shrinkage_units", unit: "units", value: Double(shrinkage)),
            KPIValue(name: "shrinkage_counted_units", unit: "units", value: Double(c.countLossUnits - c.countGainUnits)),
            KPIValue(name: "shrinkage_scrapped_units", unit: "units", value: Double(c.unitsScrapped)),
            KPIValue(name: "shrinkage_rate", unit: "% of received", value: percent(shrinkage, of: c.unitsReceived)),
            KPIValue(name: "fill_rate", unit: "%", value: percent(c.unitsPacked, of: c.unitsPacked + c.unitsShortPacked)),
            KPIValue(name: "order_fill_rate", unit: "%", value: percent(c.ordersCompleteFirstTime, of: c.ordersPacked)),
            KPIValue(name: "backorder_rate", unit: "%",
                     value: c.backorderedEntries == 0 ? nil : percent(c.ordersBackordered, of: c.ordersConsideredForBackorder)),
            KPIValue(name: "pack_error_rate", unit: "per 100 orders", value: rate(c.packErrors, per: c.ordersPacked, scale: 100)),
            KPIValue(name: "short_pack_rate", unit: "per 100 orders", value: rate(c.shortPacks, per: c.ordersPacked, scale: 100)),
            KPIValue(name: "pick_error_rate", unit: "per 100 lines", value: rate(c.pickErrors, per: c.pickedLines, scale: 100)),
            KPIValue(name: "dock_to_stock_p50", unit: "min", value: percentile(c.dockToStockSeconds, 50).map { $0 / 60 }),
            KPIValue(name: "dock_to_stock_p90", unit: "min", value: percentile(c.dockToStockSeconds, 90).map { $0 / 60 }),
            KPIValue(name: "receipt_lines_waiting_put_away", unit: "count", value: Double(c.receiptLinesWaiting)),
            KPIValue(name: "order_cycle_p50", unit: "min", value: percentile(c.orderCycleSeconds, 50).map { $0 / 60 }),
            KPIValue(name: "order_cycle_p90", unit: "min", value: percentile(c.orderCycleSeconds, 90).map { $0 / 60 }),
            KPIValue(name: "return_rate", unit: "%", value: percent(c.unitsReturned, of: c.unitsShipped)),
            KPIValue(name: "receiving_discrepancy_rate", unit: "% of lines", value: percent(c.asnLinesDiscrepant, of: c.asnLines)),
            KPIValue(name: "receiving_unit_discrepancy", unit: "% of expected", value: percent(c.asnUnitsDiscrepant, of: c.asnUnitsExpected)),
            KPIValue(name: "postings", unit: "count", value: Double(c.postings)),
            KPIValue(name: "units", unit: "units", value: Double(c.units)),
            KPIValue(name: "postings_per_hour", unit: "per active hour", value: rate(c.postings, per: c.activeHours)),
            KPIValue(name: "units_per_hour", unit: "per active hour", value: rate(c.units, per: c.activeHours)),
        ]
    }
}

/// A KPI result ready to print: one row of values per group.
public struct KPITable: Sendable {
    public var grouping: KPIRequest.Grouping
    public var groups: [(key: String, counts: KPICounts, values: [KPIValue])]

    public init(grouping: KPIRequest.Grouping, counts: [(key: String, counts: KPICounts)]) {
        self.grouping = grouping
        // An ungrouped empty ledger still has one row, of n/a.
        let rows = grouping == .all && counts.isEmpty ? [("", KPICounts())] : counts
        groups = rows.map { ($0.key, $0.counts, KPI.values($0.counts)) }
    }

    var keyTitle: String { grouping == .all ? "" : grouping.rawValue }

    /// KPIs down, groups across; the plain `kpi` output.
    public var text: String {
        guard let first = groups.first else { return "no postings or journal entries in the period\n" }
        let header = ["KPI", "UNIT"] + groups.map { grouping == .all ? "VALUE" : $0.key }
        var rows = [header]
        for (i, v) in first.values.enumerated() { rows.append([v.name, v.unit] + groups.map { $0.values[i].text }) }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.indices.map { c in c < 2 ? row[c].padding(toLength: widths[c], withPad: " ", startingAt: 0) : String(repeating: " ", count: widths[c] - row[c].count) + row[c] }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }

    /// `[{"group": key|null, "kpis": {name: number|null}, "units": {name: unit}, "returned_by_reason": {…}}]`.
    public var json: String {
        "[" + groups.map { g in
            JSONText.object([
                ("group", grouping == .all ? "null" : JSONText.quote(g.key)),
                ("kpis", JSONText.object(g.values.map { ($0.name, $0.jsonNumber) })),
                ("units", JSONText.object(g.values.map { ($0.name, JSONText.quote($0.unit)) })),
                ("returned_by_reason", JSONText.object(g.counts.returnedByReason.map { ($0.key, String($0.value)) })),
            ])
        }.joined(separator: ",") + "]\n"
    }

    /// One row per group and KPI: `group,kpi,unit,value` (value "n/a" when there is none).
    public var csv: String {
        var out = CSV.record(["group", "kpi", "unit", "value"])
        for g in groups { for v in g.values { out += CSV.record([g.key, v.name, v.unit, v.value == nil ? "n/a" : v.jsonNumber]) } }
        return out
    }
}

extension Ledger {
    public func kpis(_ request: KPIRequest) throws -> KPITable {
        try read { KPITable(grouping: request.by, counts: try $0.kpiCounts(request)) }
    }
}
