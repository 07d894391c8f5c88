import Foundation
import ScanModel
import Testing

/// Every executable answers `--help` with its usage and exit 0, and a bad
/// command line with exit 2 and a message naming what was wrong. The list of
/// subcommands comes from the binary's own help, so a command added later is
/// covered without touching this file.
@Suite struct UsageCLITests {
    /// The words listed under "commands:" in a help text: the first word of
    /// each indented line up to the next blank line.
    static func listedCommands(_ help: String) -> [String] {
        var names: [String] = []
        var inList = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("commands:") { inList = true; continue }
            guard inList else { continue }
            guard line.hasPrefix("  "), let word = line.split(separator: " ").first else { inList = false; continue }
            names.append(String(word))
        }
        return names
    }

    @Test func topLevelHelpListsEveryCommandOnStdout() throws {
        let out = try CLI.run("scanledger", ["--help"])
        #expect(out.status == 0)
        let names = Self.listedCommands(out.stdout)
        #expect(names.contains("stock") && names.contains("central") && names.contains("decode"), "\(out.stdout)")
        #expect(out.stdout.contains("exit codes"), "\(out.stdout)")
        #expect(try CLI.run("scanledger", ["-h"]).stdout == out.stdout)
    }

    /// `scanledger CMD --help` and, for commands with their own actions
    /// (`central stock --help`), every action too.
    @Test func everySubcommandAnswersHelpWithUsageAndExitZero() throws {
        let top = try CLI.run("scanledger", ["--help"])
        // Read both streams: the list must be found even where help went to stderr.
        var pending = Self.listedCommands(top.stdout + top.stderr).map { [$0] }
        #expect(pending.count >= 20, "\(top.stdout)\(top.stderr)")
        var checked = 0
        while let path = pending.popLast() {
            for help in ["--help", "-h"] {
                let out = try CLI.run("scanledger", path + [help], stdin: Data())
                let name = "scanledger " + path.joined(separator: " ")
                #expect(out.status == 0, "\(name) \(help) exited \(out.status): \(out.stderr)")
                #expect(out.stdout.hasPrefix("usage: \(name)"), "\(name) \(help) printed: \(out.stdout)\(out.stderr)")
                #expect(out.stdout.contains("exit codes"), "\(name) \(help)")
                if help == "--help" { pending += Self.listedCommands(out.stdout).map { path + [$0] } }
            }
            checked += 1
        }
        #expect(checked > 21) // the commands and at least one command's actions
    }

    /// docs/cli.md has a section for every command the binary lists, with its current usage line.
    @Test func theCLIDocumentCoversEveryCommand() throws {
        let doc = try String(contentsOf: CLI.repoRoot.appendingPathComponent("docs/cli.md"), encoding: .utf8)
        let names = Self.listedCommands(try CLI.run("scanledger", ["--help"]).stdout)
        #expect(!names.isEmpty)
        for name in names {
            #expect(doc.contains("### `scanledger \(name)`"), "docs/cli.md has no section for \(name)")
            // The usage line as the binary prints it: an option added or renamed shows up here.
            let usage = try CLI.run("scanledger", [name, "--help"]).lines.first ?? "?"
            #expect(doc.contains(usage + "\n"), "docs/cli.md is missing or has an old '\(usage)'")
        }
        #expect(doc.contains(ExitStatus.helpLine))
    }

    @Test func unknownCommandIsAUsageErrorNamingIt() throws {
        let out = try CLI.run("scanledger", ["stcok"])
        #expect(out.status == 2)
        #expect(out.stderr.contains("unknown command 'stcok'") && out.stderr.contains("did you mean stock?"), "\(out.stderr)")
        let none = try CLI.run("scanledger", [])
        #expect(none.status == 2 && none.stderr.contains("usage: scanledger"), "\(none.stderr)")
    }

    @Test(arguments: [
        (["stock", "--lcoation", "A-01"], "unknown option '--lcoation' (did you mean --location?)"),
        (["status", "--bogus"], "unknown option '--bogus'"),
        (["replay", "--bogus"], "unknown option '--bogus'"),
        (["central", "stock", "--frob"], "scanledger central stock: unknown option '--frob'"),
        (["decode", "--frobnicate"], "unknown option '--frobnicate'"),
        (["version", "--json"], "unknown option '--json'"),
    ])
    func unknownOptionExitsTwoNamingIt(_ args: [String], _ message: String) throws {
        let out = try CLI.run("scanledger", args, stdin: Data())
        #expect(out.status == 2, "\(args)")
        #expect(out.stderr.contains(message), "\(out.stderr)")
        #expect(out.stdout.isEmpty)
    }

    @Test(arguments: [
        (["stock", "--location"], "--location needs a value"),
        (["export", "--format"], "--format needs a value"),
        (["capture", "/dev/null", "--seconds"], "--seconds needs a value"),
        (["simulate", "--links"], "--links needs a value"),
        (["--db"], "--db needs a value"),
        (["watch", "--station", "--json"], "--station needs a value"),
    ])
    func missingValueExitsTwoNamingTheOption(_ args: [String], _ message: String) throws {
        let out = try CLI.run("scanledger", args, stdin: Data())
        #expect(out.status == 2, "\(args)")
        #expect(out.stderr.contains(message), "\(out.stderr)")
    }

    @Test(arguments: [
        (["check-config"], "missing FILE"),
        (["check-config", "a.json", "b.json"], "unexpected argument 'b.json'"),
        (["reverse", "--key", "k"], "missing SEQ"),
        (["reverse", "7"], "missing --key KEY"),
        (["export"], "missing --format FORMAT"),
        (["import", "pallets", "x.csv"], "KIND must be one of items, locations, asn, orders, rmas, not 'pallets'"),
        (["export", "--format", "xml"], "--format must be one of csv, epcis, json, not 'xml'"),
        (["verify", "extra"], "unexpected argument 'extra'"),
    ])
    func positionalsAndChoicesAreCheckedByName(_ args: [String], _ message: String) throws {
        let out = try CLI.run("scanledger", args, stdin: Data())
        #expect(out.status == 2, "\(args)")
        #expect(out.stderr.contains(message), "\(out.stderr)")
    }

    @Test func optionValueMayFollowAnEqualsSignAndDoubleDashEndsOptions() throws {
        let eq = try CLI.run("scanledger", ["export", "--format=xml"])
        #expect(eq.status == 2 && eq.stderr.contains("not 'xml'"), "\(eq.stderr)")
        // After `--` a leading dash is data: decode reports it as a failed input (1), not a usage error (2).
        let data = try CLI.run("scanledger", ["decode", "--epc", "--", "-12", "--help"])
        #expect(data.status == 1, "\(data.stderr)")
        #expect(data.json.map { $0["input"] as? String } == ["-12", "--help"])
    }

    /// The global `--db` before the command, and a `--db` after it winning.
    @Test func globalDatabaseOptionReachesTheCommand() throws {
        let global = try CLI.run("scanledger", ["--db", "/nonexistent-a/l.db", "verify"])
        #expect(global.status == 1 && global.stderr.contains("/nonexistent-a does not exist"), "\(global.stderr)")
        let both = try CLI.run("scanledger", ["--db=/nonexistent-a/l.db", "verify", "--db", "/nonexistent-b/l.db"])
        #expect(both.status == 1 && both.stderr.contains("/nonexistent-b does not exist"), "\(both.stderr)")
        let twice = try CLI.run("scanledger", ["verify", "--db", "a.db", "--db", "b.db"])
        #expect(twice.status == 2 && twice.stderr.contains("--db given twice"), "\(twice.stderr)")
    }

    @Test func versionStillPrints() throws {
        let out = try CLI.run("scanledger", ["version"])
        #expect(out.status == 0 && !out.stdout.isEmpty)
    }

    @Test func daemonAnswersHelpAndRejectsBadArguments() throws {
        let help = try CLI.run("scanledgerd", ["--help"])
        #expect(help.status == 0 && help.stdout.hasPrefix("usage: scanledgerd"), "\(help.stdout)\(help.stderr)")
        #expect(help.stdout.contains("exit codes"))
        let bad = try CLI.run("scanledgerd", ["--confg", "x.json"])
        #expect(bad.status == 2 && bad.stderr.contains("unknown option '--confg' (did you mean --config?)"), "\(bad.stderr)")
        let missing = try CLI.run("scanledgerd", ["--config"])
        #expect(missing.status == 2 && missing.stderr.contains("--config needs a value"), "\(missing.stderr)")
        let none = try CLI.run("scanledgerd", [])
        #expect(none.status == 2 && none.stderr.contains("missing --config FILE"), "\(none.stderr)")
    }

    @Test func benchAnswersHelpAndListsBenchmarks() throws {
        let help = try CLI.run("scanledger-bench", ["--help"])
        #expect(help.status == 0 && help.stdout.hasPrefix("usage: scanledger-bench"), "\(help.stdout)\(help.stderr)")
        #expect(help.stdout.contains("decode-epc"))
        let list = try CLI.run("scanledger-bench", ["--list"])
        #expect(list.status == 0 && list.lines.contains("decode-epc") && list.lines.contains("soak"))
        let unknown = try CLI.run("scanledger-bench", ["decode-epx"])
        #expect(unknown.status == 2 && unknown.stderr.contains("'decode-epx'") && unknown.stderr.contains("decode-epc"), "\(unknown.stderr)")
        let bad = try CLI.run("scanledger-bench", ["--lst"])
        #expect(bad.status == 2 && bad.stderr.contains("unknown option '--lst'"), "\(bad.stderr)")
    }
}
