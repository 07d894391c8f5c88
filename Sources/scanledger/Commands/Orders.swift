import Foundation
import Ledger
import ScanModel
import Service
import Stations

/// `scanledger orders [--status S] [--since T] [--json|--csv]`: the imported
/// orders with their current status (the newest `order-status` journal entry).
let ordersCommand = CommandSpec("orders", summary: "imported orders with their status, ship-by date, carrier and priority", options: [
    .value("--status", "S", "only orders in this status: " + OrderStatus.allCases.map(\.rawValue).joined(separator: ", ")),
    .value("--since", "TIME", "only orders whose status changed at or after TIME (2026-12-03T08:00:00Z, 2026-12-03, or 90m, 24h, 7d back)"),
    .flag("--json", "print a JSON array: order, status, changed, ship_by, carrier, service, priority, tote"),
    .flag("--csv", "print CSV with a header row"),
] + LedgerCLI.options, notes: "An order never picked, packed or shipped is open. Lines per order: scanledger order show N.") { args in
    guard !(args.flag("--json") && args.flag("--csv")) else { throw args.usageError("choose --json or --csv") }
    var status: OrderStatus?
    if let s = args.value("--status") {
        guard let known = OrderStatus(rawValue: s) else {
            throw args.usageError("--status must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", ")), not '\(s)'")
        }
        status = known
    }
    var since: Microseconds?
    if let text = args.value("--since") {
        do { since = try JournalQuery.since(text, now: WallClock().now()) } catch { throw args.usageError("--since: \(error)") }
    }
    guard let orders = try LedgerCLI.read(args, { try OrderReports.list($0, status: status, since: since) }) else { return 1 }
    if args.flag("--json") {
        LedgerCLI.emit("[" + orders.map(\.jsonText).joined(separator: ",") + "]\n")
    } else if args.flag("--csv") {
        LedgerCLI.emit(CSV.record(OrderSummary.csvHeader) + orders.map { CSV.record($0.csvFields) }.joined())
    } else {
        LedgerCLI.emit(TextTable.render(header: ["ORDER", "STATUS", "SHIP-BY", "CARRIER", "PRIORITY", "CHANGED"], rows: orders.map {
            [$0.number, $0.status.rawValue, $0.order.shipBy?.iso ?? "-", $0.order.carrier ?? "-", $0.order.priority.map(String.init) ?? "-",
             $0.changed ?? "-"]
        }))
    }
    return 0
}
