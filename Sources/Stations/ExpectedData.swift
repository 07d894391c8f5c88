import ScanModel

/// One announced line of an ASN/PO.
public struct ASNLine: Hashable, Sendable, Codable {
    public var item: ItemCode
    public var quantity: Int
    public var lot: String?
    public var expiry: CivilDate?
    /// The pallet or case (SSCC digits) this line travels on, if announced.
    public var sscc: String?
    public init(item: ItemCode, quantity: Int, lot: String? = nil, expiry: CivilDate? = nil, sscc: String? = nil) {
        self.item = item; self.quantity = quantity; self.lot = lot; self.expiry = expiry; self.sscc = sscc
    }
}

public enum DocumentStatus: Hashable, Sendable, Codable {
    case open
    /// Part delivered: the receipts posted so far (ledger sequences). The ASN
    /// stays receivable for what is still outstanding.
    case partial(seqs: [LedgerSequence])
    /// Received or packed; the ledger sequence of the posting.
    case done(seq: LedgerSequence)
}

/// An advance shipping notice or purchase order: what a receipt expects.
/// A truck may bring it in parts: each partial receipt adds to `received`,
/// and the next receipt expects only what is `outstanding`.
public struct ASN: Hashable, Sendable, Codable {
    public var number: String
    public var lines: [ASNLine]
    public var status: DocumentStatus
    /// Units received per line by earlier partial receipts (empty: none).
    public var received: [Int]
    /// Pallets received by earlier partial receipts.
    public var receivedSSCCs: [String]
    public init(number: String, lines: [ASNLine], status: DocumentStatus = .open, received: [Int] = [], receivedSSCCs: [String] = []) {
        self.number = number; self.lines = lines; self.status = status
        self.received = received; self.receivedSSCCs = receivedSSCCs
    }
    public var ssccs: Set<String> { Set(lines.compactMap(\.sscc)) }

    /// The announced lines less what earlier receipts brought, line for line
    /// (a fully received line stays, with quantity 0, so more of it is an over-receipt).
    public var outstanding: [ASNLine] {
        lines.indices.map { i in
            var line = lines[i]
            line.quantity = max(0, line.quantity - (i < received.count ? received[i] : 0))
            return line
        }
    }

    /// The ASN after one more partial receipt posted as `seq`, which brought
    /// `counts` units per outstanding line and left `ssccs` received.
    public func afterPartialReceipt(seq: LedgerSequence, counts: [Int], ssccs: [String]) -> ASN {
        var next = self
        let earlier: [LedgerSequence]
        if case .partial(let seqs) = status { earlier = seqs } else { earlier = [] }
        // Already counted (a close retried after its status was saved): no change.
        if earlier.contains(seq) { return self }
        next.received = lines.indices.map { i in
            (i < received.count ? received[i] : 0) + (i < counts.count ? counts[i] : 0)
        }
        next.receivedSSCCs = Array(Set(receivedSSCCs + ssccs)).sorted()
        next.status = .partial(seqs: earlier + [seq])
        return next
    }

    // Documents stored before partial receipts existed have no tallies.
    enum CodingKeys: String, CodingKey { case number, lines, status, received, receivedSSCCs }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(number: try c.decode(String.self, forKey: .number), lines: try c.decode([ASNLine].self, forKey: .lines),
                  status: try c.decode(DocumentStatus.self, forKey: .status),
                  received: try c.decodeIfPresent([Int].self, forKey: .received) ?? [],
                  receivedSSCCs: try c.decodeIfPresent([String].self, forKey: .receivedSSCCs) ?? [])
    }
}

public struct PackOrderLine: Hashable, Sendable, Codable {
    public var item: ItemCode
    public var quantity: Int
    /// When non-empty, only these serials may be packed for this line.
    public var serials: [String]
    public init(item: ItemCode, quantity: Int, serials: [String] = []) {
        self.item = item; self.quantity = quantity; self.serials = serials
    }
}

/// A customer order (or the tote carrying it) to verify at a pack bench.
public struct PackOrder: Hashable, Sendable, Codable {
    public var number: String
    public var tote: String?
    public var lines: [PackOrderLine]
    public var status: DocumentStatus
    /// When the order must leave; pick plans take the earliest first.
    /// Optional, so orders stored before these fields existed still decode.
    public var shipBy: CivilDate?
    public var carrier: String?
    public var service: String?
    /// Higher goes first among orders due the same day (none counts as 0).
    public var priority: Int?
    /// Set by `scanledger order cancel` before its return posting: stations
    /// refuse to pick or pack the order from then on.
    public var cancelled: Bool?
    public init(number: String, tote: String? = nil, lines: [PackOrderLine], status: DocumentStatus = .open,
                shipBy: CivilDate? = nil, carrier: String? = nil, service: String? = nil, priority: Int? = nil) {
        self.number = number; self.tote = tote; self.lines = lines; self.status = status
        self.shipBy = shipBy; self.carrier = carrier; self.service = service; self.priority = priority
    }
}

/// Expected data: ASNs, pack orders and RMAs. The lead backs it with SQLite; the
/// in-memory version below is complete for tests and small sites.
public protocol ExpectedDataStore: AnyObject {
    func asn(number: String) throws -> ASN?
    /// The ASN announcing this pallet/case, if any.
    func asn(containingSSCC sscc: String) throws -> ASN?
    /// An order by its number or by its tote.
    func order(numberOrTote: String) throws -> PackOrder?
    /// Adds or replaces documents in one step (an import file is all-or-nothing).
    func store(asns: [ASN], orders: [PackOrder]) throws
    func markASN(_ number: String, status: DocumentStatus) throws
    func markOrder(_ number: String, status: DocumentStatus) throws
    func rma(number: String) throws -> RMA?
    /// Adds or replaces RMAs in one step.
    func store(rmas: [RMA]) throws
    func markRMA(_ number: String, status: DocumentStatus) throws
    /// The ASN (order, RMA) as the document the posting that completes it
    /// writes in its own transaction, its sequence at `sequencePath`; nil
    /// where the store is not the ledger's database, and the station marks
    /// the document after the posting instead.
    func postingDocument(asn: ASN, sequencePath: String) throws -> PostingDocument?
    func postingDocument(order: PackOrder, sequencePath: String) throws -> PostingDocument?
    func postingDocument(rma: RMA, sequencePath: String) throws -> PostingDocument?
}

extension ExpectedDataStore {
    public func postingDocument(asn: ASN, sequencePath: String) throws -> PostingDocument? { nil }
    public func postingDocument(order: PackOrder, sequencePath: String) throws -> PostingDocument? { nil }
    public func postingDocument(rma: RMA, sequencePath: String) throws -> PostingDocument? { nil }
}

extension DocumentStatus {
    /// Where a document written with `.done(seq: .none)` keeps the sequence
    /// the posting fills in (the JSON Codable gives an enum's case).
    static let doneSequencePath = "$.status.done.seq"
    /// …and one written with `.partial(seqs: [..., .none])`: the last one.
    static let latestPartialSequencePath = "$.status.partial.seqs[#-1]"
}

public final class InMemoryExpectedDataStore: ExpectedDataStore {
    private var asns: [String: ASN] = [:]
    private var asnBySSCC: [String: String] = [:]
    private var orders: [String: PackOrder] = [:]
    private var orderByTote: [String: String] = [:]
    private var rmas: [String: RMA] = [:]

    public init(asns: [ASN] = [], orders: [PackOrder] = []) {
        store(asns, orders)
    }

    public func asn(number: String) throws -> ASN? { asns[number] }
    public func asn(containingSSCC sscc: String) throws -> ASN? { asnBySSCC[sscc].flatMap { asns[$0] } }
    public func order(numberOrTote key: String) throws -> PackOrder? {
        orders[key] ?? orderByTote[key].flatMap { orders[$0] }
    }
    public func store(asns: [ASN], orders: [PackOrder]) throws { store(asns, orders) }

    private func store(_ newASNs: [ASN], _ newOrders: [PackOrder]) {
        for a in newASNs {
            asns[a.number] = a
            for s in a.ssccs { asnBySSCC[s] = a.number }
        }
        for o in newOrders {
            orders[o.number] = o
            if let t = o.tote { orderByTote[t] = o.number }
        }
    }
    public func markASN(_ number: String, status: DocumentStatus) throws { asns[number]?.status = status }
    public func markOrder(_ number: String, status: DocumentStatus) throws { orders[number]?.status = status }
    public func rma(number: String) throws -> RMA? { rmas[number] }
    public func store(rmas new: [RMA]) throws { for r in new { rmas[r.number] = r } }
    public func markRMA(_ number: String, status: DocumentStatus) throws { rmas[number]?.status = status }
}
