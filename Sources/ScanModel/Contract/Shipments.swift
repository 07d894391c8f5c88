// What a ship station asks the ledger about earlier postings: the carton a
// pack posting filled, whether it left already, and whether a carrier's
// tracking number was used before. A seam of its own (not StockLookup) so
// stations that never ship need not implement it.

/// A carton as the pack posting that filled it recorded it.
public struct PackedCarton: Hashable, Sendable, Codable {
    /// The pack posting.
    public var seq: LedgerSequence
    /// The order packed (the pack posting's `ref`).
    public var order: String?
    /// The carton's SSCC (the pack posting's `sscc`), nil when none was scanned.
    public var sscc: String?
    /// The pack posting's lines as (from, to) moves.
    public var lines: [PostingLine]
    public init(seq: LedgerSequence, order: String?, sscc: String?, lines: [PostingLine]) {
        self.seq = seq; self.order = order; self.sscc = sscc; self.lines = lines
    }
}

/// A ship posting as the reuse and "already shipped" checks see it.
public struct ShippedCarton: Hashable, Sendable {
    public var seq: LedgerSequence
    public var order: String?
    public var sscc: String?
    public init(seq: LedgerSequence, order: String?, sscc: String?) { self.seq = seq; self.order = order; self.sscc = sscc }
}

public protocol ShipmentLookup: AnyObject {
    /// The latest pack posting, not reversed, of the carton with this SSCC.
    func packedCarton(sscc: String) throws -> PackedCarton?
    /// The latest pack posting, not reversed, of this order.
    func packedCarton(order: String) throws -> PackedCarton?
    /// The ship posting, not reversed, of this order's carton (same `ref` and `sscc`).
    func shipment(order: String?, sscc: String?) throws -> ShippedCarton?
    /// The ship posting, not reversed, whose `shipped` journal entry names
    /// this carrier and tracking number.
    func shipment(carrier: String, tracking: String) throws -> ShippedCarton?
}

/// The journal code of the entry a ship posting carries: carrier, service,
/// tracking number, SSCC and order in its detail.
public let shippedJournalCode = "shipped"
