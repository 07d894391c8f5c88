import ScanModel

// What ship stations share on the floor beyond their own sessions: the dock
// door each is loading at (kept across restarts, though no session is open
// between cartons) and which open pallet holds a carton (so a carton cannot
// go onto two pallets built at two stations at once). The service keeps
// both as ledger documents (LedgerStationStores, kinds "dock-door" and
// "pallet-carton"); the in-memory version serves tests and a service run
// without a database. A ship station finds it on its session store.

/// A carton put on a pallet that has not shipped yet.
public struct PalletClaim: Hashable, Sendable, Codable {
    public var pallet: String
    public var station: String
    public init(pallet: String, station: String) { self.pallet = pallet; self.station = station }
}

public protocol ShipFloorStore: AnyObject {
    func dockDoor(station: String) throws -> DockDoor?
    func saveDockDoor(_ door: DockDoor, station: String) throws
    /// Puts `carton` on `claim.pallet`, unless another pallet still being
    /// built holds it: then nothing changes and that claim is returned.
    func claim(carton: String, for claim: PalletClaim) throws -> PalletClaim?
    /// The pallet still being built that holds `carton`, if any.
    func pallet(holding carton: String) throws -> PalletClaim?
    /// Drops this pallet's claims on these cartons (shipped, taken off, cancelled).
    func release(cartons: [String], pallet: String) throws
}

public final class InMemoryShipFloor: ShipFloorStore {
    private var doors: [String: DockDoor] = [:]
    private var claims: [String: PalletClaim] = [:]
    public init() {}
    public func dockDoor(station: String) throws -> DockDoor? { doors[station] }
    public func saveDockDoor(_ door: DockDoor, station: String) throws { doors[station] = door }
    public func claim(carton: String, for claim: PalletClaim) throws -> PalletClaim? {
        if let other = claims[carton], other.pallet != claim.pallet { return other }
        claims[carton] = claim
        return nil
    }
    public func pallet(holding carton: String) throws -> PalletClaim? { claims[carton] }
    public func release(cartons: [String], pallet: String) throws {
        for c in cartons where claims[c]?.pallet == pallet { claims[c] = nil }
    }
}
