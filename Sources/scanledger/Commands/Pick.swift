import Foundation
import Ledger
import ScanModel
import Service
import Stations

/// `scanledger pick plan --locations L,… [--orders A,B|--max N] [--sequence] [--json]`:
/// the pick list a station would lead, from the ledger file (works with the daemon stopped).
private let planCommand = CommandSpec("plan", summary: "a pick list for orders or a wave: orders by ship-by date and priority, stops in walking order",
                                      options: [
    .value("--locations", "L,…", "the pick area (a pick station's pick_locations)", required: true),
    .value("--orders", "A,…", "these orders (each must still owe units: open, or a backorder)"),
    .value("--max", "N", "else the first N orders that owe units, by ship-by date and priority (default: all)"),
    .flag("--sequence", "walk the locations in the order given instead of by location code"),
    .flag("--json", "print a JSON object: orders, stops [{order, location, item, lot, qty}], short [{order, item, qty}]"),
] + LedgerCLI.options, notes: """
    Lots are taken first expiry first; held stock (quarantine, damaged, a lot on hold) is never planned.
    What the area cannot give is listed as short: a pick station backorders it when the list opens.
    """) { args in
    guard !(args.value("--orders") != nil && args.value("--max") != nil) else { throw args.usageError("choose --orders or --max") }
    let locations = (args.value("--locations") ?? "").split(separator: ",").map { LocationCode(String($0)) }
    guard !locations.isEmpty else { throw args.usageError("--locations needs at least one location") }
    let named = args.value("--orders").map { $0.split(separator: ",").map(String.init) } ?? []
    let max = try args.int("--max", in: 1...100_000)
    let walking = WalkingOrder(sequence: args.flag("--sequence") ? locations : [])
    guard let plan = try LedgerCLI.read(args, { ledger in
        let due = try PickPlanReport.orders(ledger, named: named, max: max)
        return PickPlanner.plan(orders: due.orders, stock: try PickPlanReport.stock(ledger, at: locations), walking: walking, remaining: due.owed)
    }) else { return 1 }
    if args.flag("--json") {
        LedgerCLI.emit(PickPlanReport.json(plan) + "\n")
        return 0
    }
    var out = "orders: \(plan.orders.joined(separator: ", "))\n"
    out += TextTable.render(header: ["STOP", "LOCATION", "QTY", "ITEM", "LOT", "ORDER"], rows: plan.tasks.enumerated().map {
        [String($0.offset + 1), $0.element.location.code, String($0.element.quantity), $0.element.item.code, $0.element.lot ?? "-", $0.element.order]
    })
    for g in plan.gaps { out += "short: \(g.quantity) × \(g.item) for order \(g.order) (not in the pick area)\n" }
    LedgerCLI.emit(out)
    return 0
}

let pickCommand = CommandSpec("pick", summary: "pick lists: plan one order or a wave", subcommands: [planCommand])
