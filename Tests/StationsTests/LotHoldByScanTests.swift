import ScanModel
import Testing
@testable import Stations

/// Records lot holds as the ledger would (the first hold stands), or fails.
final class FakeLotHolds: LotHoldGateway {
    struct Hold: Equatable { let item: ItemCode, lot: String, reason: String, operatorID: String?, station: String }
    var holds: [Hold] = []
    var unknownItems: Set<ItemCode> = []
    struct NotLotTracked: Error, CustomStringConvertible { var description: String { "the item is not lot-tracked" } }
    func holdLot(item: ItemCode, lot: String, reason: String, operatorID: String?, station: String) throws -> Bool {
        if unknownItems.contains(item) { throw NotLotTracked() }
        guard !holds.contains(where: { $0.item == item && $0.lot == lot }) else { return false }
        holds.append(Hold(item: item, lot: lot, reason: reason, operatorID: operatorID, station: station))
        return true
    }
}

/// A recall scanned at the shelf: reason, HOLD-LOT, then a unit of the lot.
@Suite struct LotHoldByScanTests {
    let w = World()
    let journal = FakeJournal()
    let holds = FakeLotHolds()
    let now = at(2026, 12, 4)

    func station(enabled: Bool = true, gateway: Bool = true) throws -> AttendedStation {
        let attribution = Attribution()
        let deps = StationDependencies(ledger: w.ledger, stock: w.ledger, master: w.ledger, expected: w.expected, sessions: w.sessions,
                                       attribution: attribution)
        var a = AttendanceConfig()
        a.lotHoldByScan = enabled
        a.reasons = ["RECALL", "DAMAGED"]
        return AttendedStation(station: try MoveStation(config: MoveConfig(station: "floor-1"), dependencies: deps), attribution: attribution,
                               config: a, commands: CommandNames(), journal: journal, lotHolds: gateway ? holds : nil)
    }

    func lotUnit(_ lot: String?) -> StationInput { .tradeItem(TradeItemScan(gtin: w.lotted, lot: lot)) }

    @Test func aSignedInOperatorHoldsALotWithTheReasonScannedBefore() throws {
        let s = try station()
        func feed(_ i: StationInput) -> StationEvent { s.handle(i, at: now, device: "hh-1") }
        feed(.badge("77"))
        #expect(feed(.reason("RECALL")).feedback.code == .reasonNoted)
        #expect(feed(.command("HOLD-LOT")).accepted)
        #expect(feed(lotUnit(nil)).feedback.code == .missingLot)  // still waiting for the lot
        let held = feed(lotUnit("L7"))
        #expect(held.feedback.code == .lotHeld && held.feedback.outcome == .done)
        #expect(holds.holds == [FakeLotHolds.Hold(item: w.lottedItem, lot: "L7", reason: "RECALL", operatorID: "77", station: "floor-1")])
        #expect(!journal.entries.contains { $0.code == "lot-held" })  // the ledger journals the hold, not the station twice
        // The reason was used up: a second HOLD-LOT needs its own.
        #expect(feed(.command("HOLD-LOT")).feedback.code == .reasonRequired)
        feed(.reason("RECALL"))
        feed(.command("HOLD-LOT"))
        #expect(feed(lotUnit("L7")).feedback.outcome == .warning)  // already on hold
        #expect(holds.holds.count == 1)
    }

    @Test func aHoldNeedsTheStationKeyAnOperatorAndAReason() throws {
        #expect(try station(enabled: false).handle(.command("HOLD-LOT"), at: now, device: "d").feedback.code == .unknownCommand)
        #expect(try station(gateway: false).handle(.command("HOLD-LOT"), at: now, device: "d").feedback.code == .unknownCommand)
        let s = try station()
        #expect(s.handle(.command("HOLD-LOT"), at: now, device: "d").feedback.code == .operatorRequired)
        s.handle(.badge("77"), at: now, device: "d")
        #expect(s.handle(.command("HOLD-LOT"), at: now, device: "d").feedback.code == .reasonRequired)
        #expect(s.handle(lotUnit("L7"), at: now, device: "d").feedback.code != .lotHeld)
        #expect(holds.holds.isEmpty)
    }

    @Test func cancelOrSignOutDropsAWaitingHoldAndOtherScansWait() throws {
        let s = try station()
        s.handle(.badge("77"), at: now, device: "d")
        s.handle(.reason("RECALL"), at: now, device: "d")
        s.handle(.command("HOLD-LOT"), at: now, device: "d")
        #expect(s.handle(.location("A-01"), at: now, device: "d").feedback.code == .wrongMoment)
        #expect(s.handle(.idleTick, at: now, device: nil).feedback.code != .wrongMoment)  // clocks are not the operator
        #expect(s.handle(.command("CANCEL"), at: now, device: "d").feedback.code == .cancelled)
        #expect(s.handle(lotUnit("L7"), at: now, device: "d").feedback.code != .lotHeld)  // back to the move station
        s.handle(.reason("RECALL"), at: now, device: "d")
        s.handle(.command("HOLD-LOT"), at: now, device: "d")
        s.handle(.command("SIGN-OUT"), at: now, device: "d")
        s.handle(.badge("78"), at: now, device: "d")
        #expect(s.handle(lotUnit("L7"), at: now, device: "d").feedback.code != .lotHeld)
        #expect(holds.holds.isEmpty)
    }

    @Test func aLedgerRefusalIsAnErrorAndEndsTheWait() throws {
        holds.unknownItems = [w.lottedItem]
        let s = try station()
        s.handle(.badge("77"), at: now, device: "d")
        s.handle(.reason("RECALL"), at: now, device: "d")
        s.handle(.command("HOLD-LOT"), at: now, device: "d")
        let e = s.handle(lotUnit("L7"), at: now, device: "d")
        #expect(e.feedback.outcome == .error && e.feedback.message.contains("not lot-tracked"))
        #expect(s.handle(.location("A-01"), at: now, device: "d").feedback.code != .wrongMoment)
    }
}
