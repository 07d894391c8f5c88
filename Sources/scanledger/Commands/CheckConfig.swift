import ScanModel
import Service

/// `scanledger check-config FILE`: the daemon's own parser; errors name the key path.
let checkConfigCommand = CommandSpec("check-config", summary: "validate a scanledgerd config file",
                                     positionals: [PositionalSpec("FILE", .required, "the config file (docs/config.md)")],
                                     notes: "Exit 1, naming the key path of each problem, when the file is not valid.") { args in
    let file = args.positional("FILE") ?? ""
    do {
        let c = try ServiceConfig.load(path: file)
        LedgerCLI.emit("\(file): ok (\(c.devices.count) devices, \(c.zones.count) zones, \(c.stations.count) stations)\n")
        return 0
    } catch {
        LedgerCLI.fail("\(error)")
        return 1
    }
}
