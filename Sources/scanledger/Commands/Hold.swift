import Foundation
import Ledger
import ScanModel

// `scanledger hold lot ITEM LOT --reason R` and `scanledger release lot ITEM
// LOT --reason R`: put a whole lot on hold (a recall) and take it off again.
// Held stock at quarantine/damaged locations leaves through postings instead
// (`scanledger post` with kind release or scrap), so there is one way each.

private let lotPositionals = [
    PositionalSpec("ITEM", .required, "the item: GTIN or SKU (lot-tracked)"),
    PositionalSpec("LOT", .required, "the lot"),
]

private func lotOptions(_ verb: String) -> [OptionSpec] {
    [.value("--reason", "R", "why (the recall or inspection); journaled with the \(verb)", required: true),
     .value("--operator", "O", "who decided it (journaled)"),
     .value("--station", "S", "the station recorded in the journal (default: cli)")] + LedgerCLI.options
}

/// Runs one hold or release and prints what changed; exit 1 when the ledger refused it.
private func runLotCommand(_ args: ParsedArguments, hold: Bool) throws -> Int32 {
    let item = ItemCode(args.positional("ITEM") ?? ""), lot = args.positional("LOT") ?? ""
    guard let reason = args.value("--reason"), !reason.isEmpty else { throw args.usageError("--reason must not be empty") }
    guard let ledger = try LedgerCLI.open(args) else { return 1 }
    defer { ledger.close() }
    let station = args.value("--station") ?? "cli", who = args.value("--operator")
    do {
        if hold {
            let changed = try ledger.holdLot(item: item, lot: lot, reason: reason, operatorID: who, station: station)
            LedgerCLI.emit(changed ? "lot \(lot) of item \(item) is on hold: moves, picks and packs of it are refused\n"
                                   : "lot \(lot) of item \(item) was already on hold (the first hold's reason stands)\n")
            return 0
        }
        guard try ledger.releaseLot(item: item, lot: lot, reason: reason, operatorID: who, station: station) else {
            LedgerCLI.fail("lot \(lot) of item \(item) is not on hold; nothing released")
            return 1
        }
        LedgerCLI.emit("lot \(lot) of item \(item) released from hold\n")
        return 0
    } catch {
        LedgerCLI.fail("\(error)")
        return 1
    }
}

/// `hold lot` or `release lot`: the same words, the opposite change.
private func lotCommand(hold: Bool) -> CommandSpec {
    CommandSpec("lot", summary: hold ? "put lot LOT of ITEM on hold, wherever its units are" : "release lot LOT of ITEM from hold",
                positionals: lotPositionals, options: lotOptions(hold ? "hold" : "release"), notes: hold
                    ? "Journaled as `lot-held`. `scanledger release lot` ends it."
                    : """
                    Journaled as `lot-released`. Stock at a quarantine or damaged location is released with
                    a posting instead: `scanledger post` with "kind":"release" (docs/ledger.md).
                    """) { args in
        try runLotCommand(args, hold: hold)
    }
}

let holdCommand = CommandSpec("hold", summary: "put a lot on hold (a recall): every unit of it is refused by moves, picks and packs",
                              subcommands: [
    lotCommand(hold: true),
    CommandSpec("list", summary: "the lots on hold now, one per line: item, lot, since, operator, reason",
                options: LedgerCLI.options) { args in
        guard let ledger = try LedgerCLI.open(args) else { return 1 }
        defer { ledger.close() }
        do {
            for h in try ledger.lotHolds() {
                LedgerCLI.emit("\(h.item)\t\(h.lot)\t\(EventTime.utcText(micros: h.sinceMicros))\t\(h.operatorID ?? "-")\t\(h.reason)\n")
            }
            return 0
        } catch {
            LedgerCLI.fail("\(error)")
            return 1
        }
    },
])

let releaseCommand = CommandSpec("release", summary: "release a held lot so it can be moved, picked and packed again",
                                 subcommands: [lotCommand(hold: false)])
