import Foundation
import Ledger
import ScanModel

/// `scanledger journal [--station S] [--code C] [--operator ID] [--since TIME]
/// [--document D] [--limit N] [--json|--csv]`: what stations recorded besides
/// postings (refusals, overrides, sign-ins, discrepancies at close), read from
/// the ledger file so it works with the daemon stopped.
let journalCommand = CommandSpec("journal", summary: "the station journal: refusals, overrides, sign-ins, discrepancies", options: [
    .value("--station", "S", "only this station"),
    .value("--code", "C", "only this code (unknown-item, overridden, short, over, unexpected, receipt-report…)"),
    .value("--operator", "ID", "only this operator"),
    .value("--since", "TIME", "only entries at or after TIME: 2026-12-03T08:00:00Z, 2026-12-03 (midnight UTC), or 90m, 24h, 7d back from now"),
    .value("--document", "D", "only entries about this ASN, order or count"),
    .value("--limit", "N", "at most N entries, oldest first (default: 10000)"),
    .flag("--json", "print a JSON array, every field, detail as an object"),
    .flag("--csv", "print CSV with a header row"),
] + LedgerCLI.options, notes: """
    Entries come in journal order, oldest first; --limit keeps the first N, so
    narrow with --since to see the latest. --json and --csv print id, seq (the
    posting the entry committed with, if any), time, station, device, operator,
    severity, code, document, reason, message and detail (--json adds time_us).
    A closed receipt's discrepancies: --document ASN --code short (or over,
    unexpected); its whole report: scanledger receipt-report ASN.
    """) { args in
    guard !(args.flag("--json") && args.flag("--csv")) else { throw args.usageError("choose --json or --csv") }
    var query = JournalQuery(station: args.value("--station"), code: args.value("--code"), operatorID: args.value("--operator"),
                             document: args.value("--document"))
    if let limit = try args.int("--limit", in: 1...Int.max) { query.limit = limit }
    if let since = args.value("--since") {
        do { query.since = try JournalQuery.since(since, now: WallClock().now()) } catch {
            throw args.usageError("--since: \(error)")
        }
    }
    guard let records = try LedgerCLI.read(args, { try $0.stationJournal(query) }) else { return 1 }
    if args.flag("--json") {
        LedgerCLI.emit("[" + records.map(\.jsonText).joined(separator: ",") + "]\n")
    } else if args.flag("--csv") {
        var out = CSV.record(["id", "seq", "time", "station", "device", "operator", "severity", "code", "document", "reason", "message", "detail"])
        for r in records {
            let e = r.entry
            out += CSV.record([String(r.id), r.seq.map { String($0.value) } ?? "", r.timeText, e.station, e.device ?? "", e.operatorID ?? "",
                               e.severity.rawValue, e.code, e.document ?? "", e.reason ?? "", e.message, e.detail])
        }
        LedgerCLI.emit(out)
    } else {
        LedgerCLI.emit(TextTable.render(header: ["TIME", "STATION", "DEVICE", "OPERATOR", "SEVERITY", "CODE", "DOCUMENT", "REASON", "MESSAGE"],
                                        rows: records.map { r in
            let e = r.entry
            return [r.timeText, e.station, e.device ?? "-", e.operatorID ?? "-", e.severity.rawValue, e.code, e.document ?? "-",
                    e.reason ?? "-", e.message]
        }))
    }
    return 0
}

/// `scanledger receipt-report ASN [--json]`: the closed receipt's report, per
/// ASN line, from its latest `receipt-report` journal entry.
let receiptReportCommand = CommandSpec("receipt-report", summary: "a closed receipt's expected, received, over and short per ASN line",
                                       positionals: [PositionalSpec("ASN", .required, "the ASN (or PO) number")], options: [
    .flag("--json", "print a JSON object: asn, station, time, journal_id, partial, lines, unexpected"),
] + LedgerCLI.options, notes: "Exit 1 when the ASN has no closed receipt in the journal.") { args in
    let asn = args.positional("ASN") ?? ""
    guard let found = try LedgerCLI.read(args, { try $0.closedReceiptReport(asn: asn) }) else { return 1 }
    guard let report = found else {
        LedgerCLI.fail("\(asn) has no closed receipt in the journal (is the receipt still open, or the ASN misspelled?)")
        return 1
    }
    if args.flag("--json") {
        LedgerCLI.emit(report.jsonText + "\n")
        return 0
    }
    // Units that failed inspection at receiving get two more columns.
    let held = report.hasHeld ? ["QUARANTINED", "DAMAGED"] : []
    func quantities(_ l: ClosedReceiptReport.Line) -> [String] {
        [l.item, l.lot ?? "-", String(l.expected), String(l.received), String(l.over), String(l.short)]
            + (held.isEmpty ? [] : [String(l.quarantined), String(l.damaged)])
    }
    var out = "receipt \(report.asn) closed \(report.time) at \(report.station)\(report.partial ? " (partial)" : "")\n"
    out += TextTable.render(header: ["LINE", "ITEM", "LOT", "EXPECTED", "RECEIVED", "OVER", "SHORT"] + held,
                            rows: report.lines.map { [$0.line.map { String($0) } ?? "-"] + quantities($0) }, numericFrom: 3)
    if !report.unexpected.isEmpty {
        out += "\nunexpected (not on the ASN):\n"
        out += TextTable.render(header: ["ITEM", "LOT", "EXPECTED", "RECEIVED", "OVER", "SHORT"] + held,
                                rows: report.unexpected.map(quantities), numericFrom: 2)
    }
    LedgerCLI.emit(out)
    return 0
}

/// Columns as wide as their widest cell, so a long station or code name
/// does not push the rest out of line; the last column is never padded.
enum TextTable {
    static func render(header: [String], rows: [[String]], numericFrom: Int = Int.max) -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { c -> String in
                if c >= numericFrom { return row[c].leftPadded(widths[c]) }
                return c == row.count - 1 ? row[c] : row[c].padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }.joined(separator: "  ") + "\n"
        }.joined()
    }
}
