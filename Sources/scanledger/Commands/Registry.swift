import ScanModel

/// Every subcommand, registered in one place. Each lives in its own file
/// under Commands/ as a `CommandSpec` whose `run` returns the exit status:
/// 0 success, 1 some input failed, 2 usage error (a thrown `ArgumentError`).
let commands: [CommandSpec] = [
    decodeCommand,
    CommandSpec("version", summary: "print the version") { _ in print(scanLedgerVersion); return 0 },
    portsCommand,
    captureCommand,
    replayCommand,
    simulateCommand,
    postCommand,
    stockCommand,
    historyCommand,
    journalCommand,
    receiptReportCommand,
    verifyCommand,
    backupCommand,
    restoreCommand,
    reverseCommand,
    holdCommand,
    releaseCommand,
    importCommand,
    exportCommand,
    statusCommand,
    metricsCommand,
    devicesCommand,
    stationsCommand,
    watchCommand,
    topCommand,
    countsCommand,
    checkConfigCommand,
    deviceCommand,
    centralCommand,
]
