import Foundation
import Ledger
import ScanModel

/// `scanledger backup DEST [--keep N]` and `scanledger restore SRC`
/// (docs/operations.md, "Backup and restore").
let backupCommand = CommandSpec("backup", summary: "copy the ledger online (the daemon may keep posting), checked, atomically",
                                positionals: [PositionalSpec("DEST", .required, "the backup file, or a directory ending in / for dated files")],
                                options: [
    .value("--keep", "N", "with DEST a directory: keep the N newest dated backups there, delete older ones"),
    LedgerCLI.databaseOption,
], notes: """
    Copies with SQLite's backup API from one snapshot, checks the copy (quick_check
    and the balance re-sum), then renames it into place. DEST ending in / (or an
    existing directory) gets ledger-YYYY-MM-DD.db (UTC date; a second backup on the
    same day replaces that day's file). Prints what it wrote; exit 1 on any failure.
    """) { args in
    let source = LedgerCLI.databasePath(args)
    let dest = args.positional("DEST") ?? ""
    var isDirectory: ObjCBool = false
    let toDirectory = dest.hasSuffix("/") || (FileManager.default.fileExists(atPath: dest, isDirectory: &isDirectory) && isDirectory.boolValue)
    var keep: Int?
    if let text = args.value("--keep") {
        guard let n = Int(text), n >= 1 else { throw args.usageError("--keep must be a number of backups, at least 1, not '\(text)'") }
        guard toDirectory else { throw args.usageError("--keep needs DEST to be a directory (end it with /)") }
        keep = n
    }
    let target = toDirectory ? BackupFiles.path(in: dest, date: Date()) : dest
    do {
        if toDirectory { try FileManager.default.createDirectory(atPath: dest, withIntermediateDirectories: true) }
        let r = try LedgerBackup.backup(source: source, to: target)
        LedgerCLI.emit("\(r.path): \(r.postings) postings, \(r.bytes) bytes, checked (quick_check, balances), \(String(format: "%.2f", r.seconds)) s\n")
        if let keep {
            for old in try BackupFiles.expired(in: dest, keep: keep) {
                try FileManager.default.removeItem(atPath: old)
                LedgerCLI.emit("deleted \(old) (keeping \(keep))\n")
            }
        }
        return 0
    } catch {
        LedgerCLI.fail("backup of \(source) failed: \(error)")
        return 1
    }
}

let restoreCommand = CommandSpec("restore", summary: "replace the ledger with a checked backup (scanledgerd must be stopped)",
                                 positionals: [PositionalSpec("SRC", .required, "the backup file")],
                                 options: [LedgerCLI.databaseOption], notes: """
    Refuses while scanledgerd runs on the ledger (it holds LEDGER.lock). Checks the
    backup (quick_check and the balance re-sum) before touching anything, then keeps
    the current file as LEDGER.before-restore and puts the copy in its place.
    """) { args in
    let ledger = LedgerCLI.databasePath(args)
    let source = args.positional("SRC") ?? ""
    do {
        let r = try LedgerBackup.restore(from: source, to: ledger)
        let kept = FileManager.default.fileExists(atPath: ledger + ".before-restore") ? "; the previous file is \(ledger).before-restore" : ""
        LedgerCLI.emit("\(ledger): restored from \(source), \(r.postings) postings, checked\(kept)\n")
        return 0
    } catch {
        LedgerCLI.fail("restore of \(ledger) from \(source) refused: \(error)")
        return 1
    }
}

/// Dated backup files in a directory, and which of them retention deletes.
enum BackupFiles {
    static let prefix = "ledger-", suffix = ".db"

    static func path(in directory: String, date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return (directory as NSString).appendingPathComponent(prefix + f.string(from: date) + suffix)
    }

    /// The dated backups beyond the `keep` newest. Counted in files, not
    /// calendar days, so nights when the backup failed never delete the last
    /// good copies; only names this command writes are considered.
    static func expired(in directory: String, keep: Int) throws -> [String] {
        let dated = try FileManager.default.contentsOfDirectory(atPath: directory).filter { name in
            guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return false }
            let date = Array(name.dropFirst(prefix.count).dropLast(suffix.count))   // YYYY-MM-DD
            return date.count == 10 && date.enumerated().allSatisfy { i, c in i == 4 || i == 7 ? c == "-" : c.isASCII && c.isNumber }
        }
        return dated.sorted(by: >).dropFirst(keep).map { (directory as NSString).appendingPathComponent($0) }
    }
}
