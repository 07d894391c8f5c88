import Foundation
import ScanModel

// `scanledger report`: the KPIs of a period as one self-contained HTML page
// (inline CSS and SVG, no scripts, nothing fetched), for people who would
// rather look than read. The figures are the `kpi` command's, same queries.

extension LedgerReader {
    /// Refusals (severity `error`) per code in the period, most frequent first.
    public func kpiRefusals(_ request: KPIRequest, limit: Int = 10) throws -> [(code: String, count: Int64)] {
        let q = KPISQL(request)
        let s = try db.prepare("""
            SELECT j.code, count(*) FROM station_journal j WHERE j.severity = 'error' AND \(q.journalWindow)
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT \(max(1, limit))
            """)
        try s.bind(q.parameters(for: "?4"))
        defer { s.reset() }
        var out: [(String, Int64)] = []
        while try s.step() { out.append((s.text(0), s.int(1))) }
        return out
    }
}

public enum KPIReport {
    static let css = """
        body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px;color:#222;background:#fff;max-width:1200px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 8px;color:#333}
        .sub{color:#666;font-size:13px;margin-bottom:16px}
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px;margin-bottom:18px}
        .card{border:1px solid #ddd;border-radius:6px;padding:10px;background:#fafafa}
        .card .v{font-size:22px;font-weight:bold;color:#2f6db3}.card .n{font-size:12px;color:#555}.card .u{font-size:11px;color:#888}
        .card .v.na{color:#aaa}
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
        section{border:1px solid #ddd;border-radius:6px;padding:12px}
        svg{width:100%;height:auto;display:block}
        .axis{stroke:#999;stroke-width:1}.tick{font-size:11px;fill:#444}.na{font-size:13px;fill:#999}
        .track{fill:#eee}.on{font-size:12px;fill:#fff;font-weight:bold}
        table{border-collapse:collapse;font-size:12px;margin-top:16px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
        th:first-child,td:first-child{text-align:left}
        """

    /// The headline KPIs shown as cards, in this order.
    static let headline = ["inventory_accuracy", "shrinkage_rate", "fill_rate", "order_fill_rate", "backorder_rate", "pack_error_rate",
                           "pick_error_rate", "dock_to_stock_p50", "order_cycle_p50", "return_rate", "receiving_discrepancy_rate",
                           "units_per_hour"]

    public static func html(ledger: Ledger, request: KPIRequest, title: String, generated: Microseconds) throws -> String {
        try ledger.read { r in
            var all = request; all.by = .all
            var days = request; days.by = .day
            var stations = request; stations.by = .station
            return render(title: title, request: request, generated: generated,
                          total: KPITable(grouping: .all, counts: try r.kpiCounts(all)),
                          days: KPITable(grouping: .day, counts: try r.kpiCounts(days)),
                          stations: KPITable(grouping: .station, counts: try r.kpiCounts(stations)),
                          hourly: try r.kpiHourly(all), refusals: try r.kpiRefusals(all))
        }
    }

    static func value(_ t: KPITable, _ group: Int, _ name: String) -> KPIValue? {
        t.groups.indices.contains(group) ? t.groups[group].values.first { $0.name == name } : nil
    }

    static func render(title: String, request: KPIRequest, generated: Microseconds, total: KPITable, days: KPITable, stations: KPITable,
                       hourly: [(station: String, hour: Int64, postings: Int64, units: Int64)], refusals: [(code: String, count: Int64)]) -> String {
        let e = KPISVG.escape
        let period = "\(request.since.map { EventTime.utcText(micros: $0.value) } ?? "the beginning") – \(request.until.map { EventTime.utcText(micros: $0.value) } ?? "now")"
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(e(title))</title><style>\(css)</style></head><body>\n"
        out += "<h1>\(e(title))</h1><div class=\"sub\">Period \(e(period)) · generated \(e(EventTime.utcText(micros: generated.value)))"
        out += " · definitions: docs/kpis.md</div>\n<div class=\"grid\">"
        for name in headline {
            guard let v = value(total, 0, name) else { continue }
            out += "<div class=\"card\"><div class=\"n\">\(e(name.replacingOccurrences(of: "_", with: " ")))</div>"
            out += "<div class=\"v\(v.value == nil ? " na" : "")\">\(e(v.text))</div><div class=\"u\">\(e(v.unit))</div></div>"
        }
        out += "</div>\n<div class=\"charts\">\n"
        // Throughput per hour over all stations, hours with no postings drawn as gaps.
        var perHour: [Int64: Double] = [:]
        for h in hourly { perHour[h.hour, default: 0] += Double(h.units) }
        var hours: [Int64] = []
        if let first = perHour.keys.min(), let last = perHour.keys.max() { hours = Array(first...min(last, first + 24 * 62)) }
        func hourLabel(_ h: Int64) -> String {
            let text = EventTime.utcText(micros: h * 3_600_000_000)
            return String(text.dropFirst(5).prefix(11)).replacingOccurrences(of: "T", with: " ")
        }
        out += section("Throughput: units per hour (UTC)",
                       KPISVG.bars(title: "units per hour", labels: hours.map(hourLabel), values: hours.map { perHour[$0] ?? 0 }, unit: " units"))
        out += section("Throughput per station: units",
                       KPISVG.hbars(title: "units per station", items: stations.groups.indices.map { (stations.groups[$0].key, value(stations, $0, "units")?.value ?? 0) }
                        .filter { $0.1 > 0 }))
        out += section("Inventory accuracy and fill rate",
                       KPISVG.gauge(title: "inventory accuracy", percent: value(total, 0, "inventory_accuracy")?.value)
                       + KPISVG.gauge(title: "count unit accuracy", percent: value(total, 0, "count_unit_accuracy")?.value)
                       + KPISVG.gauge(title: "fill rate", percent: value(total, 0, "fill_rate")?.value)
                       + KPISVG.gauge(title: "order fill rate", percent: value(total, 0, "order_fill_rate")?.value))
        let dayFill = days.groups.indices.compactMap { i in value(days, i, "fill_rate")?.value.map { (days.groups[i].key, $0) } }
        out += section("Fill rate per day (%)", KPISVG.bars(title: "fill rate per day", labels: dayFill.map(\.0), values: dayFill.map(\.1),
                                                           color: KPISVG.palette[2], unit: " %"))
        out += section("Top refusal codes", KPISVG.hbars(title: "refusals", items: refusals.map { ($0.code, Double($0.count)) }))
        let c = total.groups.first?.counts ?? KPICounts()
        out += section("Shrinkage by cause: units", KPISVG.hbars(title: "shrinkage", items: [
            ("count losses", Double(c.countLossUnits)), ("count gains", Double(c.countGainUnits)), ("scrapped", Double(c.unitsScrapped)),
        ].filter { $0.1 > 0 }))
        out += section("Returns by reason: units", KPISVG.hbars(title: "returns", items: c.returnedByReason.sorted { $0.key < $1.key }
            .map { ($0.key, Double($0.value)) }))
        out += "</div>\n" + table(total, days) + "</body></html>\n"
        return out
    }

    static func section(_ heading: String, _ body: String) -> String {
        "<section><h2>\(KPISVG.escape(heading))</h2>\(body)</section>\n"
    }

    /// Every KPI for the period and per day, as in `scanledger kpi --by day`.
    static func table(_ total: KPITable, _ days: KPITable) -> String {
        guard let first = total.groups.first else { return "" }
        let e = KPISVG.escape
        var out = "<table><tr><th>KPI</th><th>unit</th><th>period</th>" + days.groups.map { "<th>\(e($0.key))</th>" }.joined() + "</tr>"
        for (i, v) in first.values.enumerated() {
            out += "<tr><td>\(e(v.name))</td><td>\(e(v.unit))</td><td>\(e(v.text))</td>"
                + days.groups.map { "<td>\(e($0.values[i].text))</td>" }.joined() + "</tr>"
        }
        return out + "</table>\n"
    }
}
