import Foundation
import Ledger
import ScanModel

private let periodOptions: [OptionSpec] = [
    .value("--since", "TIME", "from TIME on: 2026-12-03T08:00:00Z, 2026-12-03 (midnight UTC), or 90m, 24h, 7d back from now"),
    .value("--until", "TIME", "before TIME: an RFC 3339 time, or a date (the end of that day, UTC)"),
]

/// `--since`/`--until` as a window; a bad value is a usage error naming the flag.
func kpiPeriod(_ args: ParsedArguments, now: Microseconds = WallClock().now()) throws(ArgumentError) -> (since: Microseconds?, until: Microseconds?) {
    func parse(_ flag: String) throws(ArgumentError) -> Microseconds? {
        guard let text = args.value(flag) else { return nil }
        do {
            let t = try JournalQuery.since(text, now: now)
            // A date as --until means up to the end of that day.
            if flag == "--until", EventTime(text) == nil, CivilCalendar.parseISODate(text) != nil {
                return Microseconds(t.value + 86_400_000_000)
            }
            return t
        } catch { throw args.usageError("\(flag): \(error)") }
    }
    let since = try parse("--since"), until = try parse("--until")
    if let since, let until, until.value <= since.value {
        throw args.usageError("--until (\(args.value("--until")!)) must be after --since (\(args.value("--since")!))")
    }
    return (since, until)
}

/// `scanledger kpi [--since T] [--until T] [--by day|station|operator] [--json|--csv]`.
let kpiCommand = CommandSpec("kpi", summary: "warehouse KPIs over a period: accuracy, shrinkage, fill rate, errors, cycle times, throughput",
                             options: periodOptions + [
    .value("--by", "day|station|operator", "one column per day, station or operator (default: the whole period)"),
    .flag("--json", "print a JSON array: one object per group with kpis (number or null), units, returned_by_reason"),
    .flag("--csv", "print CSV: group,kpi,unit,value"),
] + LedgerCLI.options, notes: """
    Every KPI is defined in docs/kpis.md: formula, source records, unit, and
    when it is n/a (nothing to divide by; never a made-up 0 %). Postings are
    in the period by commit time, journal entries by their time.
    """) { args in
    guard !(args.flag("--json") && args.flag("--csv")) else { throw args.usageError("choose --json or --csv") }
    let period = try kpiPeriod(args)
    var request = KPIRequest(since: period.since, until: period.until)
    if let by = args.value("--by") {
        guard let g = KPIRequest.Grouping(rawValue: by), g != .all else {
            throw args.usageError("--by must be day, station or operator, not '\(by)'")
        }
        request.by = g
    }
    guard let table = try LedgerCLI.read(args, { try $0.kpis(request) }) else { return 1 }
    LedgerCLI.emit(args.flag("--json") ? table.json : args.flag("--csv") ? table.csv : table.text)
    return 0
}

/// `scanledger report -o report.html [--since T] [--until T]`: the KPIs with
/// charts in one self-contained HTML file (inline CSS and SVG, no scripts).
let reportCommand = CommandSpec("report", summary: "write the KPIs with charts as one self-contained HTML file",
                                options: periodOptions + [
    .value("--output", "FILE", aliases: ["-o"], "where to write the HTML (required; - for stdout)"),
    .value("--title", "TEXT", "the report's heading (default: ScanLedger KPIs)"),
] + LedgerCLI.options, notes: "The file has no scripts and loads nothing: CSS and SVG charts are inline.") { args in
    guard let output = args.value("--output") else { throw args.usageError("-o FILE is required (- for stdout)") }
    let period = try kpiPeriod(args)
    let request = KPIRequest(since: period.since, until: period.until)
    guard let html = try LedgerCLI.read(args, { ledger in
        try KPIReport.html(ledger: ledger, request: request, title: args.value("--title") ?? "ScanLedger KPIs",
                           generated: WallClock().now())
    }) else { return 1 }
    if output == "-" { LedgerCLI.emit(html); return 0 }
    do { try Data(html.utf8).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
        LedgerCLI.fail("cannot write \(output): \(error.localizedDescription)")
        return 1
    }
    return 0
}
