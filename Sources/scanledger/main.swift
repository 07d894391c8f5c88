import Foundation
import ScanModel

// `scanledger`: the command-line companion. Wiring only: each subcommand is a
// `CommandSpec` in Commands/, listed in Commands/Registry.swift; the shared
// parser (ScanModel/CommandLine) checks arguments and answers --help.

let scanledger = CommandSpec(
    "scanledger", summary: "ScanLedger's command-line companion: decode, devices, the ledger, the daemon, central.",
    options: [.value("--db", "PATH", "the ledger file for every database command, like SCANLEDGER_DB (a --db after the command wins)",
                     repeatable: true)],
    subcommands: commands,
    notes: "Run 'scanledger COMMAND --help' for a command's own options. docs/cli.md describes them all.")

exit(CommandLineTool.run(scanledger, arguments: Array(CommandLine.arguments.dropFirst())))
