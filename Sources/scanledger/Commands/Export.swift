import Foundation
import Ledger
import ScanModel

/// `scanledger export [entries] --format csv|epcis [--since SEQ]` and
/// `scanledger export shipments --format json|csv|epcis [--since TIME]`: writes to stdout.
let exportCommand = CommandSpec("export", summary: "export entries as CSV or an EPCIS 2.0 JSON-LD document, or shipments as JSON, CSV or an EPCIS ship notice",
                                positionals: [PositionalSpec("WHAT", .optional, "entries (default) or shipments", choices: ["entries", "shipments"])],
                                options: [
    .value("--format", "FORMAT", "what to write: csv or epcis for entries, json, csv or epcis (the ship notice) for shipments", choices: ["csv", "epcis", "json"], required: true),
    .value("--since", "SEQ|TIME", "entries: only postings after this sequence number (default: 0, everything); shipments: confirmed at or after TIME (2026-12-03T08:00:00Z, 2026-12-03, or 90m, 24h, 7d back)"),
] + LedgerCLI.options, notes: "Writes to stdout. A shipment: seq, time, station, order, sscc, pallet, carrier, service, tracking and its lines (CSV: one row per line); epcis: an ObjectEvent per shipment and an AggregationEvent per pallet (docs/ledger.md).") { args in
    let format = args.value("--format") ?? ""
    if args.positional("WHAT") == "shipments" { return try exportShipments(args, format: format) }
    guard format != "json" else { throw args.usageError("--format json is for shipments; entries are csv or epcis") }
    let since = LedgerSequence(Int64(try args.int("--since", in: 0...Int.max) ?? 0))
    guard let ledger = try LedgerCLI.open(args) else { return 1 }
    defer { ledger.close() }
    do {
        let text = try ledger.read { format == "csv" ? try $0.exportCSV(since: since) : try $0.exportEPCIS(since: since) }
        LedgerCLI.emit(text)
        return 0
    } catch {
        LedgerCLI.fail("export failed: \(error)")
        return 1
    }
}

/// Shipments from the `shipped` journal entries of ship postings that stand.
private func exportShipments(_ args: ParsedArguments, format: String) throws -> Int32 {
    var since = Microseconds.zero
    if let text = args.value("--since") {
        do { since = try JournalQuery.since(text, now: WallClock().now()) } catch { throw args.usageError("--since: \(error)") }
    }
    if format == "epcis" {
        guard let notice = try LedgerCLI.read(args, { ledger in try ledger.read { try $0.shipNotice(since: since) } }) else { return 1 }
        LedgerCLI.emit(notice)
        return 0
    }
    guard let rows = try LedgerCLI.read(args, { ledger in try ledger.read { try $0.shipments(since: since) } }) else { return 1 }
    if format == "json" {
        LedgerCLI.emit("[" + rows.map(\.jsonText).joined(separator: ",") + "]\n")
    } else {
        LedgerCLI.emit(CSV.record(ShipmentRow.csvHeader) + rows.map(\.csvRecords).joined())
    }
    return 0
}
