import Foundation
import Ledger
import ScanModel
import Stations

/// `scanledger pick plan`: the list a pick station would lead, made from the
/// ledger's stock at the pick locations by the same planner (Stations/PickPlan).
public enum PickPlanReport {
    /// Stock at `locations` with what the planner needs to know about it:
    /// held (a quarantine or damaged place, a lot on hold) and lot expiry.
    public static func stock(_ ledger: Ledger, at locations: [LocationCode]) throws -> [PickStock] {
        var out: [PickStock] = []
        for location in locations {
            let heldPlace = try ledger.location(location)?.kind.holdsStock ?? false
            for b in try ledger.balances(at: location) where b.qty > 0 {
                let heldLot = try b.lot.map { try ledger.holdReason(item: b.item, lot: $0) != nil } ?? false
                out.append(PickStock(location: location, item: b.item, lot: b.lot,
                                     expiry: try b.lot.flatMap { try ledger.lotExpiry(item: b.item, lot: $0) },
                                     quantity: Int(clamping: b.qty), held: heldPlace || heldLot))
            }
        }
        return out
    }

    /// The orders to plan: those named, else the first `max` by ship-by date
    /// and priority that still owe units (open ones, and backorders of
    /// picked, packed or partly shipped ones). An unknown, cancelled or
    /// shipped order, or one with nothing owed, is an error naming it.
    public static func orders(_ ledger: Ledger, named: [String], max: Int?) throws -> (orders: [PackOrder], owed: [String: [ItemCode: Int]]) {
        let all = try OrderReports.list(ledger)
        var owed: [String: [ItemCode: Int]] = [:]
        for s in all where !s.status.isFinal && s.order.cancelled != true {
            let left = try OrderProgress.stillToPick(s.order, history: ledger)
            if left.values.contains(where: { $0 > 0 }) { owed[s.number] = left }
        }
        if named.isEmpty {
            let due = all.filter { owed[$0.number] != nil }.map(\.order)
            let chosen = Array(PickPlanner.schedule(due).prefix(max ?? Int.max))
            return (chosen, owed)
        }
        let chosen = try named.map { n in
            guard let s = all.first(where: { $0.number == n }) else { throw PickPlanError(message: "no order \(n) was imported") }
            guard owed[n] != nil else { throw PickPlanError(message: "order \(n) is \(s.status.rawValue) and owes nothing to pick") }
            return s.order
        }
        return (chosen, owed)
    }

    public static func json(_ plan: PickPlan) -> String {
        let q = JSONText.quote
        let tasks = plan.tasks.map {
            JSONText.object([("order", q($0.order)), ("location", q($0.location.code)), ("item", q($0.item.code)), ("lot", q($0.lot)),
                             ("qty", String($0.quantity))])
        }
        let gaps = plan.gaps.map { JSONText.object([("order", q($0.order)), ("item", q($0.item.code)), ("qty", String($0.quantity))]) }
        return JSONText.object([("orders", "[" + plan.orders.map { q($0) }.joined(separator: ",") + "]"),
                                ("stops", "[" + tasks.joined(separator: ",") + "]"), ("short", "[" + gaps.joined(separator: ",") + "]")])
    }
}

public struct PickPlanError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
