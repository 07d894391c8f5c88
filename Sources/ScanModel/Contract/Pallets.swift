// What a ship station that builds pallets asks the ledger: whether a pallet
// SSCC already left, and on which pallet a shipped carton left. A seam of
// its own beside ShipmentLookup so stations that never build pallets (and
// their fakes) need not answer it. A pallet leaves as one ship posting per
// carton (ref = the carton's order, sscc = the carton), each `shipped`
// journal entry naming the pallet (docs/ledger.md, "Pallets").
public protocol PalletLookup: AnyObject {
    /// The earliest ship posting, not reversed, of a carton that left on this pallet.
    func shipment(pallet: String) throws -> ShippedCarton?
    /// The pallet the ship posting `seq` took its carton out on; nil when it left loose.
    func pallet(ofShipment seq: LedgerSequence) throws -> String?
}
