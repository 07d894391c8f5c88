import Foundation
import ScanModel
import Testing
@testable import Stations

/// Inspection at receiving (issue 15): units due by rule, PASS or a reason
/// code, failed units posted to quarantine or damaged, a report per line,
/// journal entries in the posting, blocked close, restart.
@Suite struct InspectionTests {
    let w = World()
    let today = at(2026, 11, 22)

    init() throws {
        w.addHeldLocations()
        try w.expected.store(asns: [
            ASN(number: "ASN-1", lines: [
                ASNLine(item: w.plainItem, quantity: 10),
                ASNLine(item: w.lottedItem, quantity: 5, lot: "L1", expiry: CivilDate(year: 2027, month: 6, day: 30)),
            ]),
        ], orders: [])
    }

    func station(sessions: SessionStore? = nil, _ configure: (inout InspectionConfig) -> Void) throws -> ReceivingStation {
        var c = ReceivingConfig(station: "dock-1", dock: "DOCK-1")
        c.inspection.quarantine = "QA-1"
        c.inspection.damaged = "DMG-1"
        configure(&c.inspection)
        return try ReceivingStation(config: c, dependencies: w.deps(sessions: sessions))
    }

    func plain(_ qty: Int = 1) -> StationInput { .tradeItem(TradeItemScan(gtin: w.plain, quantity: qty)) }
    func lotted(_ qty: Int = 1) -> StationInput {
        .tradeItem(TradeItemScan(gtin: w.lotted, lot: "L1", expiry: ExpiryDate(year: 2027, month: 6, day: 30), quantity: qty))
    }
    var posting: PostingRequest? { w.ledger.postings.last?.request }

    @Test func sampleRuleCountsUnitsByQuantity() {
        #expect(InspectionRule.sampleEvery(5).due(before: 0, quantity: 4) == 0)
        #expect(InspectionRule.sampleEvery(5).due(before: 4, quantity: 1) == 1)
        #expect(InspectionRule.sampleEvery(5).due(before: 3, quantity: 12) == 3, "units 5, 10 and 15")
        #expect(InspectionRule.all.due(before: 7, quantity: 3) == 3)
        #expect(InspectionRule.none.due(before: 0, quantity: 100) == 0)
    }

    @Test func sampledInspectionIsDueAtEveryNthUnitOfTheItem() throws {
        let s = try station { $0.items[w.plainItem] = .sampleEvery(5) }
        s.feed(.document("ASN-1"), today)
        for _ in 0..<4 { #expect(s.feed(plain(), today).feedback.code == .accepted) }
        #expect(s.view.state == "open" && s.view.prompt == nil)
        let fifth = s.feed(plain(), today).feedback
        #expect(fifth.code == .inspectionDue)
        #expect(fifth.outcome == .warning)
        #expect(fifth.message.contains("inspect 1 × \(w.plainItem): scan PASS or a reason code"))
        #expect(s.view.state == "inspection-due")
        #expect(s.view.prompt?.hasPrefix("inspect 1 × \(w.plainItem)") == true)
        // The lotted item has no rule and the default is none.
        #expect(s.feed(lotted(5), today).feedback.code == .accepted)
        // Units 6…10: the 10th is due.
        #expect(s.feed(plain(5), today).feedback.code == .inspectionDue)
        #expect(s.dueCount == 2)
        #expect(s.view.prompt?.contains("(2 due)") == true)
        // Units 11…15 need an override (over-receipt); once accepted, the 15th is due.
        #expect(s.feed(plain(5), today).feedback.code == .overReceipt)
        #expect(s.view.state == "waiting-override" && s.dueCount == 2)
        let overridden = s.feed(.command("OVERRIDE"), today).feedback
        #expect(overridden.code == .overridden && overridden.message.contains("(3 due)"))
        #expect(s.dueCount == 3 && s.view.state == "inspection-due")
    }

    @Test func passSendsTheUnitToTheDock() throws {
        let s = try station { $0.rule = .all }
        s.feed(.document("ASN-1"), today)
        #expect(s.feed(plain(), today).feedback.code == .inspectionDue)
        let passed = s.feed(.command("PASS"), today).feedback
        #expect(passed == .ok(.inspectionAnswered, "\(w.plainItem) passed inspection"))
        #expect(s.view.state == "open")
        #expect(s.feed(.command("PASS"), today).feedback.code == .nothingToDo)
        #expect(s.feed(.command("CLOSE"), today).feedback.code == .posted)
        #expect(w.ledger.qty(w.plainItem, at: "DOCK-1") == 1)
        #expect(try #require(posting).journal.allSatisfy { $0.code != "inspection-failed" })
    }

    @Test func aFailedUnitGoesToQuarantineAndIsJournaledWithThePosting() throws {
        let s = try station { $0.rule = .all }
        s.feed(.document("ASN-1"), today)
        #expect(s.feed(lotted(3), today).feedback.code == .inspectionDue)
        #expect(s.feed(.command("PASS"), today).feedback.code == .inspectionAnswered)
        let failed = s.feed(.reason("WET"), today).feedback
        #expect(failed.code == .inspectionAnswered && failed.outcome == .warning)
        #expect(failed.message.contains("set it aside for QA-1"))
        #expect(s.feed(.command("PASS"), today).feedback.code == .inspectionAnswered)
        #expect(s.feed(.command("CLOSE"), today).feedback.code == .posted)
        #expect(w.ledger.postings.count == 1)
        #expect(w.ledger.qty(w.lottedItem, at: "DOCK-1", lot: "L1") == 2)
        #expect(w.ledger.qty(w.lottedItem, at: "QA-1", lot: "L1") == 1)
        let p = try #require(posting)
        let held = try #require(p.lines?.first { $0.to == "QA-1" })
        #expect(held.qty == 1 && held.lot == "L1" && held.expiry == CivilDate(year: 2027, month: 6, day: 30))
        let entries = p.journal.filter { $0.code == "inspection-failed" }
        #expect(entries.count == 1)
        let e = try #require(entries.first)
        #expect(e.severity == .warning && e.reason == "WET" && e.document == "ASN-1")
        #expect(e.detail == #"{"destination":"QA-1","item":"\#(w.lottedItem.code)","lot":"L1","serial":null}"#)
        #expect(p.journal.map(\.code) == ["inspection-failed", "short", "short", "receipt-report"], "the short ASN lines are journaled too")
    }

    @Test func aDamageReasonSendsTheUnitToTheDamagedLocation() throws {
        let s = try station { $0.rule = .all; $0.damageReasons = ["CRUSHED"] }
        s.feed(.document("ASN-1"), today)
        s.feed(plain(2), today)
        #expect(s.feed(.reason("CRUSHED"), today).feedback.message.contains("DMG-1"))
        #expect(s.feed(.reason("WET"), today).feedback.message.contains("QA-1"))
        #expect(s.feed(.command("CLOSE"), today).feedback.code == .posted)
        #expect(w.ledger.qty(w.plainItem, at: "DMG-1") == 1)
        #expect(w.ledger.qty(w.plainItem, at: "QA-1") == 1)
        #expect(w.ledger.qty(w.plainItem, at: "DOCK-1") == 0)
        let failed = try #require(posting).journal.filter { $0.code == "inspection-failed" }
        #expect(failed.map(\.reason) == ["CRUSHED", "WET"])
        #expect(failed[0].detail.contains(#""destination":"DMG-1""#))
    }

    @Test func aFailedSerialisedTagGoesToQuarantineWithItsSerial() throws {
        try w.expected.store(asns: [ASN(number: "ASN-S", lines: [ASNLine(item: w.serialItem, quantity: 2)])], orders: [])
        let s = try station { $0.items[w.serialItem] = .all }
        s.feed(.document("ASN-S"), today)
        #expect(s.feed(.tag(tag(1, w.serial, serial: "S1")), today).feedback.code == .inspectionDue)
        #expect(s.feed(.tag(tag(2, w.serial, serial: "S2")), today).feedback.code == .inspectionDue)
        #expect(s.view.prompt?.contains("serial S1") == true)
        s.feed(.reason("WET"), today)
        s.feed(.command("PASS"), today)
        #expect(s.feed(.command("CLOSE"), today).feedback.code == .posted)
        #expect(w.ledger.qty(w.serialItem, at: "QA-1", serial: "S1") == 1)
        #expect(w.ledger.qty(w.serialItem, at: "DOCK-1", serial: "S1") == 0)
        #expect(w.ledger.qty(w.serialItem, at: "DOCK-1", serial: "S2") == 1)
        #expect(try #require(posting).journal.first { $0.code == "inspection-failed" }?.detail.contains(#""serial":"S1""#) == true)
    }

    @Test func aBlockingRuleKeepsTheReceiptOpenUntilEveryInspectionIsAnswered() throws {
        let s = try station { $0.rule = .sampleEvery(2); $0.blocksClose = true }
        s.feed(.document("ASN-1"), today)
        s.feed(plain(4), today)
        #expect(s.dueCount == 2)
        let refused = s.feed(.command("CLOSE"), today).feedback
        #expect(refused.code == .inspectionDue && refused.isError)
        #expect(refused.message.contains("inspect 1 × \(w.plainItem)"))
        #expect(s.feed(.command("PARTIAL"), today).feedback.code == .inspectionDue)
        // The idle timer does not close it either.
        s.feed(.idleTick, today + .seconds(3_600))
        #expect(s.hasOpenSession && w.ledger.postings.isEmpty)
        s.feed(.command("PASS"), today)
        #expect(s.feed(.command("CLOSE"), today).feedback.code == .inspectionDue, "one is still due")
        s.feed(.reason("WET"), today)
        #expect(s.feed(.command("CLOSE"), today).feedback.code == .posted)
        #expect(!s.hasOpenSession)
        #expect(w.ledger.qty(w.plainItem, at: "QA-1") == 1)
    }

    @Test func withoutBlockingAReceiptWithInspectionsDueCloses() throws {
        let s = try station { $0.rule = .all }
        s.feed(.document("ASN-1"), today)
        s.feed(plain(), today)
        #expect(s.feed(.command("CLOSE"), today).feedback.code == .posted)
        #expect(w.ledger.qty(w.plainItem, at: "DOCK-1") == 1, "an unanswered inspection leaves the unit available")
    }

    @Test func theReportShowsAcceptedQuarantinedAndDamagedPerLine() throws {
        let s = try station { $0.items = [w.plainItem: .sampleEvery(5), w.lottedItem: .all]; $0.damageReasons = ["CRUSHED"] }
        s.feed(.document("ASN-1"), today)
        s.feed(plain(10), today)  // units 5 and 10 due
        s.feed(.command("PASS"), today)
        s.feed(.reason("CRUSHED"), today)
        s.feed(lotted(5), today)
        s.feed(.reason("WET"), today)
        for _ in 0..<4 { s.feed(.command("PASS"), today) }
        let current = try #require(s.currentReport)
        #expect(current.lines.map(\.damaged) == [1, 0])
        #expect(s.feed(.command("CLOSE"), today).feedback == .warning(.posted, "receipt ASN-1 posted (seq 1), as announced; quarantined 1, damaged 1"))
        let report = try #require(s.lastReport)
        #expect(report.lines.map(\.received) == [10, 5])
        #expect(report.lines.map(\.accepted) == [9, 4])
        #expect(report.lines.map(\.quarantined) == [0, 1])
        #expect(report.lines.map(\.damaged) == [1, 0])
        let entry = try #require(posting?.journal.first { $0.code == "receipt-report" })
        #expect(entry.severity == .warning)
        #expect(entry.detail.contains(#"{"accepted":9,"damaged":1,"expected":10,"#))
        #expect(entry.detail.contains(#""quarantined":0,"received":10,"#))
        #expect(entry.detail.contains(#"{"accepted":4,"damaged":0,"expected":5,"#))
        #expect(entry.detail.contains(#""quarantined":1,"received":5,"#))
    }

    @Test func aRestartResumesTheDueInspection() throws {
        let store = InMemorySessionStore()
        let configure: (inout InspectionConfig) -> Void = { $0.rule = .all; $0.blocksClose = true }
        let first = try station(sessions: store, configure)
        first.feed(.document("ASN-1"), today)
        first.feed(plain(2), today)
        first.feed(.reason("WET"), today)
        // A new instance on the same store: the second unit is still due.
        let second = try station(sessions: store, configure)
        #expect(second.view.state == "inspection-due")
        #expect(second.dueCount == 1)
        #expect(second.feed(.command("CLOSE"), today).feedback.code == .inspectionDue)
        #expect(second.feed(.command("PASS"), today).feedback.code == .inspectionAnswered)
        let third = try station(sessions: store, configure)
        #expect(third.view.state == "open" && third.dueCount == 0)
        #expect(third.feed(.command("CLOSE"), today).feedback.code == .posted)
        #expect(w.ledger.qty(w.plainItem, at: "QA-1") == 1)
        #expect(w.ledger.qty(w.plainItem, at: "DOCK-1") == 1)
    }

    @Test func aSessionSavedBeforeInspectionExistedStillLoads() throws {
        let store = InMemorySessionStore()
        let old = try station(sessions: store) { _ in }
        old.feed(.document("ASN-1"), today)
        old.feed(plain(), today)
        let saved = try #require(try store.loadSession(station: "dock-1"))
        #expect(!String(decoding: saved.snapshot, as: UTF8.self).contains("inspections"))
        #expect(!saved.journal.contains { String(decoding: $0, as: UTF8.self).contains("inspections") })
        let resumed = try station(sessions: store) { $0.rule = .all }
        #expect(resumed.openASN == "ASN-1" && resumed.dueCount == 0)
        #expect(resumed.feed(plain(), today).feedback.code == .inspectionDue)
    }

    @Test func anAttendedStationHandsAReasonToADueInspection() throws {
        let attribution = Attribution()
        let deps = StationDependencies(ledger: StampingGateway(w.ledger, attribution: attribution), stock: w.ledger, master: w.ledger,
                                       expected: w.expected, sessions: w.sessions, attribution: attribution)
        var c = ReceivingConfig(station: "dock-1", dock: "DOCK-1")
        c.inspection.rule = .all
        c.inspection.quarantine = "QA-1"
        var attendance = AttendanceConfig()
        attendance.reasons = ["WET", "CRUSHED"]
        let journal = FakeJournal()
        let s = AttendedStation(station: try ReceivingStation(config: c, dependencies: deps), attribution: attribution,
                                config: attendance, commands: CommandNames(), journal: journal)
        s.handle(.document("ASN-1"), at: today, device: "d")
        // No inspection due: a reason is kept for an override.
        #expect(s.handle(.reason("WET"), at: today, device: "d").feedback.code == .reasonNoted)
        s.handle(.tradeItem(TradeItemScan(gtin: w.plain)), at: today, device: "d")
        #expect(s.handle(.reason("MUDDY"), at: today, device: "d").feedback.code == .unknownReason)
        let failed = s.handle(.reason("WET"), at: today, device: "d")
        #expect(failed.feedback.code == .inspectionAnswered && failed.feedback.message.contains("QA-1"))
        #expect(journal.entries.last?.code == "inspection-answered" && journal.entries.last?.reason == "WET")
        #expect(s.handle(.command("CLOSE"), at: today, device: "d").feedback.code == .posted)
        #expect(w.ledger.qty(w.plainItem, at: "QA-1") == 1)
    }
}
