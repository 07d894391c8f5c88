import Foundation
import Ledger
import Stations

// The ship stations' doors and pallet claims as ledger documents: kind
// "dock-door" (key the station) and "pallet-carton" (key the carton's SSCC,
// body the pallet and station holding it). Kept apart from kind "session",
// so neither counts as an open session.
extension LedgerStationStores: ShipFloorStore {
    public func dockDoor(station: String) throws -> DockDoor? {
        try ledger.document(kind: "dock-door", key: station).map { try Self.decode(DockDoor.self, $0, what: "dock door of station \(station)") }
    }

    public func saveDockDoor(_ door: DockDoor, station: String) throws {
        try ledger.putDocuments([StoredDocument(kind: "dock-door", key: station, body: try Self.encode(door))])
    }

    public func claim(carton: String, for claim: PalletClaim) throws -> PalletClaim? {
        if let other = try claimOn(carton), other.pallet != claim.pallet, try stands(other, carton: carton) { return other }
        try ledger.putDocuments([StoredDocument(kind: "pallet-carton", key: carton, body: try Self.encode(claim))])
        return nil
    }

    public func pallet(holding carton: String) throws -> PalletClaim? {
        guard let claim = try claimOn(carton), try stands(claim, carton: carton) else { return nil }
        return claim
    }

    public func release(cartons: [String], pallet: String) throws {
        for carton in cartons where try claimOn(carton)?.pallet == pallet {
            try ledger.deleteDocument(kind: "pallet-carton", key: carton)
        }
    }

    private func claimOn(_ carton: String) throws -> PalletClaim? {
        try ledger.document(kind: "pallet-carton", key: carton).map { try Self.decode(PalletClaim.self, $0, what: "pallet of carton \(carton)") }
    }

    /// A claim stands while its station's open session still has that pallet
    /// with the carton on it; one left behind (a crash between the claim and
    /// the session's save, a session abandoned by the admin, a station
    /// removed from the config) does not block the carton.
    private func stands(_ claim: PalletClaim, carton: String) throws -> Bool {
        guard let saved = try loadSession(station: claim.station) else { return false }
        let text = String(decoding: saved.snapshot, as: UTF8.self)
        return text.contains("\"\(claim.pallet)\"") && text.contains("\"\(carton)\"")
    }
}
