import Foundation
import Ledger
import ScanModel

/// `scanledger export --format csv|epcis [--since SEQ]`: writes to stdout.
let exportCommand = Command(name: "export", summary: "export entries as CSV or an EPCIS 2.0 JSON-LD document") { argv in
    let synopsis = "--format csv|epcis [--since SEQ] [--db PATH]"
    let args: LedgerCLI.Arguments
    do { args = try LedgerCLI.parse(argv, options: ["--format", "--since"], flags: []) } catch {
        return LedgerCLI.usage("export", synopsis, "\(error)")
    }
    guard args.positionals.isEmpty else { return LedgerCLI.usage("export", synopsis, "unexpected argument \(args.positionals[0])") }
    guard let format = args.options["--format"], format == "csv" || format == "epcis" else {
        return LedgerCLI.usage("export", synopsis, "--format must be csv or epcis")
    }
    var since = LedgerSequence(0)
    if let s = args.options["--since"] {
        guard let n = Int64(s), n >= 0 else { return LedgerCLI.usage("export", synopsis, "--since must be a sequence number") }
        since = LedgerSequence(n)
    }
    guard let ledger = LedgerCLI.open(args) else { return 1 }
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
