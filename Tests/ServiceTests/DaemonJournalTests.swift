import Foundation
import Testing
import Ledger
import ScanModel
@testable import Service

/// The station journal through the real daemon: an operator signs in by
/// badge, an override needs a reason, and every exception is on the record
/// with device and operator; what was acknowledged survives a SIGKILL and is
/// not written twice after the restart.
@Suite(.serialized) struct DaemonJournalTests {
    @Test func exceptionsOperatorsAndReasonsSurviveASIGKILL() throws {
        let site = try DaemonSite()
        site.stationExtra = #", "require_operator": true, "require_override_reason": true, "reasons": ["DAMAGED-BOX", "SUPPLIER-ERROR"]"#
        try site.writeConfig()
        try site.start()
        let fd = try site.send(["cmd": "watch", "station": "dock-1"])
        defer { close(fd) }
        #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
        let plain = gtin("0614141000012").digits, lotted = gtin("0614141000029").digits
        let scans = ["ASN-1001", "OP:4711", "ASN-1001", "01\(plain)307", "01\(lotted)10L1", "CMD:OVERRIDE", "RSN:DAMAGED-BOX", "CMD:OVERRIDE", "CMD:CLOSE"]
        // One at a time: each answer is acknowledged before the next scan.
        let results = try site.scanEach(scans, watching: fd)
        let codes = results.map { $0["code"] as? String ?? "?" }
        #expect(codes == ["operator-required", "operator-signed-in", "opened", "accepted", "unexpected-item", "reason-required",
                          "reason-noted", "overridden", "posted"])
        #expect(try site.stop(SIGKILL) != 0)

        let expected = ["operator-required", "operator-signed-in", "unexpected-item", "reason-required", "overridden",
                        "short", "unexpected", "receipt-report"]
        func journal() throws -> [JournalRecord] {
            let ledger = try Ledger(path: site.db)
            defer { ledger.close() }
            return try ledger.stationJournal(JournalQuery(station: "dock-1"))
        }
        let entries = try journal()
        #expect(entries.map(\.entry.code) == expected, "\(entries.map(\.entry.code))")
        #expect(entries.allSatisfy { $0.entry.device == "dock-scanner" })
        #expect(entries.map(\.entry.operatorID) == [nil] + Array(repeating: "4711", count: expected.count - 1))
        #expect(entries.first { $0.entry.code == "overridden" }?.entry.reason == "DAMAGED-BOX")
        let receipt = try #require(entries.last)
        #expect(receipt.seq != nil, "the receipt report did not commit with the receipt")
        let history = try { () throws -> [HistoryRow] in
            let ledger = try Ledger(path: site.db); defer { ledger.close() }
            return try ledger.history(.ref("ASN-1001"))
        }()
        #expect(!history.isEmpty)

        // After the restart nothing is journaled twice, and the operator must sign in again.
        try site.start()
        site.scanner.scan("ASN-1002")
        try eventually("the refusal after the restart to be journaled") { try journal().count == expected.count + 1 }
        #expect(try journal().last?.entry.code == "operator-required")
        #expect(try site.stop() == 0)
    }
}
