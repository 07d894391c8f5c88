import Foundation
import Ledger
import ScanModel
import Testing

/// `scanledger journal` and `scanledger receipt-report` against a ledger
/// filled with journal entries as stations write them.
@Suite struct JournalCLITests {
    /// A temporary ledger with five entries on three days and one an hour ago.
    final class JournalFixture {
        let dir: URL
        var db: String { dir.appendingPathComponent("l.db").path }

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("journal-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let ledger = try Ledger(path: db)
            defer { ledger.close() }
            func at(_ text: String) -> Microseconds { Microseconds(EventTime(text)!.micros) }
            let report = #"{"lines":[{"line":1,"item":"06141410000125","lot":null,"expected":10,"received":4,"over":0,"short":6},"#
                + #"{"line":2,"item":"06141410000293","lot":"L7","expected":2,"received":3,"over":1,"short":0}],"#
                + #""unexpected":[{"line":null,"item":"09506000134352","lot":null,"expected":0,"received":2,"over":2,"short":0}],"partial":false}"#
            try ledger.recordJournal([
                JournalEntry(time: at("2025-03-01T10:00:00Z"), station: "dock-1", device: "scanner-1", operatorID: "OP-7", code: "unknown-item",
                             severity: .error, document: "ASN-1", message: "unknown item 0123", detail: #"{"scanned":"0123"}"#),
                JournalEntry(time: at("2025-03-02T09:00:00Z"), station: "dock-1", device: "scanner-1", operatorID: "OP-7", code: "overridden",
                             severity: .warning, document: "ASN-1", reason: "DAMAGED-BOX", message: #"override, "box" damaged"#),
                JournalEntry(time: at("2025-03-03T08:30:00Z"), station: "pick-2", operatorID: "OP-9", code: "operator-signed-in",
                             severity: .info, message: "OP-9 signed in"),
                JournalEntry(time: at("2025-03-03T09:00:00Z"), station: "dock-1", code: "receipt-report", severity: .warning,
                             document: "ASN-1", message: "receipt ASN-1 closed", detail: report),
                JournalEntry(time: WallClock().now() - .seconds(3_600), station: "pick-2", operatorID: "OP-9", code: "operator-signed-out",
                             severity: .info, message: "OP-9 signed out"),
            ])
        }

        deinit { try? FileManager.default.removeItem(at: dir) }

        func run(_ arguments: [String]) throws -> CLI.Output { try CLI.run("scanledger", arguments + ["--db", db]) }

        /// The codes `journal --json` prints for these options, in order.
        func codes(_ options: [String]) throws -> [String] {
            let out = try run(["journal", "--json"] + options)
            #expect(out.status == 0, "\(out.stderr)")
            let array = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]]
            return (array ?? []).compactMap { $0["code"] as? String }
        }
    }

    @Test func filtersSelectByStationCodeOperatorDocumentSinceAndLimit() throws {
        let f = try JournalFixture()
        #expect(try f.codes([]) == ["unknown-item", "overridden", "operator-signed-in", "receipt-report", "operator-signed-out"])
        #expect(try f.codes(["--station", "pick-2"]) == ["operator-signed-in", "operator-signed-out"])
        #expect(try f.codes(["--code", "overridden"]) == ["overridden"])
        #expect(try f.codes(["--operator", "OP-7"]) == ["unknown-item", "overridden"])
        #expect(try f.codes(["--document", "ASN-1", "--station", "dock-1"]) == ["unknown-item", "overridden", "receipt-report"])
        #expect(try f.codes(["--since", "2025-03-03"]) == ["operator-signed-in", "receipt-report", "operator-signed-out"])
        #expect(try f.codes(["--since", "2025-03-03T08:45:00Z"]) == ["receipt-report", "operator-signed-out"])
        #expect(try f.codes(["--since", "2025-03-03T09:45:00+01:00"]) == ["receipt-report", "operator-signed-out"])
        #expect(try f.codes(["--since", "24h"]) == ["operator-signed-out"])
        #expect(try f.codes(["--since", "30m"]) == [])
        #expect(try f.codes(["--limit", "2"]) == ["unknown-item", "overridden"])
        #expect(try f.codes(["--station", "nowhere"]) == [])
    }

    @Test func jsonHasEveryFieldWithDetailAsAnObject() throws {
        let f = try JournalFixture()
        let out = try f.run(["journal", "--json", "--code", "unknown-item"])
        let entry = try #require((try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(Set(entry.keys) == ["id", "seq", "time", "time_us", "station", "device", "operator", "severity", "code", "document",
                                    "reason", "message", "detail"])
        #expect(entry["id"] as? Int == 1)
        #expect(entry["seq"] is NSNull)
        #expect(entry["time"] as? String == "2025-03-01T10:00:00.000000Z")
        #expect(entry["device"] as? String == "scanner-1")
        #expect(entry["operator"] as? String == "OP-7")
        #expect(entry["severity"] as? String == "error")
        #expect(entry["reason"] is NSNull)
        #expect((entry["detail"] as? [String: Any])?["scanned"] as? String == "0123")
    }

    @Test func csvIsRFC4180WithAHeaderRow() throws {
        let f = try JournalFixture()
        let out = try f.run(["journal", "--csv", "--operator", "OP-7"])
        #expect(out.status == 0, "\(out.stderr)")
        let rows = try CSV.rows(out.stdout, file: "stdout").map { $0.map(\.value) }
        #expect(rows.first == ["id", "seq", "time", "station", "device", "operator", "severity", "code", "document", "reason", "message", "detail"])
        #expect(rows.count == 3)
        // The message's comma and quotes survive the round trip.
        #expect(rows.last?[9] == "DAMAGED-BOX")
        #expect(rows.last?[10] == #"override, "box" damaged"#)
        #expect(out.stdout.contains(#""override, ""box"" damaged""#))
    }

    @Test func tableShowsOneLinePerEntryUnderAHeader() throws {
        let f = try JournalFixture()
        let out = try f.run(["journal", "--document", "ASN-1"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.lines.count == 4, "\(out.stdout)")
        let header = out.lines[0].split(separator: " ").map(String.init)
        #expect(header == ["TIME", "STATION", "DEVICE", "OPERATOR", "SEVERITY", "CODE", "DOCUMENT", "REASON", "MESSAGE"])
        let override = out.lines[2]
        for cell in ["2025-03-02T09:00:00.000000Z", "dock-1", "scanner-1", "OP-7", "warning", "overridden", "ASN-1", "DAMAGED-BOX", #"override, "box" damaged"#] {
            #expect(override.contains(cell), "\(override)")
        }
        // Columns line up: CODE starts at the same place on every line.
        let column = out.lines[0].range(of: "CODE")!.lowerBound.utf16Offset(in: out.lines[0])
        #expect(override.range(of: "overridden")!.lowerBound.utf16Offset(in: override) == column)
    }

    @Test(arguments: ["yesterday", "2026-02-30", "2025-03-03T25:00:00Z", "xh", "-5h", "24"])
    func aBadSinceIsAUsageErrorNamingTheOption(_ since: String) throws {
        let f = try JournalFixture()
        let out = try f.run(["journal", "--since=\(since)"])
        #expect(out.status == 2, "\(out.stdout)")
        #expect(out.stderr.contains("--since"), "\(out.stderr)")
        #expect(out.stderr.contains("'\(since)'"), "\(out.stderr)")
        #expect(out.stdout.isEmpty)
    }

    @Test func jsonAndCSVTogetherAreAUsageError() throws {
        let out = try JournalFixture().run(["journal", "--json", "--csv"])
        #expect(out.status == 2)
    }

    @Test func receiptReportPrintsEachASNLineThenTheUnexpectedItems() throws {
        let f = try JournalFixture()
        let out = try f.run(["receipt-report", "ASN-1"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.lines.first?.hasPrefix("receipt ASN-1 closed 2025-03-03T09:00:00.000000Z at dock-1") == true, "\(out.stdout)")
        let cells = out.lines.map { $0.split(separator: " ").map(String.init) }
        #expect(cells.contains(["1", "06141410000125", "-", "10", "4", "0", "6"]), "\(out.stdout)")
        #expect(cells.contains(["2", "06141410000293", "L7", "2", "3", "1", "0"]), "\(out.stdout)")
        #expect(cells.contains(["09506000134352", "-", "0", "2", "2", "0"]), "\(out.stdout)")
        #expect(out.stdout.contains("unexpected"))

        let json = try f.run(["receipt-report", "ASN-1", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["asn"] as? String == "ASN-1")
        #expect(report["partial"] as? Bool == false)
        let lines = try #require(report["lines"] as? [[String: Any]])
        #expect(lines.map { $0["short"] as? Int } == [6, 0])
        #expect((report["unexpected"] as? [[String: Any]])?.first?["received"] as? Int == 2)
    }

    /// A receipt closed partially and then closed for good has two reports; the latest counts.
    @Test func receiptReportReadsTheLatestReport() throws {
        let f = try JournalFixture()
        let ledger = try Ledger(path: f.db)
        try ledger.recordJournal([JournalEntry(time: Microseconds(EventTime("2025-03-04T09:00:00Z")!.micros), station: "dock-2",
                                               code: "receipt-report", severity: .done, document: "ASN-1", message: "receipt ASN-1 closed",
                                               detail: #"{"lines":[{"line":1,"item":"06141410000125","lot":null,"expected":6,"received":6,"over":0,"short":0}],"unexpected":[],"partial":false}"#)])
        ledger.close()
        let json = try f.run(["receipt-report", "ASN-1", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["station"] as? String == "dock-2")
        #expect((report["lines"] as? [[String: Any]])?.count == 1)
    }

    @Test func anASNWithoutAClosedReceiptExits1() throws {
        let f = try JournalFixture()
        let out = try f.run(["receipt-report", "ASN-404"])
        #expect(out.status == 1)
        #expect(out.stderr.contains("ASN-404 has no closed receipt"), "\(out.stderr)")
        #expect(out.stdout.isEmpty)
    }
}
