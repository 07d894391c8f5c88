import ScanModel

// The ship station's pallet questions, passed to the ledger like its
// ShipmentLookup (LedgerStationAdapters.swift).
extension LedgerStationGateway: PalletLookup {
    public func shipment(pallet: String) throws -> ShippedCarton? { try ledger.shipment(pallet: pallet) }
    public func pallet(ofShipment seq: LedgerSequence) throws -> String? { try ledger.pallet(ofShipment: seq) }
}
