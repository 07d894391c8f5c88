import Foundation
import Testing
import Ledger
import ScanModel
@testable import Service

/// Inspection at receiving through the real daemon and a pty scanner: a
/// blocked CLOSE, PASS, a reason code that fails a unit, and the receipt that
/// posts the failed unit to quarantine with its journal entry.
@Suite(.serialized) struct DaemonInspectionTests {
    @Test func aFailedUnitIsReceivedIntoQuarantineThroughTheDaemon() throws {
        let site = try DaemonSite()
        do {
            let ledger = try Ledger(path: site.db)
            defer { ledger.close() }
            try ledger.importLocations([Location(code: "QA-1", type: .quarantine)])
        }
        site.stationExtra = #", "reasons": ["WET"], "inspection": {"default": "all"}, "quarantine_location": "QA-1", "inspection_blocks_close": true"#
        try site.writeConfig()
        try site.start()
        let fd = try site.send(["cmd": "watch", "station": "dock-1"])
        defer { close(fd) }
        #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
        let plain = gtin("0614141000012").digits
        let scans = ["ASN-1001", "01\(plain)302", "CMD:CLOSE", "CMD:PASS", "RSN:MUD", "RSN:WET", "CMD:CLOSE"]
        let results = try site.scanEach(scans, watching: fd)
        let codes = results.map { $0["code"] as? String ?? "?" }
        #expect(codes == ["opened", "inspection-due", "inspection-due", "inspection-answered", "unknown-reason", "inspection-answered", "posted"])
        let view = results[1]["view"] as? [String: Any]
        #expect(view?["state"] as? String == "inspection-due")
        #expect((view?["prompt"] as? String)?.hasPrefix("inspect 1 × \(plain)") == true, "\(String(describing: view))")
        #expect(try site.stop() == 0)

        let ledger = try Ledger(path: site.db)
        defer { ledger.close() }
        #expect(try ledger.onHand(item: ItemCode(plain), lot: nil, at: "QA-1") == 1)
        #expect(try ledger.onHand(item: ItemCode(plain), lot: nil, at: "DOCK-1") == 1)
        let failed = try ledger.stationJournal(JournalQuery(station: "dock-1", code: "inspection-failed"))
        #expect(failed.count == 1)
        #expect(failed.first?.seq != nil, "the inspection-failed entry did not commit with the receipt")
        #expect(failed.first?.entry.reason == "WET")
        // `scanledger receipt-report` reads the held counts back from the report entry.
        let report = try #require(try ledger.closedReceiptReport(asn: "ASN-1001"))
        #expect(report.hasHeld)
        #expect(report.lines.map(\.received) == [2] && report.lines.map(\.quarantined) == [1] && report.lines.map(\.damaged) == [0])
        #expect(report.jsonText.contains(#""quarantined":1"#))
    }
}
