import Foundation
import Ledger
import Testing
@testable import Service
import Stations

/// Dock doors and pallet claims as ledger documents: they survive a
/// reopen, are not open sessions, and a claim its station's session no
/// longer backs does not block a carton.
@Suite struct ShipFloorStoreTests {
    @Test func doorsAndClaimsLiveInTheLedgerAndStaleClaimsDoNotBlock() throws {
        let w = try RealLedgerWorld()
        let stores = w.stores
        try stores.saveDockDoor(DockDoor(location: "DOOR-1", carrier: "UPS"), station: "ship-1")
        #expect(try stores.dockDoor(station: "ship-1") == DockDoor(location: "DOOR-1", carrier: "UPS"))
        #expect(try stores.openSessions().isEmpty)

        // ship-1's session holds pallet P1 with carton C1: its claim stands.
        try stores.saveSession(station: "ship-1", snapshot: Data(#"{"pallet":{"cartons":[{"carton":{"sscc":"C1"}}],"sscc":"P1"}}"#.utf8))
        #expect(try stores.claim(carton: "C1", for: PalletClaim(pallet: "P1", station: "ship-1")) == nil)
        #expect(try stores.claim(carton: "C1", for: PalletClaim(pallet: "P1", station: "ship-1")) == nil)  // again: its own
        #expect(try stores.claim(carton: "C1", for: PalletClaim(pallet: "P2", station: "ship-2")) == PalletClaim(pallet: "P1", station: "ship-1"))
        #expect(try stores.pallet(holding: "C1") == PalletClaim(pallet: "P1", station: "ship-1"))
        // Released by another pallet: nothing changes.
        try stores.release(cartons: ["C1"], pallet: "P2")
        #expect(try stores.claim(carton: "C1", for: PalletClaim(pallet: "P2", station: "ship-2")) != nil)

        // The session went (abandoned) without releasing: the claim no longer stands.
        try stores.removeSession(station: "ship-1")
        #expect(try stores.pallet(holding: "C1") == nil)
        #expect(try stores.claim(carton: "C1", for: PalletClaim(pallet: "P2", station: "ship-2")) == nil)
        try stores.release(cartons: ["C1"], pallet: "P2")
        #expect(try w.ledger.document(kind: "pallet-carton", key: "C1") == nil)
    }
}
