import Foundation
import Ledger
import ScanModel
@testable import Service
import Stations

/// A GTIN-14 from 13 digits, check digit computed.
func gtin(_ body: String) -> GTIN {
    let cd = GS1CheckDigit.compute(Array(body.utf8)) ?? 0
    return GTIN(body + String(cd))!
}
func sscc(_ body: String) -> SSCC {
    let cd = GS1CheckDigit.compute(Array(body.utf8)) ?? 0
    return SSCC(body + String(cd))!
}
/// 2026-11-22 10:00 UTC plus `s` seconds.
func today(plusSeconds s: Int64 = 0) -> Microseconds {
    let days = Int64(CivilDate(year: 2026, month: 11, day: 22)!.daysSinceEpoch)
    return .seconds(days * 86_400 + 36_000 + s)
}
func tag(_ n: UInt32, _ g: GTIN?, serial: String?) -> EPCTag {
    EPCTag(epc: EPC(hi: 0x3074_257B_F719_4E40, lo32: n), gtin: g, serial: serial)
}

/// A real ledger on a temporary file with the master data scenarios share,
/// and the service's adapters over it.
final class RealLedgerWorld {
    let directory: URL
    let path: String
    private(set) var ledger: Ledger
    private(set) var gateway: LedgerStationGateway
    private(set) var stores: LedgerStationStores

    let plain = gtin("0614141000012")
    let lotted = gtin("0614141000029")
    let serial = gtin("0614141000036")
    let stranger = gtin("0614141000043")
    var plainItem: ItemCode { ItemCode(gtin: plain) }
    var lottedItem: ItemCode { ItemCode(gtin: lotted) }
    var serialItem: ItemCode { ItemCode(gtin: serial) }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("scanledger-svc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("ledger.db").path
        ledger = try Ledger(path: path)
        gateway = LedgerStationGateway(ledger: ledger)
        stores = LedgerStationStores(ledger: ledger)
        try ledger.importItems([
            Item(gtin: plain, tracking: .none), Item(gtin: lotted, tracking: .lot),
            Item(gtin: serial, tracking: .serial), Item(gtin: stranger, tracking: .none),
        ])
        try ledger.importLocations([
            Location(code: "DOCK-1", type: .dock), Location(code: "A-01", type: .storage), Location(code: "B-01", type: .storage),
            Location(code: "PACK-1", type: .pack), Location(code: "SHIP", type: .shipping),
        ])
    }

    deinit {
        ledger.close()
        try? FileManager.default.removeItem(at: directory)
    }

    var deps: StationDependencies {
        StationDependencies(ledger: gateway, stock: gateway, master: gateway, expected: stores, sessions: stores, shipments: gateway)
    }

    /// Closes the database and opens it again: what a daemon restart sees.
    func restart() throws {
        ledger.close()
        ledger = try Ledger(path: path)
        gateway = LedgerStationGateway(ledger: ledger)
        stores = LedgerStationStores(ledger: ledger)
    }

    /// Puts stock somewhere with a plain receipt (the ledger API, not a station).
    func seed(_ item: ItemCode, _ qty: Int64, at location: String, lot: String? = nil, serial: String? = nil) throws {
        try seedStock(ledger, item: item.code, qty: qty, at: location, lot: lot, serial: serial)
    }

    func qty(_ item: ItemCode, at location: String, lot: String? = nil) throws -> Int64 {
        try gateway.onHand(item: item, lot: lot, at: LocationCode(location))
    }
}

extension Station {
    @discardableResult
    func feed(_ input: StationInput, _ time: Microseconds = today()) -> StationEvent { handle(input, at: time) }
}
