import Foundation
import ScanModel
@testable import Stations

/// The fake ledger's pallet answers, read from the `shipped` entries its
/// ship postings carry, as the real Ledger reads `station_journal`.
extension FakeLedger: PalletLookup {
    func shipment(pallet: String) throws -> ShippedCarton? {
        postings.first { p in p.request.kind == .ship && Self.pallet(of: p.request) == pallet }
            .map { ShippedCarton(seq: $0.seq, order: $0.request.ref, sscc: $0.request.sscc) }
    }

    func pallet(ofShipment seq: LedgerSequence) throws -> String? {
        postings.first { $0.seq == seq }.flatMap { Self.pallet(of: $0.request) }
    }

    private static func pallet(of request: PostingRequest) -> String? {
        guard let detail = request.journal.first(where: { $0.code == shippedJournalCode })?.detail,
              let object = try? JSONSerialization.jsonObject(with: Data(detail.utf8)) as? [String: Any] else { return nil }
        return object["pallet"] as? String
    }
}

/// Sessions in memory with a ship floor beside them, as the service's
/// ledger-backed store has both: what a restart or a second station sees.
final class FloorSessionStore: SessionStore, ShipFloorStore {
    let sessions = InMemorySessionStore()
    let floor = InMemoryShipFloor()
    func loadSession(station: String) throws -> SavedSession? { try sessions.loadSession(station: station) }
    func saveSession(station: String, snapshot: Data) throws { try sessions.saveSession(station: station, snapshot: snapshot) }
    func appendToSession(station: String, entry: Data) throws { try sessions.appendToSession(station: station, entry: entry) }
    func removeSession(station: String) throws { try sessions.removeSession(station: station) }
    func nextSessionNumber(station: String) throws -> UInt64 { try sessions.nextSessionNumber(station: station) }
    func dockDoor(station: String) throws -> DockDoor? { try floor.dockDoor(station: station) }
    func saveDockDoor(_ door: DockDoor, station: String) throws { try floor.saveDockDoor(door, station: station) }
    func claim(carton: String, for claim: PalletClaim) throws -> PalletClaim? { try floor.claim(carton: carton, for: claim) }
    func pallet(holding carton: String) throws -> PalletClaim? { try floor.pallet(holding: carton) }
    func release(cartons: [String], pallet: String) throws { try floor.release(cartons: cartons, pallet: pallet) }
}
