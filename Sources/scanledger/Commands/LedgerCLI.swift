import Foundation
import Ledger

/// Shared argument handling for the ledger subcommands (post, stock, history,
/// verify, reverse, import, export): `--db PATH` everywhere, default from
/// SCANLEDGER_DB, else the system state directory.
enum LedgerCLI {
    static let defaultDatabase = "/var/lib/scanledger/ledger.db"

    struct UsageError: Error, CustomStringConvertible { let message: String; var description: String { message } }

    struct Arguments {
        var options: [String: String] = [:]
        var flags: Set<String> = []
        var positionals: [String] = []

        var databasePath: String {
            options["--db"] ?? ProcessInfo.processInfo.environment["SCANLEDGER_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? LedgerCLI.defaultDatabase
        }
    }

    /// Splits `args` into options taking a value, flags, and positionals.
    static func parse(_ args: [String], options: Set<String>, flags: Set<String>) throws(UsageError) -> Arguments {
        var out = Arguments()
        let allOptions = options.union(["--db", "--synchronous"])
        var i = 0
        while i < args.count {
            let a = args[i]
            if let eq = a.firstIndex(of: "="), a.hasPrefix("--"), allOptions.contains(String(a[..<eq])) {
                out.options[String(a[..<eq])] = String(a[a.index(after: eq)...])
            } else if allOptions.contains(a) {
                guard i + 1 < args.count else { throw UsageError(message: "\(a) needs a value") }
                out.options[a] = args[i + 1]
                i += 1
            } else if flags.contains(a) {
                out.flags.insert(a)
            } else if a.hasPrefix("--") {
                throw UsageError(message: "unknown option \(a)")
            } else {
                out.positionals.append(a)
            }
            i += 1
        }
        _ = try self.options(out) // reject a bad --synchronous as a usage error
        return out
    }

    static func options(_ args: Arguments) throws(UsageError) -> LedgerOptions {
        var o = LedgerOptions()
        switch args.options["--synchronous"]?.lowercased() {
        case nil, "full": o.synchronous = .full
        case "normal": o.synchronous = .normal
        case let other?: throw UsageError(message: "--synchronous must be full or normal, not '\(other)'")
        }
        return o
    }

    /// Opens the ledger or explains why not (exit code 1).
    static func open(_ args: Arguments) -> Ledger? {
        let path = args.databasePath
        let options: LedgerOptions
        do { options = try self.options(args) } catch {
            fail(error.message); return nil
        }
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

    static func fail(_ message: String) {
        FileHandle.standardError.write(Data("scanledger: \(message)\n".utf8))
    }

    static func usage(_ command: String, _ synopsis: String, _ message: String) -> Int32 {
        FileHandle.standardError.write(Data("scanledger \(command): \(message)\nusage: scanledger \(command) \(synopsis)\n".utf8))
        return 2
    }

    /// Writes straight to fd 1 so nothing sits in a buffer when we are killed.
    static func emit(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
