import Foundation
import ScanModel
import Testing
@testable import Stations

/// Collects what a station journals on its own.
final class FakeJournal: JournalSink {
    var entries: [JournalEntry] = []
    var failNext = false
    struct Down: Error {}
    func record(_ new: [JournalEntry]) throws {
        if failNext { failNext = false; throw Down() }
        entries += new
    }
}

/// Operators, reason codes and the journal around a station.
@Suite struct AttendanceTests {
    let w = World()
    let journal = FakeJournal()
    let today = at(2026, 11, 22)

    func receiving(_ configure: (inout AttendanceConfig) -> Void = { _ in }) throws -> AttendedStation {
        try w.expected.store(asns: [ASN(number: "ASN-1", lines: [ASNLine(item: w.plainItem, quantity: 10)])], orders: [])
        let attribution = Attribution()
        let deps = StationDependencies(ledger: StampingGateway(w.ledger, attribution: attribution), stock: w.ledger, master: w.ledger,
                                       expected: w.expected, sessions: w.sessions, attribution: attribution)
        var attendance = AttendanceConfig()
        configure(&attendance)
        return AttendedStation(station: try ReceivingStation(config: ReceivingConfig(station: "dock-1", dock: "DOCK-1"), dependencies: deps),
                               attribution: attribution, config: attendance, commands: CommandNames(), journal: journal)
    }

    @Test func aStationThatNeedsAnOperatorRefusesScansUntilABadgeIsScanned() throws {
        let s = try receiving { $0.requireOperator = true }
        let refused = s.handle(.document("ASN-1"), at: today, device: "dock-scanner")
        #expect(refused.feedback.code == .operatorRequired)
        #expect(s.station.hasOpenSession == false, "the station acted without an operator")
        #expect(s.handle(.badge("1234"), at: today, device: "dock-scanner").feedback.code == .signedIn)
        #expect(s.handle(.document("ASN-1"), at: today, device: "dock-scanner").feedback.code == .opened)
        #expect(s.handle(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 10)), at: today, device: "dock-scanner").accepted)
        let closed = s.handle(.command("CLOSE"), at: today, device: "dock-scanner")
        #expect(closed.feedback.outcome == .done)
        #expect(closed.operatorID == "1234")
        // Who and where are on the posting and on what it carried into the journal.
        let posting = try #require(w.ledger.postings.last?.request)
        #expect(posting.operatorID == "1234" && posting.device == "dock-scanner")
        #expect(posting.journal.map(\.code) == ["receipt-report"])
        #expect(posting.journal.allSatisfy { $0.operatorID == "1234" && $0.device == "dock-scanner" })
        // The refusal and the sign-in were journaled on their own.
        #expect(journal.entries.map(\.code) == ["operator-required", "operator-signed-in"])
        #expect(journal.entries[0].severity == .error && journal.entries[0].device == "dock-scanner" && journal.entries[0].operatorID == nil)
    }

    @Test func signOutByCommandAndWhenIdle() throws {
        let s = try receiving { $0.requireOperator = true; $0.idleSignOut = .seconds(60) }
        s.handle(.badge("1234"), at: today, device: "d")
        #expect(s.handle(.command("SIGN-OUT"), at: today, device: "d").feedback.code == .signedOut)
        #expect(s.operatorID == nil)
        #expect(s.handle(.command("SIGN-OUT"), at: today, device: "d").feedback.code == .nothingToDo)
        s.handle(.badge("77"), at: today, device: "d")
        s.handle(.idleTick, at: today + .seconds(59), device: nil)
        #expect(s.operatorID == "77", "signed out before the idle time was up")
        let idle = s.handle(.idleTick, at: today + .seconds(60), device: nil)
        #expect(idle.feedback.code == .signedOut)
        #expect(s.operatorID == nil)
        #expect(s.handle(.document("ASN-1"), at: today + .seconds(61), device: "d").feedback.code == .operatorRequired)
        let idleEntry = try #require(journal.entries.last { $0.code == "operator-signed-out" })
        #expect(idleEntry.operatorID == "77" && idleEntry.detail.contains("\"idle\":true"))
    }

    @Test func anOverrideNeedsAKnownReasonAndTheReasonReachesJournalAndPosting() throws {
        let s = try receiving { $0.requireReason = true; $0.reasons = ["DAMAGED-BOX", "SUPPLIER-ERROR"] }
        s.handle(.badge("1234"), at: today, device: "d")
        s.handle(.document("ASN-1"), at: today, device: "d")
        #expect(s.handle(.tradeItem(TradeItemScan(gtin: w.stranger, quantity: 2)), at: today, device: "d").feedback.code == .unexpectedItem)
        #expect(s.handle(.command("OVERRIDE"), at: today, device: "d").feedback.code == .reasonRequired)
        #expect(s.station.view.state == "waiting-override", "a refused override dropped the waiting exception")
        #expect(s.handle(.reason("BORED"), at: today, device: "d").feedback.code == .unknownReason)
        #expect(s.station.view.state == "waiting-override", "a reason code reached the station and dropped the exception")
        #expect(s.handle(.reason("DAMAGED-BOX"), at: today, device: "d").feedback.code == .reasonNoted)
        let overridden = s.handle(.command("OVERRIDE"), at: today, device: "d")
        #expect(overridden.feedback.code == .overridden)
        let entry = try #require(journal.entries.last)
        #expect(entry.code == "overridden" && entry.reason == "DAMAGED-BOX" && entry.severity == .warning && entry.document == "ASN-1")
        // A second override needs a reason of its own.
        s.handle(.tradeItem(TradeItemScan(gtin: w.stranger, quantity: 1)), at: today, device: "d")
        #expect(s.handle(.command("OVERRIDE"), at: today, device: "d").feedback.code == .reasonRequired)
        s.handle(.command("CANCEL"), at: today, device: "d")
    }

    @Test func aClosedReceiptCarriesItsReportAndDiscrepanciesWithTheReason() throws {
        let s = try receiving()
        s.handle(.document("ASN-1"), at: today, device: "d")
        s.handle(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 7)), at: today, device: "d")
        s.handle(.tradeItem(TradeItemScan(gtin: w.stranger, quantity: 2)), at: today, device: "d")
        s.handle(.reason("DAMAGED-BOX"), at: today, device: "d")
        s.handle(.command("OVERRIDE"), at: today, device: "d")
        #expect(s.handle(.command("CLOSE"), at: today, device: "d").feedback.outcome == .warning)
        let posting = try #require(w.ledger.postings.last?.request)
        #expect(posting.reason == "DAMAGED-BOX")
        #expect(posting.journal.map(\.code) == ["short", "unexpected", "receipt-report"])
        let report = try #require(posting.journal.last)
        #expect(report.detail.contains("\"expected\":10") && report.detail.contains("\"received\":7") && report.detail.contains("\"short\":3"))
        // Nothing of the close was journaled twice on its own.
        #expect(!journal.entries.contains { ["short", "unexpected", "receipt-report", "posted"].contains($0.code) })
    }

    @Test func plainAcceptsAreNotJournaledAndAFailedJournalWriteIsReportedNotLost() throws {
        let s = try receiving()
        s.handle(.document("ASN-1"), at: today, device: "d")
        s.handle(.tradeItem(TradeItemScan(gtin: w.plain)), at: today, device: "d")
        #expect(journal.entries.isEmpty)
        journal.failNext = true
        let refused = s.handle(.tradeItem(TradeItemScan(gtin: gtin("0614141999996"))), at: today, device: "d")
        #expect(refused.feedback.isError)
        #expect(s.takeJournalFailures().count == 1)
        #expect(s.takeJournalFailures().isEmpty)
    }
}
