import Foundation
import Ledger
import ScanModel
import Service
import Stations

// `scanledger order show N` and `scanledger order cancel N`: one order's
// lines, and cancelling it. A cancel never edits what was picked: the stock
// in its tote goes back by a posting, and the status change is journaled.

private let orderPositional = [PositionalSpec("ORDER", .required, "the order number")]

private let showCommand = CommandSpec("show", summary: "an order's status and, per item: ordered, picked, packed, shipped, backordered, returned",
                                      positionals: orderPositional, options: [
    .flag("--json", "print a JSON object: the order's summary and its lines"),
] + LedgerCLI.options, notes: "Exit 1 when no such order was imported.") { args in
    let number = args.positional("ORDER") ?? ""
    guard let found = try LedgerCLI.read(args, { try OrderReports.show($0, number: number) }) else { return 1 }
    guard let (summary, lines) = found else {
        LedgerCLI.fail("no order \(number) was imported (scanledger import orders FILE)")
        return 1
    }
    if args.flag("--json") {
        LedgerCLI.emit("{\"order\":\(summary.jsonText),\"lines\":[\(lines.map(\.jsonText).joined(separator: ","))]}\n")
        return 0
    }
    var out = "order \(number): \(summary.status.rawValue)\(summary.changed.map { " since \($0)" } ?? "")"
    out += summary.order.shipBy.map { ", ship by \($0.iso)" } ?? ""
    out += summary.order.carrier.map { ", \($0)\(summary.order.service.map { " \($0)" } ?? "")" } ?? ""
    out += summary.order.tote.map { ", tote \($0)" } ?? ""
    out += "\n" + TextTable.render(header: ["ITEM", "ORDERED", "PICKED", "PACKED", "SHIPPED", "BACKORDERED", "RETURNED"], rows: lines.map {
        [$0.item.code, String($0.ordered), String($0.picked), String($0.packed), String($0.shipped), String($0.backordered), String($0.returned)]
    }, numericFrom: 1)
    LedgerCLI.emit(out)
    return 0
}

private let cancelCommand = CommandSpec("cancel", summary: "cancel an order; stock picked into its tote goes back by a posting",
                                        positionals: orderPositional, options: [
    .value("--reason", "R", "why (journaled with the cancel)", required: true),
    .value("--operator", "O", "who cancelled it (journaled)", required: true),
    .value("--return-to", "L", "where picked stock goes back from the order's tote (required when the tote holds any)"),
] + LedgerCLI.options, notes: """
    Refused for an order already shipped or cancelled. The return is a `move` from the tote, ref cancel/ORDER,
    with the order-status entry `cancelled` in the same transaction; `order show` counts it as returned.
    """) { args in
    let number = args.positional("ORDER") ?? ""
    guard let reason = args.value("--reason"), !reason.isEmpty else { throw args.usageError("--reason must not be empty") }
    guard let who = args.value("--operator"), !who.isEmpty else { throw args.usageError("--operator must not be empty") }
    guard let ledger = try LedgerCLI.open(args) else { return 1 }
    defer { ledger.close() }
    do {
        guard let (summary, _) = try OrderReports.show(ledger, number: number) else {
            LedgerCLI.fail("no order \(number) was imported; nothing cancelled")
            return 1
        }
        if summary.status.isFinal {
            LedgerCLI.fail("order \(number) is \(summary.status.rawValue); nothing cancelled")
            return 1
        }
        // Marked first, so no station picks or packs it while its tote is emptied;
        // a cancel that dies before its posting is simply run again.
        var marked = summary.order
        marked.cancelled = true
        try LedgerStationStores(ledger: ledger).store(asns: [], orders: [marked])
        let now = WallClock().now()
        var status = OrderJournal.statusChange(order: number, to: .cancelled, station: "cli", at: now, reason: reason)
        status.operatorID = who
        let held = try summary.order.tote.map { try ledger.balances(at: LocationCode($0)) } ?? []
        guard let tote = summary.order.tote, !held.isEmpty else {
            try ledger.recordJournal([status])
            LedgerCLI.emit("order \(number) cancelled (nothing was in a tote)\n")
            return 0
        }
        guard let back = args.value("--return-to") else {
            LedgerCLI.fail("tote \(tote) of order \(number) holds stock: give --return-to LOCATION; nothing cancelled")
            return 1
        }
        var request = PostingRequest(key: "cli/order-cancel/\(number)", kind: .move, ref: OrderReports.cancelRef(number), station: "cli",
                                     eventTime: .device(now), lines: held.map {
            PostingLine(item: $0.item, qty: $0.qty, from: LocationCode(tote), to: LocationCode(back), lot: $0.lot, serial: $0.serial)
        })
        request.operatorID = who; request.reason = reason
        request.journal = [status]
        let result = try ledger.postAndWait([request])
        guard let r = result.first, r.status != .rejected, let seq = r.seq else {
            LedgerCLI.fail("ledger refused the return from tote \(tote): \(result.first?.error ?? "no answer"); nothing cancelled")
            return 1
        }
        LedgerCLI.emit("order \(number) cancelled; \(held.reduce(0) { $0 + $1.qty }) units back from tote \(tote) to \(back) (seq \(seq))\n")
        return 0
    } catch {
        LedgerCLI.fail("\(error)")
        return 1
    }
}

let orderCommand = CommandSpec("order", summary: "one order: show its lines, or cancel it", subcommands: [showCommand, cancelCommand])
