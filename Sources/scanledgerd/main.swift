import Dispatch
import Foundation
import Ledger
import ScanModel
import Service

let daemonCommand = CommandSpec(
    "scanledgerd", summary: "Runs the ScanLedger service: devices, stations, the ledger, the control socket (docs/config.md).",
    options: [
        .value("--config", "FILE", "the config file", required: true),
        .flag("--check", "validate the config, print 'FILE: ok' and exit"),
    ],
    notes: """
    Exit 0 after a clean stop (SIGTERM, SIGINT); 1 when it could not start (config, ledger, socket);
    3 when the ledger file is damaged (systemd does not restart it: restore a backup). SIGHUP reloads the config.
    """)
let arguments = CommandLineTool.parseOrExit(daemonCommand, arguments: Array(CommandLine.arguments.dropFirst()))
let configPath = arguments.value("--config") ?? ""
let checkOnly = arguments.flag("--check")
let logger = Logger()

let config: ServiceConfig
do { config = try ServiceConfig.load(path: configPath) } catch {
    logger.error("config", "\(error); not starting")
    exit(1)
}
if checkOnly { print("\(configPath): ok"); exit(0) }
logger.level = config.logLevel

// Signals are taken over before anything starts, so a SIGTERM during startup
// (devices opening, ledger migrating) waits for startup to finish and then
// stops cleanly instead of killing the process half-way.
let signalQueue = DispatchQueue(label: "scanledgerd.signals")
let started = DispatchSemaphore(value: 0)
nonisolated(unsafe) var running: Daemon? = nil
let watcher = SignalWatcher(queue: signalQueue, onStop: { signo in
    started.wait(); started.signal()
    logger.notice("scanledgerd", "signal \(signo): shutting down")
    running?.stop()
    exit(0)
}, onReload: {
    started.wait(); started.signal()
    logger.notice("scanledgerd", "SIGHUP: reloading \(configPath)")
    running?.reload()
})

do {
    let daemon = try Daemon(configPath: configPath, config: config, logger: logger)
    try daemon.start()
    running = daemon
} catch let damaged as LedgerDamaged {
    // Its own status, so the unit's RestartPreventExitStatus=3 stops systemd
    // from re-reading a damaged file every RestartSec until someone looks.
    logger.error("scanledgerd", "cannot start: \(damaged)")
    exit(3)
} catch {
    logger.error("scanledgerd", "cannot start: \(error)")
    exit(1)
}
started.signal()
withExtendedLifetime(watcher) { dispatchMain() }
