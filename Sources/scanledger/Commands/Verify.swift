import Foundation
import Ledger
import ScanModel

/// `scanledger verify [--deep]`: re-checks balances, triggers, sequence and invariants; exit 1 when anything is off.
let verifyCommand = CommandSpec("verify", summary: "check the ledger's invariants; non-zero exit with a report if broken",
                                options: [
    .flag("--deep", "run SQLite's full integrity_check (indexes too) instead of quick_check, without opening the ledger for writing"),
] + LedgerCLI.options, notes: "Exit 1, with every problem on stderr, when anything is off.") { args in
    let report: VerifyReport
    if args.flag("--deep") {
        // A possibly damaged file: read it only (no migrations, no writer).
        let path = LedgerCLI.databasePath(args)
        guard FileManager.default.fileExists(atPath: path) else { LedgerCLI.fail("\(path) does not exist"); return 1 }
        do { report = try LedgerReader(path: path).verify(check: .full) } catch {
            LedgerCLI.fail("verify --deep of \(path) failed: \(error)")
            return 1
        }
    } else {
        guard let ledger = try LedgerCLI.open(args) else { return 1 }
        defer { ledger.close() }
        do { report = try ledger.verify() } catch {
            LedgerCLI.fail("verify failed: \(error)")
            return 1
        }
    }
    let summary = "\(LedgerCLI.databasePath(args)): \(report.postings) postings, \(report.entries) entries, \(report.accounts) accounts"
    if report.ok {
        LedgerCLI.emit("\(summary): OK\n")
        return 0
    }
    var text = "\(summary): \(report.problems.count) problem(s)\n"
    for p in report.problems { text += "  \(p)\n" }
    FileHandle.standardError.write(Data(text.utf8))
    return 1
}
