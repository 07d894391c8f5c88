import Foundation
import Ledger

/// `scanledger verify`: re-checks balances, triggers, sequence and invariants; exit 1 when anything is off.
let verifyCommand = Command(name: "verify", summary: "check the ledger's invariants; non-zero exit with a report if broken") { argv in
    let args: LedgerCLI.Arguments
    do { args = try LedgerCLI.parse(argv, options: [], flags: []) } catch {
        return LedgerCLI.usage("verify", "[--db PATH]", "\(error)")
    }
    guard args.positionals.isEmpty else { return LedgerCLI.usage("verify", "[--db PATH]", "unexpected argument \(args.positionals[0])") }
    guard let ledger = LedgerCLI.open(args) else { return 1 }
    defer { ledger.close() }
    let report: VerifyReport
    do { report = try ledger.verify() } catch {
        LedgerCLI.fail("verify failed: \(error)")
        return 1
    }
    let summary = "\(args.databasePath): \(report.postings) postings, \(report.entries) entries, \(report.accounts) accounts"
    if report.ok {
        LedgerCLI.emit("\(summary): OK\n")
        return 0
    }
    var text = "\(summary): \(report.problems.count) problem(s)\n"
    for p in report.problems { text += "  \(p)\n" }
    FileHandle.standardError.write(Data(text.utf8))
    return 1
}
