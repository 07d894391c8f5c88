import Foundation
import Testing
@testable import Ledger
import ScanModel

/// The station journal: entries commit with their posting or on their own,
/// are never written twice for a retried key, cannot be edited, and
/// retention never drops what the central store has not got.
@Suite struct StationJournalTests {
    static func entry(_ code: String, station: String = "dock-1", document: String? = "ASN-1", at seconds: Int64 = 1_700_000_000,
                      severity: JournalSeverity = .warning) -> JournalEntry {
        JournalEntry(time: .seconds(seconds), station: station, device: "dock-scanner", operatorID: "1234", code: code,
                     severity: severity, document: document, reason: nil, message: "\(code) at \(station)", detail: "{\"line\":1}")
    }

    static func receipt(_ key: String, journal: [JournalEntry]) -> PostingRequest {
        var r = PostingRequest(key: key, kind: .receipt, ref: "ASN-1", station: "dock-1", device: "dock-scanner",
                               lines: [PostingLine(item: TestLedger.widget, qty: 2, from: VirtualLocation.supplier, to: "DOCK1")])
        r.operatorID = "1234"; r.reason = "DAMAGED-BOX"; r.journal = journal
        return r
    }

    @Test func entriesCommitWithTheirPostingAndAreNotRepeatedForARetriedKey() throws {
        let t = try TestLedger()
        let request = Self.receipt("rcv-1", journal: [Self.entry("short"), Self.entry("over")])
        let first = try t.post(request)
        #expect(first.status == .posted)
        let again = try t.post(request)
        #expect(again.status == .duplicate)
        let rows = try t.ledger.stationJournal(JournalQuery())
        #expect(rows.map(\.entry.code) == ["short", "over"], "a retried key wrote its journal twice")
        #expect(rows.allSatisfy { $0.seq == first.seq })
        #expect(rows.first?.entry == Self.entry("short"))
        // The posting records who and why.
        let who = try t.ledger.read { r in try r.db.prepare("SELECT operator, reason, device FROM postings WHERE seq = 1") }
        #expect(try who.step())
        #expect(who.optionalText(0) == "1234" && who.optionalText(1) == "DAMAGED-BOX" && who.optionalText(2) == "dock-scanner")
        who.reset()
    }

    @Test func aRejectedPostingLeavesNoJournalBehind() throws {
        let t = try TestLedger()
        var r = Self.receipt("rcv-bad", journal: [Self.entry("short")])
        r.entries = [PostingEntry(location: "NOWHERE", item: TestLedger.widget, qty: 1), PostingEntry(location: VirtualLocation.supplier, item: TestLedger.widget, qty: -1)]
        #expect(try t.post(r).status == .rejected)
        #expect(try t.ledger.stationJournal(JournalQuery()).isEmpty)
    }

    @Test func filtersAndOrder() throws {
        let t = try TestLedger()
        try t.ledger.recordJournal([Self.entry("unknown-item", station: "dock-1", at: 100, severity: .error),
                                    Self.entry("overridden", station: "dock-2", document: "ASN-2", at: 200),
                                    Self.entry("unknown-item", station: "dock-2", document: nil, at: 300, severity: .error)])
        #expect(try t.ledger.stationJournal(JournalQuery(station: "dock-2")).map(\.entry.code) == ["overridden", "unknown-item"])
        #expect(try t.ledger.stationJournal(JournalQuery(code: "unknown-item")).map(\.entry.time) == [.seconds(100), .seconds(300)])
        #expect(try t.ledger.stationJournal(JournalQuery(document: "ASN-2")).count == 1)
        #expect(try t.ledger.stationJournal(JournalQuery(since: .seconds(200))).map(\.id) == [2, 3])
        #expect(try t.ledger.stationJournal(JournalQuery(operatorID: "9999")).isEmpty)
    }

    @Test func entriesCannotBeEdited() throws {
        let t = try TestLedger()
        try t.ledger.recordJournal([Self.entry("overridden")])
        #expect(throws: (any Error).self) {
            try t.ledger.writeAndWait { db in try db.exec("UPDATE station_journal SET code = 'accepted'") }
        }
        #expect(try t.ledger.stationJournal(JournalQuery()).map(\.entry.code) == ["overridden"])
        #expect(throws: (any Error).self) {
            try t.ledger.recordJournal([JournalEntry(time: .zero, station: "s", code: "x", severity: .info, message: "", detail: "[1]")])
        }
    }

    @Test func retentionKeepsWhatWasNotForwardedAndIdsNeverComeBack() throws {
        let t = try TestLedger()
        try t.ledger.recordJournal([Self.entry("a", at: 10), Self.entry("b", at: 20), Self.entry("c", at: 30)])
        try t.ledger.markJournalForwarded(upTo: 1)
        #expect(try t.ledger.pruneJournal(before: .seconds(25), keepUnforwarded: true) == 1, "dropped an entry central has not got")
        #expect(try t.ledger.stationJournal(JournalQuery()).map(\.entry.code) == ["b", "c"])
        #expect(try t.ledger.pruneJournal(before: .seconds(1_000), keepUnforwarded: false) == 2)
        try t.ledger.recordJournal([Self.entry("d")])
        #expect(try t.ledger.stationJournal(JournalQuery()).map(\.id) == [4])
    }
}
