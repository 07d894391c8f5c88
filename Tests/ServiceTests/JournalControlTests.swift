import Foundation
import Ledger
import ScanModel
import Testing
@testable import Service

/// The control socket's `journal` and `receipt-report` requests: strict
/// fields, and answers from a receipt the real scanledgerd closed short.
@Suite(.serialized) struct JournalControlTests {
    let plain = gtin("0614141000012").digits

    func request(_ json: String) throws -> ControlRequest {
        try ControlRequest(try JSONCursor.parse(Array(json.utf8), file: "request 1"))
    }
    func error(_ json: String) -> String {
        do {
            let r = try request(json)
            _ = try r.int("limit", in: 1...10_000)
            _ = try r.int("after_id", in: 0...Int.max)
            for key in ["station", "code", "operator", "document", "since", "asn"] where r.cmd == "journal" || key == "asn" {
                _ = try r.string(key)
            }
            return ""
        } catch { return "\(error)" }
    }

    @Test func journalAndReceiptReportFieldsAreStrict() throws {
        #expect(error(#"{"cmd":"journal","station":"dock-1","code":"short","operator":"OP-7","document":"ASN-1","since":"24h","after_id":3,"limit":5}"#) == "")
        #expect(error(#"{"cmd":"receipt-report","asn":"ASN-1"}"#) == "")
        #expect(error(#"{"cmd":"journal","operatorID":"OP-7"}"#).contains("key path operatorID: unknown key"))
        #expect(error(#"{"cmd":"journal","limit":"5"}"#).contains("key path limit"))
        #expect(error(#"{"cmd":"journal","limit":0}"#).contains("key path limit"))
        #expect(error(#"{"cmd":"journal","after_id":1.5}"#).contains("key path after_id"))
        #expect(error(#"{"cmd":"journal","station":["dock-1"]}"#).contains("key path station: expected a string"))
        #expect(error(#"{"cmd":"receipt-report","document":"ASN-1"}"#).contains("key path document: unknown key (known here: asn, cmd)"))
        #expect(error(#"{"cmd":"receipt-report","asn":7}"#).contains("key path asn: expected a string"))
    }

    /// A receipt closed short at the dock: the journal request finds its
    /// entries by code and document, the report request answers per ASN
    /// line, and both CLI commands read the same from the ledger file.
    @Test func journalAndReceiptReportAnswerFromAClosedReceipt() throws {
        let site = try DaemonSite()
        try site.start()
        try site.receive(["ASN-1001", "01\(plain)304", "CMD:CLOSE"], postings: 1)

        let short = try site.request(["cmd": "journal", "code": "short", "document": "ASN-1001"])
        #expect(short["ok"] as? Bool == true, "\(short)")
        let entries = try #require(short["entries"] as? [[String: Any]])
        #expect(entries.count == 1, "\(entries)")
        #expect(entries.first?["station"] as? String == "dock-1")
        #expect(entries.first?["seq"] as? Int == 1)
        #expect((entries.first?["detail"] as? [String: Any])?["short"] as? Int == 6)

        let all = try site.request(["cmd": "journal", "station": "dock-1", "since": "2000-01-01"])["entries"] as? [[String: Any]]
        #expect(all?.compactMap { $0["code"] as? String }.contains("receipt-report") == true, "\(String(describing: all))")
        #expect(try site.request(["cmd": "journal", "station": "nowhere"])["entries"] as? [Any] != nil)
        #expect((try site.request(["cmd": "journal", "station": "nowhere"])["entries"] as? [Any])?.isEmpty == true)
        let limited = try site.request(["cmd": "journal", "limit": 1])["entries"] as? [[String: Any]]
        #expect(limited?.count == 1)

        let answer = try site.request(["cmd": "receipt-report", "asn": "ASN-1001"])
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        let report = try #require(answer["report"] as? [String: Any])
        let line = try #require((report["lines"] as? [[String: Any]])?.first)
        #expect(line["line"] as? Int == 1)
        #expect(line["expected"] as? Int == 10)
        #expect(line["received"] as? Int == 4)
        #expect(line["short"] as? Int == 6)
        #expect(report["partial"] as? Bool == false)

        let missing = try site.request(["cmd": "receipt-report", "asn": "ASN-1002"])
        #expect(missing["ok"] as? Bool == false)
        #expect((missing["error"] as? String ?? "").contains("ASN-1002 has no closed receipt"), "\(missing)")
        let badSince = try site.request(["cmd": "journal", "since": "yesterday"])
        #expect(badSince["ok"] as? Bool == false)
        #expect((badSince["error"] as? String ?? "").contains("since"), "\(badSince)")
        let mistyped = try site.request(["cmd": "journal", "limit": "5"])
        #expect(mistyped["ok"] as? Bool == false)
        #expect((mistyped["error"] as? String ?? "").contains("limit"), "\(mistyped)")
        #expect(mistyped["entries"] == nil)

        // The CLI reads the same from the ledger file while the daemon runs.
        let cli = try runCLI(["receipt-report", "ASN-1001", "--db", site.db])
        #expect(cli.status == 0, "\(cli.err)")
        #expect(cli.out.split(separator: "\n").contains { $0.split(separator: " ") == ["1", Substring(plain), "-", "10", "4", "0", "6"] }, "\(cli.out)")
        let journal = try runCLI(["journal", "--code", "short", "--csv", "--db", site.db])
        #expect(journal.out.split(separator: "\n").count == 2, "\(journal.out) \(journal.err)")
        #expect(try site.stop() == 0)
    }
}

extension DaemonSite {
    /// Scans a receipt at the dock and waits until this process has posted `postings`.
    func receive(_ scans: [String], postings: Int) throws {
        for text in scans { scanner.scan(text) }
        try eventually("\(postings) posting(s)") { try request(["cmd": "status"])["postings_since_start"] as? Int == postings }
    }
}
