import ScanModel

/// One authorised line of a return: what the customer may send back.
public struct RMALine: Hashable, Sendable, Codable {
    public var item: ItemCode
    public var quantity: Int
    public var lot: String?
    public var serial: String?
    public init(item: ItemCode, quantity: Int, lot: String? = nil, serial: String? = nil) {
        self.item = item; self.quantity = quantity; self.lot = lot; self.serial = serial
    }
}

/// A return merchandise authorisation: a customer's return of (part of) an
/// order, announced before the parcel arrives. The order is what the ledger
/// knows (its `pack` postings carry it as `ref`); the RMA narrows what may
/// come back.
public struct RMA: Hashable, Sendable, Codable {
    public var number: String
    public var order: String
    public var lines: [RMALine]
    /// `.done` once a return against it posted: an RMA is received once.
    public var status: DocumentStatus
    public init(number: String, order: String, lines: [RMALine], status: DocumentStatus = .open) {
        self.number = number; self.order = order; self.lines = lines; self.status = status
    }
}
