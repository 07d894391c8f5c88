import Dispatch
import Foundation
import ScanModel
import Service

// scanledgerd --config FILE [--check]
// Exit codes: 0 clean stop, 1 could not start (config, ledger, socket), 2 usage.
let arguments = Array(CommandLine.arguments.dropFirst())
let logger = Logger()
var configPath: String? = nil
var checkOnly = false
var i = 0
while i < arguments.count {
    switch arguments[i] {
    case "--config":
        guard i + 1 < arguments.count else { logger.error("scanledgerd", "--config needs a FILE"); exit(2) }
        configPath = arguments[i + 1]; i += 2
    case "--check": checkOnly = true; i += 1
    case "-h", "--help":
        print("usage: scanledgerd --config FILE [--check]\n  Runs the ScanLedger service (docs/config.md). --check validates the config and exits.")
        exit(0)
    default:
        logger.error("scanledgerd", "unknown argument '\(arguments[i])' (usage: scanledgerd --config FILE [--check])"); exit(2)
    }
}
guard let configPath else { logger.error("scanledgerd", "usage: scanledgerd --config FILE [--check]"); exit(2) }

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
} catch {
    logger.error("scanledgerd", "cannot start: \(error)")
    exit(1)
}
started.signal()
withExtendedLifetime(watcher) { dispatchMain() }
