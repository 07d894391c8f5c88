import Foundation
import Forwarding
import Ledger
import ScanModel

/// `scanledger central init|stock|status|forward`: the central PostgreSQL.
/// The connection string comes from `--central` or SCANLEDGER_CENTRAL (a
/// libpq conninfo, URI or `service=NAME`); the password only from a file
/// (`--password-file`, SCANLEDGER_CENTRAL_PASSWORD_FILE, or libpq's PGPASSFILE / ~/.pgpass).
let centralCommand = Command(name: "central", summary: "central PostgreSQL: init (schema), stock, status (lag per box), forward") { argv in
    let synopsis = """
        init|stock|status|forward [--central CONNINFO] [--password-file PATH]
               stock  [--site S | --by-origin [--origin O]] [--location L] [--item I] [--json]
               status [--json]
               forward --origin ID [--site S] [--db PATH]   (sends everything pending, once)
        """
    let args: LedgerCLI.Arguments
    do {
        args = try LedgerCLI.parse(argv, options: ["--central", "--password-file", "--site", "--origin", "--location", "--item", "--batch"],
                                   flags: ["--json", "--by-origin"])
    } catch {
        return LedgerCLI.usage("central", synopsis, "\(error)")
    }
    guard args.positionals.count == 1, let action = args.positionals.first else {
        return LedgerCLI.usage("central", synopsis, args.positionals.isEmpty ? "say init, stock, status or forward" : "unexpected argument \(args.positionals[1])")
    }
    let env = ProcessInfo.processInfo.environment
    let conninfo = args.options["--central"] ?? env["SCANLEDGER_CENTRAL"] ?? ""
    let passwordFile = args.options["--password-file"] ?? env["SCANLEDGER_CENTRAL_PASSWORD_FILE"]
    let settings: CentralConnectionSettings
    do { settings = try CentralConnectionSettings(conninfo: conninfo, passwordFile: passwordFile, applicationName: "scanledger-cli") } catch {
        return LedgerCLI.usage("central", synopsis, "\(error)")
    }
    switch action {
    case "init": return CentralCLI.initialize(settings)
    case "stock": return CentralCLI.stock(settings, args)
    case "status": return CentralCLI.status(settings, json: args.flags.contains("--json"))
    case "forward":
        guard let origin = args.options["--origin"] else { return LedgerCLI.usage("central", synopsis, "forward needs --origin ID (this box's id in the central database)") }
        return CentralCLI.forward(settings, args, origin: origin)
    default: return LedgerCLI.usage("central", synopsis, "unknown action '\(action)': say init, stock, status or forward")
    }
}

enum CentralCLI {
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

    static func stock(_ settings: CentralConnectionSettings, _ args: LedgerCLI.Arguments) -> Int32 {
        let byOrigin = args.flags.contains("--by-origin")
        let rows: [CentralStockRow]
        do {
            rows = try CentralDatabase(settings).stock(bySite: !byOrigin, scope: byOrigin ? args.options["--origin"] : args.options["--site"],
                                                       location: args.options["--location"], item: args.options["--item"])
        } catch {
            LedgerCLI.fail("\(error)")
            return 1
        }
        let scope = byOrigin ? "origin" : "site"
        if args.flags.contains("--json") {
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
    static func forward(_ settings: CentralConnectionSettings, _ args: LedgerCLI.Arguments, origin: String) -> Int32 {
        guard let ledger = LedgerCLI.open(args) else { return 1 }
        defer { ledger.close() }
        do {
            let config = try ForwarderConfig(connection: settings, origin: origin, site: args.options["--site"] ?? "default",
                                             batchSize: Int(args.options["--batch"] ?? "") ?? 5_000)
            let forwarder = Forwarder(config: config, ledger: ledger) { level, message in
                if level != .debug { FileHandle.standardError.write(Data("scanledger central: \(message)\n".utf8)) }
            }
            let sent = try forwarder.forwardPending()
            let s = forwarder.status
            LedgerCLI.emit(JSONText.object([("already_central", String(s.alreadyCentralPostings)), ("forwarded", String(sent)),
                                            ("forwarded_up_to", String(s.forwardedUpTo)), ("origin", JSONText.quote(origin))]) + "\n")
            return 0
        } catch {
            LedgerCLI.fail("\(error)")
            return 1
        }
    }
}
