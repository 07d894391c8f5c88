import Foundation
import Ledger
import ScanModel

/// `scanledger export --format csv|epcis [--since SEQ]`: writes to stdout.
let exportCommand = CommandSpec("export", summary: "export entries as CSV or an EPCIS 2.0 JSON-LD document", options: [
    .value("--format", "FORMAT", "what to write", choices: ["csv", "epcis"], required: true),
    .value("--since", "SEQ", "only postings after this sequence number (default: 0, everything)"),
] + LedgerCLI.options, notes: "Writes to stdout.") { args in
    let format = args.value("--format") ?? ""
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
