import Foundation
import Ledger
import ScanModel

/// What the ledger subcommands (post, stock, history, verify, reverse,
/// import, export, central forward) share: `--db PATH` everywhere, default
/// from SCANLEDGER_DB, else the system state directory; `--synchronous`.
enum LedgerCLI {
    static let defaultDatabase = "/var/lib/scanledger/ledger.db"

    /// The options every ledger command declares after its own.
    static let options: [OptionSpec] = [
        databaseOption,
        .value("--synchronous", "full|normal", "SQLite durability: full survives power loss, normal only a crash (default: full)"),
    ]

    /// `--db` alone, for commands that copy files and do not write postings (backup, restore).
    static let databaseOption: OptionSpec = .value("--db", "PATH", "the ledger file (default: SCANLEDGER_DB, else \(defaultDatabase))")

    /// `--db` after the command, else the global `scanledger --db`, else SCANLEDGER_DB, else the default.
    static func databasePath(_ args: ParsedArguments) -> String {
        args.value("--db") ?? ProcessInfo.processInfo.environment["SCANLEDGER_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultDatabase
    }

    static func options(_ args: ParsedArguments) throws(ArgumentError) -> LedgerOptions {
        var o = LedgerOptions()
        switch args.value("--synchronous")?.lowercased() {
        case nil, "full": o.synchronous = .full
        case "normal": o.synchronous = .normal
        case let other?: throw args.usageError("--synchronous must be full or normal, not '\(other)'")
        }
        return o
    }

    /// Opens the ledger, or explains why not and returns nil (exit code 1);
    /// a bad `--synchronous` is a usage error (exit 2).
    static func open(_ args: ParsedArguments) throws(ArgumentError) -> Ledger? {
        let path = databasePath(args)
        let options = try self.options(args)
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            fail("database directory \(directory) does not exist; create it or pass --db PATH (or set SCANLEDGER_DB)")
            return nil
        }
        do { return try Ledger(path: path, options: options) } catch {
            fail("cannot open ledger \(path): \(error)")
            return nil
        }
    }

    /// Opens the ledger, reads from it and closes it; nil (exit 1) when it
    /// cannot be opened or the read fails, each already reported on stderr.
    static func read<T>(_ args: ParsedArguments, _ body: (Ledger) throws -> T) throws(ArgumentError) -> T? {
        guard let ledger = try open(args) else { return nil }
        defer { ledger.close() }
        do { return try body(ledger) } catch {
            fail("\(error)")
            return nil
        }
    }

    static func fail(_ message: String) {
        FileHandle.standardError.write(Data("scanledger: \(message)\n".utf8))
    }

    /// Writes straight to fd 1 so nothing sits in a buffer when we are killed.
    static func emit(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
