import ScanModel

/// A closed receipt in the station journal: one `receipt-report` entry with
/// every ASN line (expected / received / over / short) and the unexpected
/// items, so the report can be read after the receipt is closed and after a
/// restart; and one entry per discrepancy, so `scanledger journal --code
/// short` finds them. They travel inside the receipt posting and commit with it.
enum ReceiptJournal {
    static func entries(_ report: ReceiptReport, station: String, time: Microseconds, partial: Bool) -> [JournalEntry] {
        var out: [JournalEntry] = []
        for line in report.lines where line.over > 0 || line.short > 0 {
            let code = line.short > 0 ? "short" : "over"
            let amount = line.short > 0 ? line.short : line.over
            out.append(JournalEntry(time: time, station: station, code: code, severity: .warning, document: report.asn,
                                    message: "ASN \(report.asn) line \((line.asnLine ?? 0) + 1): \(line.item) \(code) \(amount) (expected \(line.expected), received \(line.received))",
                                    detail: lineJSON(line)))
        }
        for line in report.unexpected {
            out.append(JournalEntry(time: time, station: station, code: "unexpected", severity: .warning, document: report.asn,
                                    message: "ASN \(report.asn): \(line.received) × \(line.item) not announced", detail: lineJSON(line)))
        }
        let detail = JSONText.object([("lines", "[" + report.lines.map(lineJSON).joined(separator: ",") + "]"),
                                      ("unexpected", "[" + report.unexpected.map(lineJSON).joined(separator: ",") + "]"),
                                      ("partial", partial ? "true" : "false")])
        out.append(JournalEntry(time: time, station: station, code: "receipt-report", severity: report.isExact && report.held == nil ? .done : .warning,
                                document: report.asn, message: "receipt \(report.asn) closed\(partial ? " (partial)" : "")", detail: detail))
        return out
    }

    /// One `inspection-failed` warning per failed unit, with its reason and where it went.
    static func inspectionEntries(_ inspections: [Inspection], asn: String, station: String, time: Microseconds) -> [JournalEntry] {
        inspections.filter(\.isFailed).map { i in
            let to = i.destination?.code ?? ""
            return JournalEntry(time: time, station: station, code: "inspection-failed", severity: .warning, document: asn, reason: i.reason,
                                message: "\(i.label) failed inspection (reason \(i.reason ?? "")): received into \(to)",
                                detail: JSONText.object([("item", JSONText.quote(i.item.code)), ("lot", JSONText.quote(i.lot)),
                                                         ("serial", JSONText.quote(i.serial)), ("destination", JSONText.quote(to))]))
        }
    }

    static func lineJSON(_ line: DiscrepancyLine) -> String {
        JSONText.object([("line", line.asnLine.map { String($0 + 1) } ?? "null"), ("item", JSONText.quote(line.item.code)),
                         ("lot", JSONText.quote(line.lot)), ("expected", String(line.expected)), ("received", String(line.received)),
                         ("accepted", String(line.accepted)), ("quarantined", String(line.quarantined)), ("damaged", String(line.damaged)),
                         ("over", String(line.over)), ("short", String(line.short))])
    }
}
