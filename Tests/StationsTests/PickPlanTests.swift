import ScanModel
import Testing
@testable import Stations

@Suite struct PickPlanTests {
    let a: ItemCode = "WID-A"
    let b: ItemCode = "WID-B"

    func order(_ n: String, shipBy: CivilDate? = nil, priority: Int? = nil, _ lines: [(ItemCode, Int)]) -> PackOrder {
        PackOrder(number: n, lines: lines.map { PackOrderLine(item: $0.0, quantity: $0.1) }, shipBy: shipBy, priority: priority)
    }

    @Test func ordersGoByShipByThenPriorityThenNumber() {
        let d1 = CivilDate(year: 2026, month: 12, day: 5)!, d2 = CivilDate(year: 2026, month: 12, day: 6)!
        let orders = [order("O-4", [(a, 1)]), order("O-3", shipBy: d2, [(a, 1)]), order("O-2", shipBy: d1, priority: 1, [(a, 1)]),
                      order("O-1", shipBy: d1, priority: 5, [(a, 1)]), order("O-0", shipBy: d1, priority: 1, [(a, 1)])]
        #expect(PickPlanner.schedule(orders).map(\.number) == ["O-1", "O-0", "O-2", "O-3", "O-4"])
    }

    @Test func stopsWalkByLocationCodeOrTheConfiguredSequence() {
        let stock = [PickStock(location: "C-01", item: a, quantity: 5), PickStock(location: "A-02", item: b, quantity: 5)]
        let byCode = PickPlanner.plan(orders: [order("O-1", [(a, 1), (b, 1)])], stock: stock)
        #expect(byCode.tasks.map(\.location) == ["A-02", "C-01"])
        let bySequence = PickPlanner.plan(orders: [order("O-1", [(a, 1), (b, 1)])], stock: stock,
                                          walking: WalkingOrder(sequence: ["C-01", "A-02"]))
        #expect(bySequence.tasks.map(\.location) == ["C-01", "A-02"])
    }

    @Test func firstExpiryFirstOutAndHeldStockIsNeverPlanned() {
        let early = CivilDate(year: 2027, month: 1, day: 1)!, late = CivilDate(year: 2027, month: 6, day: 1)!
        let stock = [PickStock(location: "A-01", item: a, lot: "LATE", expiry: late, quantity: 10),
                     PickStock(location: "A-02", item: a, lot: "EARLY", expiry: early, quantity: 2),
                     PickStock(location: "A-03", item: a, lot: "RECALL", expiry: CivilDate(year: 2026, month: 12, day: 1)!, quantity: 9, held: true)]
        let plan = PickPlanner.plan(orders: [order("O-1", [(a, 3)])], stock: stock)
        #expect(plan.tasks == [PickTask(order: "O-1", location: "A-01", item: a, lot: "LATE", quantity: 1),
                               PickTask(order: "O-1", location: "A-02", item: a, lot: "EARLY", quantity: 2)])
        #expect(plan.gaps.isEmpty)
        #expect(PickPlanner.earlierExpiry(than: late, item: a, lot: "LATE", in: stock)?.lot == "EARLY")
        #expect(PickPlanner.earlierExpiry(than: early, item: a, lot: "EARLY", in: stock) == nil)  // the held lot does not count
    }

    @Test func aWaveSharesStockAndWhatIsMissingIsAGap() {
        let stock = [PickStock(location: "A-01", item: a, quantity: 3)]
        let plan = PickPlanner.plan(orders: [order("O-2", priority: 1, [(a, 2)]), order("O-1", priority: 9, [(a, 2), (a, 1)])], stock: stock)
        #expect(plan.orders == ["O-1", "O-2"])
        #expect(plan.tasks == [PickTask(order: "O-1", location: "A-01", item: a, quantity: 3)])
        #expect(plan.gaps == [PickGap(order: "O-2", item: a, quantity: 2)])
    }

    @Test func aBackorderPlansOnlyWhatIsStillOwed() {
        let stock = [PickStock(location: "A-01", item: a, quantity: 9), PickStock(location: "A-02", item: b, quantity: 9)]
        let plan = PickPlanner.plan(orders: [order("O-1", [(a, 5), (b, 2)])], stock: stock, remaining: ["O-1": [a: 2]])
        #expect(plan.tasks == [PickTask(order: "O-1", location: "A-01", item: a, quantity: 2)])
    }

    @Test func orderStatusIsTheNewestStatusEntry() {
        #expect(OrderJournal.currentStatus([]) == .open)
        let entries = [OrderJournal.statusChange(order: "O-1", to: .picking, station: "p", at: .zero),
                       OrderJournal.backordered(order: "O-1", item: a, quantity: 2, because: "short pick", station: "p", at: .zero),
                       OrderJournal.statusChange(order: "O-1", to: .picked, station: "p", at: .zero)]
        #expect(OrderJournal.currentStatus(entries) == .picked)
        #expect(entries[1].code == "backordered" && entries[1].document == "O-1" && entries[1].detail.contains("\"qty\":2"))
    }
}
