import Testing
import ScanModel

/// The one argument parser every executable uses, against a small tool
/// shaped like `scanledger`: a global option, plain commands, and a command
/// with its own actions.
@Suite struct ArgumentParserTests {
    struct NotRun: Error {}

    static let stock = CommandSpec("stock", summary: "on-hand stock", options: [
        .value("--location", "L", "only this location"),
        .value("--db", "PATH", "the ledger file"),
        .value("--tag", "T", "a tag", repeatable: true),
        .value("--format", "F", "output format", default: "table", choices: ["table", "csv"]),
        .value("--output", "FILE", aliases: ["-o"], "write here"),
        .flag("--json", "JSON"),
    ]) { _ in 0 }
    static let copy = CommandSpec("copy", summary: "copy files", positionals: [
        PositionalSpec("SOURCE", .oneOrMore, "what to copy"),
        PositionalSpec("TARGET", .required, "where to"),
    ]) { _ in 0 }
    static let kinds = CommandSpec("import", summary: "import", positionals: [
        PositionalSpec("KIND", .required, "what", choices: ["items", "locations"]),
        PositionalSpec("FILE", .optional, "from where"),
    ]) { _ in 0 }
    static let central = CommandSpec("central", summary: "central database",
                                     options: [.value("--central", "CONNINFO", "where"), .flag("--json", "JSON")],
                                     subcommands: [
        CommandSpec("status", summary: "lag per box", options: [.value("--central", "CONNINFO", "where"), .flag("--json", "JSON")]) { _ in 0 },
        CommandSpec("forward", summary: "send", options: [.value("--origin", "ID", "this box", required: true)]) { _ in 0 },
    ])
    static let tool = CommandSpec("tool", summary: "a test tool", options: [.value("--db", "PATH", "global ledger", repeatable: true)],
                                  subcommands: [stock, copy, kinds, central])

    static func parsed(_ args: [String]) throws -> ParsedArguments {
        guard case .run(let p) = try ArgumentParser.parse(tool, args) else { throw NotRun() }
        return p
    }

    static func error(_ args: [String]) -> ArgumentError? {
        do { _ = try ArgumentParser.parse(tool, args); return nil } catch { return error }
    }

    @Test func valuesBothSpellingsFlagsAliasesAndDefaults() throws {
        let p = try Self.parsed(["stock", "--location", "A-01", "--json", "-o", "out.txt", "--tag=x", "--tag", "y"])
        #expect(p.commandName == "tool stock")
        #expect(p.value("--location") == "A-01")
        #expect(p.flag("--json"))
        #expect(p.value("--output") == "out.txt")
        #expect(p.values("--tag") == ["x", "y"])
        #expect(p.value("--format") == "table")
        #expect(p.value("--db") == nil)
        let q = try Self.parsed(["stock", "--location=B=2", "--format=csv"])
        #expect(q.value("--location") == "B=2")
        #expect(q.value("--format") == "csv")
        #expect(!q.flag("--json"))
    }

    @Test func anOptionAfterTheCommandWinsOverTheGlobalOne() throws {
        #expect(try Self.parsed(["--db", "a", "--db", "b", "stock"]).value("--db") == "b")
        #expect(try Self.parsed(["--db", "a", "stock", "--db", "c"]).value("--db") == "c")
        // A command that does not declare it still sees the global value.
        #expect(try Self.parsed(["--db=g", "copy", "x", "y"]).value("--db") == "g")
    }

    @Test func helpAnywhereBeforeDoubleDashAsksForTheInnermostCommandsHelp() throws {
        guard case .help(let top) = try ArgumentParser.parse(Self.tool, ["--help"]) else { Issue.record("no help"); return }
        #expect(top.hasPrefix("usage: tool [--db PATH]… COMMAND [ARGS…]"))
        #expect(top.contains("\ncommands:\n  stock  ") && top.contains("  central  central database\n"))
        #expect(top.contains(ExitStatus.helpLine))
        guard case .help(let sub) = try ArgumentParser.parse(Self.tool, ["central", "status", "--json", "-h"]) else { Issue.record("no help"); return }
        #expect(sub.hasPrefix("usage: tool central status [--central CONNINFO] [--json]\n"), "\(sub)")
        guard case .help(let stock) = try ArgumentParser.parse(Self.tool, ["stock", "--help"]) else { Issue.record("no help"); return }
        #expect(stock.contains("-o, --output FILE") && stock.contains("(default: table)") && stock.contains("-h, --help"))
        #expect(stock.contains("--format table|csv"))
        // After `--`, `--help` is data.
        let p = try Self.parsed(["copy", "--", "--help", "-x", "t"])
        #expect(p.positionals("SOURCE") == ["--help", "-x"] && p.positional("TARGET") == "t")
    }

    @Test(arguments: [
        (["stock", "--lcoation", "x"], "tool stock: unknown option '--lcoation' (did you mean --location?)"),
        (["stock", "--zzz"], "tool stock: unknown option '--zzz'"),
        (["stock", "-x"], "tool stock: unknown option '-x'"), // not a slip of -h or -o
        (["stock", "--location"], "tool stock: --location needs a value (L)"),
        (["stock", "--location", "--json"], "tool stock: --location needs a value (L)"),
        (["stock", "--json=yes"], "tool stock: --json takes no value"),
        (["stock", "--location", "a", "--location", "b"], "tool stock: --location given twice ('a' and 'b'); give it once"),
        (["stock", "--format", "xml"], "tool stock: --format must be one of table, csv, not 'xml'"),
        (["stock", "extra"], "tool stock: unexpected argument 'extra'"),
        (["copy", "x"], "tool copy: missing TARGET"),
        (["copy"], "tool copy: missing SOURCE"),
        (["import", "itmes"], "tool import: KIND must be one of items, locations, not 'itmes' (did you mean items?)"),
        (["import", "items", "f", "g"], "tool import: unexpected argument 'g'"),
        (["stcok"], "tool: unknown command 'stcok' (did you mean stock?); commands: stock, copy, import, central"),
        ([], "tool: missing command: say stock, copy, import, central"),
        (["central"], "tool central: missing command: say status, forward"),
        (["central", "--origin", "x", "forward"], "tool central: unknown option '--origin' (central forward takes it: give it after 'forward')"),
        (["central", "forward", "--central", "x"], "tool central forward: unknown option '--central'"),
        (["central", "forward"], "tool central forward: missing --origin ID"),
    ])
    func badCommandLinesNameWhatIsWrong(_ args: [String], _ message: String) {
        #expect(Self.error(args)?.description == message)
    }

    @Test func usageErrorCarriesTheSynopsisOfTheCommandItIsAbout() {
        #expect(Self.error(["copy"])?.usage == "usage: tool copy SOURCE… TARGET")
        #expect(Self.error(["import", "x"])?.usage == "usage: tool import items|locations [FILE]")
        #expect(Self.error(["central", "forward"])?.usage == "usage: tool central forward --origin ID")
    }

    @Test func positionalsFillLeftToRightLeavingRoomForRequiredOnes() throws {
        let p = try Self.parsed(["copy", "a", "b", "c"])
        #expect(p.positionals("SOURCE") == ["a", "b"] && p.positional("TARGET") == "c")
        let q = try Self.parsed(["import", "items"])
        #expect(q.positional("KIND") == "items" && q.positional("FILE") == nil)
        // A lone dash is stdin, a positional.
        #expect(try Self.parsed(["import", "locations", "-"]).positional("FILE") == "-")
    }

    @Test func parentOptionsAreSeenBySubcommandsAndTheInnerOneWins() throws {
        #expect(try Self.parsed(["central", "--central", "a", "status"]).value("--central") == "a")
        #expect(try Self.parsed(["central", "--central", "a", "status", "--central", "b"]).value("--central") == "b")
        #expect(try Self.parsed(["central", "status"]).value("--central") == nil)
        #expect(try Self.parsed(["central", "--json", "status"]).flag("--json"))
        #expect(try Self.parsed(["central", "status", "--json"]).flag("--json"))
        #expect(try !Self.parsed(["central", "status"]).flag("--json"))
        #expect(try Self.parsed(["central", "forward", "--origin", "o"]).value("--origin") == "o")
    }

    @Test func typedValuesAreCheckedWithTheOptionNamed() throws {
        let spec = CommandSpec("t", summary: "", options: [.value("--since", "SEQ", "from"), .value("--seconds", "N", "how long")]) { _ in 0 }
        func parsed(_ args: [String]) throws -> ParsedArguments {
            guard case .run(let p) = try ArgumentParser.parse(spec, args) else { throw NotRun() }
            return p
        }
        #expect(try parsed(["--since", "7"]).int("--since", in: 0...Int.max) == 7)
        #expect(try parsed([]).int("--since") == nil)
        #expect(throws: ArgumentError.self) { try parsed(["--since", "-1"]).int("--since", in: 0...Int.max) }
        do {
            _ = try parsed(["--seconds", "soon"]).positiveDouble("--seconds")
            Issue.record("no error")
        } catch {
            #expect("\(error)" == "t: --seconds wants a positive number, not 'soon'")
        }
        #expect(try parsed(["--seconds", "1.5"]).positiveDouble("--seconds") == 1.5)
    }
}
