import Foundation
import Ledger
import ScanModel

/// `scanledger stock [--location L] [--item I] [--lot X] [--json|--csv] [--all]`
let stockCommand = Command(name: "stock", summary: "on-hand stock by location, item, lot and serial") { argv in
    let synopsis = "[--location L] [--item I] [--lot X] [--json|--csv] [--all] [--db PATH]"
    let args: LedgerCLI.Arguments
    do { args = try LedgerCLI.parse(argv, options: ["--location", "--item", "--lot"], flags: ["--json", "--csv", "--all"]) } catch {
        return LedgerCLI.usage("stock", synopsis, "\(error)")
    }
    guard args.positionals.isEmpty else { return LedgerCLI.usage("stock", synopsis, "unexpected argument \(args.positionals[0])") }
    guard !(args.flags.contains("--json") && args.flags.contains("--csv")) else { return LedgerCLI.usage("stock", synopsis, "choose --json or --csv") }
    guard let ledger = LedgerCLI.open(args) else { return 1 }
    defer { ledger.close() }
    let rows: [StockRow]
    do {
        rows = try ledger.stock(StockQuery(location: args.options["--location"], item: args.options["--item"],
                                           lot: args.options["--lot"], includeVirtual: args.flags.contains("--all")))
    } catch {
        LedgerCLI.fail("\(error)")
        return 1
    }
    if args.flags.contains("--json") {
        let objects = rows.map { r in
            JSONText.object([("item", JSONText.quote(r.item)), ("location", JSONText.quote(r.location)), ("lot", JSONText.quote(r.lot)),
                             ("serial", JSONText.quote(r.serial)), ("qty", String(r.qty))])
        }
        LedgerCLI.emit("[" + objects.joined(separator: ",") + "]\n")
    } else if args.flags.contains("--csv") {
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
