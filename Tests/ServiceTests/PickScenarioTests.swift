import Foundation
import Ledger
import ScanModel
import Stations
import Testing
@testable import Service

/// A wave picked into totes on the real ledger, scans translated as the
/// router does, with a restart in the middle; then packed by its tote.
@Suite struct PickScenarioTests {
    let t = ScanTranslator(decoder: ServiceConfigDefaults.decoder)
    let now = today()

    func scan(_ text: String) -> StationInput { t.input(for: Array(text.utf8)) }

    func station(_ w: RealLedgerWorld) throws -> PickStation {
        let spec = StationSpec(name: "pick-1", kind: .pick, devices: [], zones: [])
        var s = spec; s.pickLocations = ["A-01", "B-01"]
        return try #require(try StationHost.make(s, w.deps, InMemoryCountReviewStore(), StationContext()) as? PickStation)
    }

    @Test func aWaveWithRefusalsAShortPickAndARestartPostsEachStopOnce() throws {
        let w = try RealLedgerWorld()
        try w.ledger.importLocations([Location(code: "TOTE-1", type: .pack), Location(code: "TOTE-2", type: .pack)])
        let r = try w.ledger.postAndWait([PostingRequest(key: "seed-lots", kind: .receipt, lines: [
            PostingLine(item: w.lottedItem, qty: 4, from: VirtualLocation.supplier, to: "A-01", lot: "L-OLD", expiry: CivilDate(year: 2027, month: 1, day: 1)),
            PostingLine(item: w.lottedItem, qty: 4, from: VirtualLocation.supplier, to: "A-01", lot: "L-NEW", expiry: CivilDate(year: 2027, month: 9, day: 1)),
            PostingLine(item: w.lottedItem, qty: 4, from: VirtualLocation.supplier, to: "A-01", lot: "L-RECALL", expiry: CivilDate(year: 2026, month: 12, day: 20)),
        ])])
        #expect(r.first?.status == .posted)
        _ = try w.ledger.holdLot(item: w.lottedItem, lot: "L-RECALL", reason: "RECALL")
        try w.seed(w.plainItem, 3, at: "B-01")
        try w.stores.store(asns: [], orders: [
            PackOrder(number: "SO-1", lines: [PackOrderLine(item: w.lottedItem, quantity: 2)], shipBy: CivilDate(year: 2026, month: 11, day: 23)),
            PackOrder(number: "SO-2", lines: [PackOrderLine(item: w.plainItem, quantity: 3)]),
        ])
        var pick = try station(w)
        #expect(pick.handle(.document("SO-2"), at: now).feedback.code == .opened)
        #expect(pick.handle(.document("SO-1"), at: now).feedback.code == .opened)
        // SO-1 ships first; its lots are first expiry first (the recalled lot is never planned).
        #expect(pick.view.location == "A-01" && pick.view.lines.first?.lot == "L-OLD")
        #expect(pick.handle(scan("LOC:B-01"), at: now).feedback.code == .wrongLocation)
        #expect(pick.handle(scan("LOC:A-01"), at: now).accepted)
        #expect(pick.handle(scan("01\(w.lotted.digits)10L-NEW"), at: now).feedback.code == .wrongLot)
        #expect(pick.handle(scan("01\(w.lotted.digits)10L-RECALL"), at: now).feedback.code == .heldStock)
        #expect(pick.handle(scan("01\(w.lotted.digits)10L-OLD"), at: now).accepted)
        #expect(pick.handle(scan("01\(w.lotted.digits)10L-OLD"), at: now).accepted)
        let first = pick.handle(scan("LOC:TOTE-1"), at: now)
        #expect(first.feedback.code == .posted, "\(first.feedback)")

        // The daemon dies here; the session and the posted stop survive.
        try w.restart()
        pick = try station(w)
        #expect(pick.view.location == "B-01" && pick.view.document == "SO-2")
        #expect(pick.handle(scan("LOC:B-01"), at: now).accepted)
        #expect(pick.handle(.tradeItem(TradeItemScan(gtin: w.plain)), at: now).accepted)
        #expect(pick.handle(.command("SHORT-PICK"), at: now).feedback.code == .shortPicked)
        #expect(pick.handle(scan("LOC:TOTE-1"), at: now).feedback.code == .wrongTote)
        #expect(pick.handle(scan("LOC:TOTE-2"), at: now).feedback.outcome == .done)
        #expect(try w.stores.loadSession(station: "pick-1") == nil)

        #expect(try w.ledger.onHand(item: w.lottedItem, lot: "L-OLD", at: "TOTE-1") == 2)
        #expect(try w.ledger.onHand(item: w.plainItem, lot: nil, at: "TOTE-2") == 1)
        #expect(Set(try w.ledger.history(.ref("SO-1")).filter { $0.kind == .move }.map(\.seq)).count == 1)
        let backorders = try w.ledger.stationJournal(JournalQuery(code: "backordered"))
        #expect(backorders.map(\.entry.document) == ["SO-2"] && backorders[0].entry.detail.contains(#""qty":2"#))
        let counts = try w.ledger.stationJournal(JournalQuery(code: OrderJournalCode.cycleCountCandidate))
        #expect(counts.count == 1 && counts[0].entry.detail.contains(#""location":"B-01""#))
        #expect(try w.ledger.verify().ok)

        // The pack bench takes the order by its tote.
        // The pack bench takes the order by its tote and packs straight from it.
        let pack = try PackStation(config: PackConfig(station: "pack-1", packLocation: "PACK-1", packedLocation: "SHIP"), dependencies: w.deps)
        #expect(pack.handle(scan("LOC:TOTE-1"), at: now).feedback.message.contains("order SO-1"))
        #expect(pack.view.location == "TOTE-1")
        #expect(pack.handle(scan("01\(w.lotted.digits)302\u{1D}10L-OLD"), at: now).accepted)
        #expect(pack.handle(.command("COMPLETE"), at: now).feedback.code == .posted)
        #expect(try w.ledger.onHand(item: w.lottedItem, lot: "L-OLD", at: "SHIP") == 2)
        #expect(try w.ledger.balances(at: "TOTE-1").isEmpty)
    }
}
