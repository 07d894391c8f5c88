import Foundation
import Ledger
import ScanModel

/// `scanledger stock [--location L] [--item I] [--lot X] [--json|--csv] [--all]`
let stockCommand = CommandSpec("stock", summary: "on-hand stock by location, item, lot and serial", options: [
    .value("--location", "L", "only this location"),
    .value("--item", "I", "only this item"),
    .value("--lot", "X", "only this lot"),
    .flag("--json", "print a JSON array"),
    .flag("--csv", "print CSV with a header row"),
    .flag("--all", "include virtual accounts (supplier, customer, adjustment, in-transit, scrap)"),
] + LedgerCLI.options, notes: "Exit 1 when the location or item is not known.") { args in
    guard !(args.flag("--json") && args.flag("--csv")) else { throw args.usageError("choose --json or --csv") }
    guard let ledger = try LedgerCLI.open(args) else { return 1 }
    defer { ledger.close() }
    let rows: [StockRow]
    do {
        rows = try ledger.stock(StockQuery(location: args.value("--location"), item: args.value("--item"),
                                           lot: args.value("--lot"), includeVirtual: args.flag("--all")))
    } catch {
        LedgerCLI.fail("\(error)")
        return 1
    }
    if args.flag("--json") {
        let objects = rows.map { r in
            JSONText.object([("item", JSONText.quote(r.item)), ("location", JSONText.quote(r.location)), ("lot", JSONText.quote(r.lot)),
                             ("serial", JSONText.quote(r.serial)), ("qty", String(r.qty))])
        }
        LedgerCLI.emit("[" + objects.joined(separator: ",") + "]\n")
    } else if args.flag("--csv") {
        var out = "item,location,lot,serial,qty\n"
        for r in rows { out += CSV.record([r.item, r.location, r.lot ?? "", r.serial ?? "", String(r.qty)]) }
        LedgerCLI.emit(out)
    } else {
        var out = "ITEM            LOCATION     LOT          SERIAL           QTY\n"
        for r in rows {
            out += [r.item.padding(toLength: 15, withPad: " ", startingAt: 0), r.location.padding(toLength: 12, withPad: " ", startingAt: 0),
                    (r.lot ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0), (r.serial ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0),
                    String(r.qty).leftPadded(8)].joined(separator: " ") + "\n"
        }
        LedgerCLI.emit(out)
    }
    return 0
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
