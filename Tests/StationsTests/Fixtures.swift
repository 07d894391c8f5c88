import Foundation
import ScanModel
@testable import Stations

/// A GTIN-14 from 13 digits, check digit computed.
func gtin(_ body: String) -> GTIN {
    let cd = GS1CheckDigit.compute(Array(body.utf8)) ?? 0
    return GTIN(body + String(cd))!
}
func sscc(_ body: String) -> SSCC {
    let cd = GS1CheckDigit.compute(Array(body.utf8)) ?? 0
    return SSCC(body + String(cd))!
}

/// Wall-clock time at a date (10:00 UTC), in virtual time.
func at(_ y: Int, _ m: Int, _ d: Int, plusSeconds s: Int64 = 0) -> Microseconds {
    let days = Int64(CivilDate(year: y, month: m, day: d)!.daysSinceEpoch)
    return .seconds(days * 86_400 + 36_000 + s)
}

/// A 96-bit EPC whose low bits are `n`, with its decoded GTIN and serial.
func tag(_ n: UInt32, _ g: GTIN?, serial: String?) -> EPCTag {
    EPCTag(epc: EPC(hi: 0x3074_257B_F719_4E40, lo32: n), gtin: g, serial: serial)
}

/// Items, locations and stores most scenarios share.
final class World {
    let ledger = FakeLedger()
    let expected = InMemoryExpectedDataStore()
    let sessions = InMemorySessionStore()
    let reviews = InMemoryCountReviewStore()

    let plain = gtin("0614141000012")     // untracked
    let lotted = gtin("0614141000029")    // lot-tracked
    let serial = gtin("0614141000036")    // serialised
    let stranger = gtin("0614141000043")  // in master data, never announced
    var plainItem: ItemCode { ItemCode(gtin: plain) }
    var lottedItem: ItemCode { ItemCode(gtin: lotted) }
    var serialItem: ItemCode { ItemCode(gtin: serial) }

    init() {
        ledger.addItem(plainItem)
        ledger.addItem(lottedItem, .lot)
        ledger.addItem(serialItem, .serial)
        ledger.addItem(ItemCode(gtin: stranger))
        for l in ["DOCK-1", "DOCK-2"] { ledger.addLocation(LocationCode(l), .dock) }
        for l in ["A-01", "A-02", "B-01"] { ledger.addLocation(LocationCode(l), .storage) }
        ledger.addLocation("PACK-1", .pack)
        ledger.addLocation("SHIP", .shipping)
    }

    /// A quarantine location QA-1 and a damaged location DMG-1.
    func addHeldLocations() {
        ledger.addLocation("QA-1", .quarantine)
        ledger.addLocation("DMG-1", .damaged)
    }

    func deps(sessions store: SessionStore? = nil) -> StationDependencies {
        StationDependencies(ledger: ledger, stock: ledger, master: ledger, expected: expected, sessions: store ?? sessions, shipments: ledger)
    }
}

extension Station {
    @discardableResult
    func feed(_ input: StationInput, _ time: Microseconds) -> StationEvent { handle(input, at: time) }
}
