import Foundation
import Forwarding
import Ledger
import ScanModel

/// `scanledger central init|stock|status|forward`: the central PostgreSQL.
/// The connection string comes from `--central` or SCANLEDGER_CENTRAL (a
/// libpq conninfo, URI or `service=NAME`); the password only from a file
/// (`--password-file`, SCANLEDGER_CENTRAL_PASSWORD_FILE, or libpq's PGPASSFILE / ~/.pgpass).
let centralCommand = CommandSpec("central", summary: "central PostgreSQL: init (schema), stock, status (lag per box), forward",
                                 options: CentralCLI.connection, subcommands: [
    CentralCLI.action("init", "create or migrate the central schema") { settings, _ in CentralCLI.initialize(settings) },
    CentralCLI.action("stock", "stock per site (or per box with --by-origin)", options: [
        .value("--site", "S", "only this site"),
        .flag("--by-origin", "per box instead of per site"),
        .value("--origin", "O", "with --by-origin: only this box"),
        .value("--location", "L", "only this location"),
        .value("--item", "I", "only this item"),
        .flag("--json", "print a JSON array"),
    ]) { settings, args in CentralCLI.stock(settings, args) },
    CentralCLI.action("status", "each box's forwarding lag", options: [.flag("--json", "print a JSON array")]) { settings, args in
        CentralCLI.status(settings, json: args.flag("--json"))
    },
    CentralCLI.action("forward", "send every pending posting of this box once, then exit", options: [
        .value("--origin", "ID", "this box's id in the central database", required: true),
        .value("--site", "S", "this box's site", default: "default"),
        .value("--batch", "N", "postings per COPY batch", default: "5000"),
    ] + LedgerCLI.options) { settings, args in
        let origin = args.value("--origin") ?? ""
        let batchSize = try args.int("--batch", in: 1...Int.max) ?? 5_000
        return try CentralCLI.forward(settings, args, origin: origin, batchSize: batchSize)
    },
], notes: """
    The connection comes from --central or SCANLEDGER_CENTRAL (a libpq conninfo,
    URI or service=NAME); the password only from a file: --password-file,
    SCANLEDGER_CENTRAL_PASSWORD_FILE, or libpq's PGPASSFILE / ~/.pgpass.
    See docs/forwarding.md.
    """)

enum CentralCLI {
    /// Declared by `central` and by each action, so they work before or after the action's name.
    static let connection: [OptionSpec] = [
        .value("--central", "CONNINFO", "the central database (default: SCANLEDGER_CENTRAL)"),
        .value("--password-file", "PATH", "file holding the password (default: SCANLEDGER_CENTRAL_PASSWORD_FILE)"),
    ]

    /// An action: its options plus the connection ones; a bad connection string is a usage error.
    static func action(_ name: String, _ summary: String, options: [OptionSpec] = [],
                       _ body: @escaping @Sendable (CentralConnectionSettings, ParsedArguments) throws -> Int32) -> CommandSpec {
        CommandSpec(name, summary: summary, options: options + connection) { args in
            let env = ProcessInfo.processInfo.environment
            let conninfo = args.value("--central") ?? env["SCANLEDGER_CENTRAL"] ?? ""
            let passwordFile = args.value("--password-file") ?? env["SCANLEDGER_CENTRAL_PASSWORD_FILE"]
            let settings: CentralConnectionSettings
            do { settings = try CentralConnectionSettings(conninfo: conninfo, passwordFile: passwordFile, applicationName: "scanledger-cli") } catch {
                throw args.usageError("\(error)")
            }
            return try body(settings, args)
        }
    }

    static func initialize(_ settings: CentralConnectionSettings) -> Int32 {
        do {
            let db = try CentralDatabase(settings)
            let (from, to) = try db.initialize()
            LedgerCLI.emit(from == to ? "central schema is at version \(to); nothing to do\n" : "central schema migrated from version \(from) to \(to)\n")
            return 0
        } catch {
            LedgerCLI.fail("\(error)")
            return 1
        }
    }

    static func stock(_ settings: CentralConnectionSettings, _ args: ParsedArguments) -> Int32 {
        let byOrigin = args.flag("--by-origin")
        let rows: [CentralStockRow]
        do {
            rows = try CentralDatabase(settings).stock(bySite: !byOrigin, scope: byOrigin ? args.value("--origin") : args.value("--site"),
                                                       location: args.value("--location"), item: args.value("--item"))
        } catch {
            LedgerCLI.fail("\(error)")
            return 1
        }
        let scope = byOrigin ? "origin" : "site"
        if args.flag("--json") {
            let objects = rows.map { r in
                JSONText.object([("item", JSONText.quote(r.item)), ("location", JSONText.quote(r.location)), ("lot", JSONText.quote(r.lot)),
                                 ("qty", String(r.qty)), (scope, JSONText.quote(r.scope)), ("serial", JSONText.quote(r.serial))])
            }
            LedgerCLI.emit("[" + objects.joined(separator: ",") + "]\n")
        } else {
            var out = "\(scope.uppercased().padding(toLength: 12, withPad: " ", startingAt: 0)) LOCATION     ITEM            LOT          SERIAL            QTY\n"
            for r in rows {
                out += [r.scope.padding(toLength: 12, withPad: " ", startingAt: 0), r.location.padding(toLength: 12, withPad: " ", startingAt: 0),
                        r.item.padding(toLength: 15, withPad: " ", startingAt: 0), (r.lot ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0),
                        (r.serial ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0), String(r.qty).leftPadded(8)].joined(separator: " ") + "\n"
            }
            LedgerCLI.emit(out)
        }
        return 0
    }

    static func status(_ settings: CentralConnectionSettings, json: Bool) -> Int32 {
        let lags: [OriginLag]
        do { lags = try CentralDatabase(settings).status() } catch {
            LedgerCLI.fail("\(error)")
            return 1
        }
        if json {
            let objects = lags.map { l in
                JSONText.object([("central_postings", String(l.centralPostings)), ("central_seq", String(l.centralSeq)),
                                 ("local_head_seq", String(l.localHeadSeq)), ("origin", JSONText.quote(l.origin)),
                                 ("postings_behind", String(l.postingsBehind)), ("reported_at", JSONText.quote(l.reportedAt)),
                                 ("seconds_behind", String(format: "%.3f", l.secondsBehind)), ("site", JSONText.quote(l.site))])
            }
            LedgerCLI.emit("[" + objects.joined(separator: ",") + "]\n")
        } else {
            var out = "ORIGIN       SITE         CENTRAL_SEQ  LOCAL_SEQ  BEHIND  SECONDS  REPORTED\n"
            for l in lags {
                out += [l.origin.padding(toLength: 12, withPad: " ", startingAt: 0), l.site.padding(toLength: 12, withPad: " ", startingAt: 0),
                        String(l.centralSeq).leftPadded(11), String(l.localHeadSeq).leftPadded(10), String(l.postingsBehind).leftPadded(7),
                        String(format: "%.1f", l.secondsBehind).leftPadded(8), l.reportedAt].joined(separator: " ") + "\n"
            }
            LedgerCLI.emit(out)
        }
        return 0
    }

    /// Sends every pending posting of the local ledger, once, and exits: the
    /// daemon forwards continuously; this is for boxes without it, for tests,
    /// and for catching up by hand. Killing it at any point loses nothing.
    static func forward(_ settings: CentralConnectionSettings, _ args: ParsedArguments, origin: String,
                        batchSize: Int) throws(ArgumentError) -> Int32 {
        guard let ledger = try LedgerCLI.open(args) else { return 1 }
        defer { ledger.close() }
        do {
            let config = try ForwarderConfig(connection: settings, origin: origin, site: args.value("--site") ?? "default",
                                             batchSize: batchSize)
            let forwarder = Forwarder(config: config, ledger: ledger) { level, message in
                if level != .debug { FileHandle.standardError.write(Data("scanledger central: \(message)\n".utf8)) }
            }
            let sent = try forwarder.forwardPending()
            let s = forwarder.status
            LedgerCLI.emit(JSONText.object([("already_central", String(s.alreadyCentralPostings)), ("forwarded", String(sent)),
                                            ("forwarded_up_to", String(s.forwardedUpTo)),
                                            ("journal_forwarded", String(s.forwardedJournalEntries)),
                                            ("journal_forwarded_up_to", String(s.journalForwardedUpTo)), ("origin", JSONText.quote(origin))]) + "\n")
            return 0
        } catch {
            LedgerCLI.fail("\(error)")
            return 1
        }
    }
}
