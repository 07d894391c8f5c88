import Foundation
import Ledger
import ScanModel
import Service

/// `scanledger import items|locations|asn|orders|rmas FILE`: CSV with a header row, or a JSON array; all or nothing.
/// Works on the database file (expected data lives in the ledger database too).
let importCommand = CommandSpec("import", summary: "import items, locations, ASNs, orders or RMAs from CSV or JSON (all or nothing)",
                                positionals: [
    PositionalSpec("KIND", .required, "what the file holds", choices: ["items", "locations", "asn", "orders", "rmas"]),
    PositionalSpec("FILE", .required, "CSV with a header row, or a JSON array"),
], options: LedgerCLI.options, notes: "One bad row imports nothing; the error names the file, line and field.") { args in
    let kind = args.positional("KIND") ?? ""
    let file = args.positional("FILE") ?? ""
    guard let data = FileManager.default.contents(atPath: file) else {
        LedgerCLI.fail("cannot read \(file)")
        return 1
    }
    guard let ledger = try LedgerCLI.open(args) else { return 1 }
    defer { ledger.close() }
    do {
        if ["asn", "orders", "rmas"].contains(kind) {
            let n = try ServiceImport.run(kind: kind, path: file, ledger: ledger, stores: LedgerStationStores(ledger: ledger))
            LedgerCLI.emit("imported \(n) \(["asn": "ASNs", "rmas": "RMAs"][kind] ?? "orders") from \(file)\n")
            return 0
        }
        if kind == "items" {
            let items = try MasterDataFile.items(bytes: [UInt8](data), file: file)
            try ledger.importItems(items, file: file)
            LedgerCLI.emit("imported \(items.count) items from \(file)\n")
        } else {
            let locations = try MasterDataFile.locations(bytes: [UInt8](data), file: file)
            try ledger.importLocations(locations, file: file)
            LedgerCLI.emit("imported \(locations.count) locations from \(file)\n")
        }
        return 0
    } catch {
        LedgerCLI.fail("\(error) (nothing imported)")
        return 1
    }
}
