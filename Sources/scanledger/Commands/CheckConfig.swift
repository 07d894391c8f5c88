import Foundation
import ScanModel
import Service

/// `scanledger check-config FILE`: the daemon's own parser (errors name the
/// key path), then the files the configuration names: the ledger's
/// directory and the central password file must be usable (errors); device
/// ports that are not there now are reported (a scanner may be unplugged).
let checkConfigCommand = CommandSpec("check-config", summary: "validate a scanledgerd config file and the files it names",
                                     positionals: [PositionalSpec("FILE", .required, "the config file (docs/config.md)")],
                                     notes: "Exit 1, naming the key path or file of each problem, when the file is not valid or a file it names is not usable.") { args in
    let file = args.positional("FILE") ?? ""
    let c: ServiceConfig
    do { c = try ServiceConfig.load(path: file) } catch {
        LedgerCLI.fail("\(error)")
        return 1
    }
    var problems: [String] = []
    let ledgerDir = URL(fileURLWithPath: c.ledgerPath).deletingLastPathComponent().path
    var isDir: ObjCBool = false
    if !FileManager.default.fileExists(atPath: ledgerDir, isDirectory: &isDir) || !isDir.boolValue {
        problems.append("\(file): ledger.path: the directory \(ledgerDir) does not exist")
    } else if access(ledgerDir, W_OK) != 0 && !FileManager.default.fileExists(atPath: c.ledgerPath) {
        problems.append("\(file): ledger.path: the directory \(ledgerDir) is not writable by this user, so the ledger cannot be created")
    }
    if let central = c.central {
        do { try central.connection.checkPasswordFile() } catch { problems.append("\(file): central.password_file: \(error)") }
    }
    for p in problems { LedgerCLI.fail(p) }
    guard problems.isEmpty else { return 1 }
    for d in c.devices {
        if let path = d.port, path.hasPrefix("/"), !FileManager.default.fileExists(atPath: path) {
            LedgerCLI.emit("note: devices[\(d.name)].port \(path) is not present now (the daemon waits for it)\n")
        }
    }
    LedgerCLI.emit("\(file): ok (\(c.devices.count) devices, \(c.zones.count) zones, \(c.stations.count) stations)\n")
    return 0
}
