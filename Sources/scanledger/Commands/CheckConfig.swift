import Service

/// `scanledger check-config FILE`: the daemon's own parser; errors name the key path.
let checkConfigCommand = Command(name: "check-config", summary: "validate a scanledgerd config file") { argv in
    guard argv.count == 1 else { return LedgerCLI.usage("check-config", "FILE", "give one config file") }
    do {
        let c = try ServiceConfig.load(path: argv[0])
        LedgerCLI.emit("\(argv[0]): ok (\(c.devices.count) devices, \(c.zones.count) zones, \(c.stations.count) stations)\n")
        return 0
    } catch {
        LedgerCLI.fail("\(error)")
        return 1
    }
}
