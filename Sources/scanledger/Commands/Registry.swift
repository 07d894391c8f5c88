/// Every subcommand, registered in one place. Each lives in its own file
/// under Commands/ and returns the process exit code: 0 success, 1 some input
/// failed, 2 usage error.
struct Command: Sendable {
    let name: String
    let summary: String
    let run: @Sendable ([String]) -> Int32
}

let commands: [Command] = [
    Command(name: "decode", summary: "decode barcode scans or EPC hex to JSON", run: DecodeCommand.run),
    Command(name: "version", summary: "print the version") { _ in print(scanLedgerVersion); return 0 },
    portsCommand,
    captureCommand,
    replayCommand,
    simulateCommand,
    postCommand,
    stockCommand,
    historyCommand,
    verifyCommand,
    reverseCommand,
    importCommand,
    exportCommand,
    statusCommand,
    devicesCommand,
    stationsCommand,
    watchCommand,
    countsCommand,
    checkConfigCommand,
    deviceCommand,
    centralCommand,
]
