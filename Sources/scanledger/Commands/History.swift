import Foundation
import Ledger
import ScanModel

/// `scanledger history (--item I | --location L | --epc E | --ref R) [--json]`
let historyCommand = CommandSpec("history", summary: "movements of an item, location, EPC or document", options: [
    .value("--item", "I", "movements of this item"),
    .value("--location", "L", "movements in and out of this location"),
    .value("--epc", "E", "movements of this tagged unit"),
    .value("--ref", "R", "postings of this document (ASN, order, count)"),
    .flag("--json", "print a JSON array"),
] + LedgerCLI.options, notes: "Give exactly one of --item, --location, --epc, --ref.") { args in
    let given = ["--item", "--location", "--epc", "--ref"].filter { args.value($0) != nil }
    guard given.count == 1, let value = args.value(given[0]) else {
        throw args.usageError("give exactly one of --item, --location, --epc, --ref")
    }
    let filter: HistoryFilter
    switch given[0] {
    case "--item": filter = .item(value)
    case "--location": filter = .location(value)
    case "--epc": filter = .epc(value)
    default: filter = .ref(value)
    }
    guard let ledger = try LedgerCLI.open(args) else { return 1 }
    defer { ledger.close() }
    let rows: [HistoryRow]
    do { rows = try ledger.history(filter) } catch {
        LedgerCLI.fail("\(error)")
        return 1
    }
    if args.flag("--json") {
        LedgerCLI.emit("[" + rows.map(historyJSON).joined(separator: ",") + "]\n")
    } else {
        var out = "SEQ      KIND        LOCATION     ITEM             LOT/SERIAL        QTY  EVENT TIME                 KEY\n"
        for r in rows {
            out += [String(r.seq.value).padding(toLength: 8, withPad: " ", startingAt: 0), r.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0),
                    r.location.padding(toLength: 12, withPad: " ", startingAt: 0), r.item.padding(toLength: 16, withPad: " ", startingAt: 0),
                    (r.lot ?? r.serial ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0), String(r.qty).leftPadded(8),
                    (r.eventTime ?? "-").padding(toLength: 26, withPad: " ", startingAt: 0), r.key].joined(separator: " ") + "\n"
        }
        LedgerCLI.emit(out)
    }
    return 0
}

func historyJSON(_ r: HistoryRow) -> String {
    JSONText.object([
        ("seq", String(r.seq.value)), ("key", JSONText.quote(r.key)), ("kind", JSONText.quote(r.kind.rawValue)),
        ("ref", JSONText.quote(r.ref)), ("station", JSONText.quote(r.station)), ("device", JSONText.quote(r.device)),
        ("event_time", JSONText.quote(r.eventTime)), ("commit_time_us", String(r.commitTimeMicros)),
        ("reverses", JSONText.number(r.reverses?.value)), ("location", JSONText.quote(r.location)), ("item", JSONText.quote(r.item)),
        ("lot", JSONText.quote(r.lot)), ("serial", JSONText.quote(r.serial)), ("epc", JSONText.quote(r.epc)), ("qty", String(r.qty)),
    ])
}
