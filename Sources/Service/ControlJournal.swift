import Foundation
import Ledger
import ScanModel

/// The control socket's `journal` and `receipt-report` requests. The JSON of
/// an entry and of a report is the one `scanledger journal --json` and
/// `scanledger receipt-report --json` print (Ledger/JournalReports.swift),
/// read back into objects for the server's writer, so the two cannot drift.
extension Daemon {
    func journal(_ r: ControlRequest) throws -> [String: Any] {
        var query = JournalQuery(station: try r.string("station"), code: try r.string("code"), operatorID: try r.string("operator"),
                                 document: try r.string("document"))
        if let since = try r.string("since") {
            do { query.since = try JournalQuery.since(since, now: WallClock().now()) } catch {
                throw RequestError("journal \"since\": \(error)")
            }
        }
        query.afterID = Int64(try r.int("after_id", in: 0...Int.max) ?? 0)
        // One answer is one line: a client pages with after_id past the cap.
        query.limit = try r.int("limit", in: 1...Self.journalAnswerLimit) ?? Self.journalAnswerLimit
        let records = try ledger.stationJournal(query)
        return ["entries": try records.map { try ServiceJSON.object($0.jsonText) }]
    }

    static let journalAnswerLimit = 10_000

    func receiptReport(_ r: ControlRequest) throws -> [String: Any] {
        let asn = try r.requiredString("asn", "the ASN whose closed receipt to report")
        guard let report = try ledger.closedReceiptReport(asn: asn) else {
            throw RequestError("\(asn) has no closed receipt in the journal")
        }
        return ["report": try ServiceJSON.object(report.jsonText)]
    }
}

extension ServiceJSON {
    /// JSON text written by ScanModel's JSONText, as a JSONSerialization object.
    static func object(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }
}
