import Foundation
import Ledger
import Service

/// `scanledger import items|locations|asn|orders FILE`: CSV with a header row, or a JSON array; all or nothing.
/// Works on the database file (expected data lives in the ledger database too).
let importCommand = Command(name: "import", summary: "import items, locations, ASNs or orders from CSV or JSON (all or nothing)") { argv in
    let synopsis = "items|locations|asn|orders FILE [--db PATH]"
    let args: LedgerCLI.Arguments
    do { args = try LedgerCLI.parse(argv, options: [], flags: []) } catch {
        return LedgerCLI.usage("import", synopsis, "\(error)")
    }
    guard args.positionals.count == 2, ["items", "locations", "asn", "orders"].contains(args.positionals[0]) else {
        return LedgerCLI.usage("import", synopsis, "give what to import (items, locations, asn or orders) and the file")
    }
    let file = args.positionals[1]
    guard let data = FileManager.default.contents(atPath: file) else {
        LedgerCLI.fail("cannot read \(file)")
        return 1
    }
    guard let text = String(data: data, encoding: .utf8) else {
        LedgerCLI.fail("\(file): not UTF-8 text")
        return 1
    }
    guard let ledger = LedgerCLI.open(args) else { return 1 }
    defer { ledger.close() }
    do {
        if ["asn", "orders"].contains(args.positionals[0]) {
            let n = try ServiceImport.run(kind: args.positionals[0], path: file, ledger: ledger, stores: LedgerStationStores(ledger: ledger))
            LedgerCLI.emit("imported \(n) \(args.positionals[0] == "asn" ? "ASNs" : "orders") from \(file)\n")
            return 0
        }
        if args.positionals[0] == "items" {
            let items = try MasterDataFile.items(text: text, file: file)
            try ledger.importItems(items, file: file)
            LedgerCLI.emit("imported \(items.count) items from \(file)\n")
        } else {
            let locations = try MasterDataFile.locations(text: text, file: file)
            try ledger.importLocations(locations, file: file)
            LedgerCLI.emit("imported \(locations.count) locations from \(file)\n")
        }
        return 0
    } catch {
        LedgerCLI.fail("\(error) (nothing imported)")
        return 1
    }
}
