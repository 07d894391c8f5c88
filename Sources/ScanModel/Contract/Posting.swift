// The posting contract: what a station (or `scanledger post`) asks the ledger
// to record and what the ledger answers. One definition for every module, so
// no adapter converts one kind of posting into another.

/// The ledger's own position of a posting: 1, 2, 3… without gaps, in commit
/// order (0: none yet). Int64 because SQLite stores it so; JSON carries the
/// bare number.
public struct LedgerSequence: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public let value: Int64
    public init(_ value: Int64) { self.value = value }
    public init(integerLiteral value: Int64) { self.value = value }
    public static let none = LedgerSequence(0)
    public static func < (a: LedgerSequence, b: LedgerSequence) -> Bool { a.value < b.value }
    public var description: String { String(value) }

    public init(from decoder: Decoder) throws { value = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(value)
    }
}

public enum PostingKind: String, Hashable, Sendable, Codable, CaseIterable {
    case receipt, move, adjustment, pack, ship, reversal
    /// Held stock (quarantine, damaged) back to an available location; needs a reason and an operator.
    case release
    /// Stock written off to `@scrap`; needs a reason and an operator.
    case scrap
    /// Goods a customer sent back (`@customer` → restock, quarantine or
    /// damaged locations); `ref` is the original order.
    case `return`

    /// Kinds that take stock for use (put away, pick, pack, ship): they may
    /// not take held stock (a quarantine/damaged location, a held lot).
    public var takesAvailableStockOnly: Bool { self == .move || self == .pack || self == .ship }
}

/// One side of a posting: a signed quantity on an account (location × item ×
/// lot/serial). Quantities are Int64 everywhere, as the ledger stores them.
public struct PostingEntry: Hashable, Sendable {
    public var location: LocationCode
    public var item: ItemCode
    public var lot: String?
    public var serial: String?
    /// Hex EPC of the serial, remembered on first sight.
    public var epc: String?
    /// Expiry of the lot, remembered when the lot is first seen.
    public var expiry: CivilDate?
    public var qty: Int64
    public init(location: LocationCode, item: ItemCode, lot: String? = nil, serial: String? = nil,
                epc: String? = nil, expiry: CivilDate? = nil, qty: Int64) {
        self.location = location; self.item = item; self.lot = lot; self.serial = serial
        self.epc = epc; self.expiry = expiry; self.qty = qty
    }
}

/// A movement of `qty` from one location to another: two entries that sum to
/// zero, so a posting built from lines is balanced by construction.
public struct PostingLine: Hashable, Sendable, Codable {
    public var item: ItemCode
    public var qty: Int64
    public var from: LocationCode
    public var to: LocationCode
    public var lot: String?
    public var serial: String?
    public var epc: String?
    /// Only informative for the ledger's lot master data (receipts).
    public var expiry: CivilDate?
    public init(item: ItemCode, qty: Int64, from: LocationCode, to: LocationCode, lot: String? = nil,
                serial: String? = nil, epc: String? = nil, expiry: CivilDate? = nil) {
        self.item = item; self.qty = qty; self.from = from; self.to = to
        self.lot = lot; self.serial = serial; self.epc = epc; self.expiry = expiry
    }

    /// The `from` side first. `0 &- qty` cannot trap; for the one quantity
    /// whose negation wraps (Int64.min) the ledger refuses the sum as overflowing.
    public var entries: [PostingEntry] {
        [PostingEntry(location: from, item: item, lot: lot, serial: serial, epc: epc, expiry: expiry, qty: 0 &- qty),
         PostingEntry(location: to, item: item, lot: lot, serial: serial, epc: epc, expiry: expiry, qty: qty)]
    }
}

/// When the event happened, as the posting's client knows it.
public enum PostingTime: Hashable, Sendable, ExpressibleByStringLiteral {
    /// Device time (µs since the Unix epoch); the ledger writes it as UTC text.
    case device(Microseconds)
    /// RFC 3339 text with its UTC offset, kept verbatim (CLI input, imports).
    case written(String)
    public init(stringLiteral text: String) { self = .written(text) }
}

/// A posting as a client asks for it. `key` is the idempotency key: the same
/// key with the same payload is answered "duplicate", so a retried request
/// after a crash never posts twice.
public struct PostingRequest: Hashable, Sendable {
    public var key: String
    public var kind: PostingKind
    /// ASN/PO, order or count id.
    public var ref: String?
    public var station: String?
    public var device: String?
    public var eventTime: PostingTime?
    /// The carton's SSCC a `pack` posting packs into (EPCIS aggregation).
    public var sscc: String?
    public var entries: [PostingEntry]
    /// The posting a `reversal` undoes.
    public var reverses: LedgerSequence?
    /// Create unknown items (GTIN only) and locations instead of rejecting.
    public var autoCreate: Bool
    /// Who was signed in at the station (badge id), if anyone.
    public var operatorID: String? = nil
    /// The reason code given for an override this posting carries.
    public var reason: String? = nil
    /// Station journal entries that commit in the same transaction as the
    /// posting (a receipt's discrepancies, a short pack's shortages). Not
    /// part of the idempotency payload: a retry of the same key is a
    /// duplicate and writes them no second time.
    public var journal: [JournalEntry] = []
    /// The station whose saved session this posting completes: the ledger
    /// deletes the session in the posting's own transaction, so a committed
    /// posting never leaves its session behind to be resumed and confirmed
    /// again (a full disk used to fail the separate close). Not part of the
    /// idempotency payload.
    public var closesSession: String? = nil
    /// Documents the posting writes in its own transaction: the ASN or
    /// order it completes, marked with it, so a committed receipt or pack
    /// never leaves its document open to be posted again. Not part of the
    /// idempotency payload.
    public var documents: [PostingDocument] = []

    public init(key: String, kind: PostingKind, ref: String? = nil, station: String? = nil, device: String? = nil,
                eventTime: PostingTime? = nil, sscc: String? = nil, entries: [PostingEntry], autoCreate: Bool = false) {
        self.key = key; self.kind = kind; self.ref = ref; self.station = station; self.device = device
        self.eventTime = eventTime; self.sscc = sscc; self.entries = entries; self.reverses = nil; self.autoCreate = autoCreate
    }

    public init(key: String, kind: PostingKind, ref: String? = nil, station: String? = nil, device: String? = nil,
                eventTime: PostingTime? = nil, sscc: String? = nil, lines: [PostingLine], autoCreate: Bool = false) {
        self.init(key: key, kind: kind, ref: ref, station: station, device: device, eventTime: eventTime, sscc: sscc,
                  entries: lines.flatMap(\.entries), autoCreate: autoCreate)
    }

    /// A reversal of posting `seq` under idempotency key `key`.
    public static func reversal(of seq: LedgerSequence, key: String, station: String? = nil, device: String? = nil) -> PostingRequest {
        var r = PostingRequest(key: key, kind: .reversal, station: station, device: device, entries: [])
        r.reverses = seq
        return r
    }
}

/// A document (kind, key, JSON body, aliases) a posting writes with itself.
/// The posting's sequence is known only inside its transaction, so the
/// ledger writes it into the body at `sequencePath` (a SQLite JSON path such
/// as `$.status.done.seq`, which must name a value already in the body).
public struct PostingDocument: Hashable, Sendable {
    public var kind: String
    public var key: String
    public var body: String
    public var aliases: [String]
    public var sequencePath: String?
    public init(kind: String, key: String, body: String, aliases: [String] = [], sequencePath: String? = nil) {
        self.kind = kind; self.key = key; self.body = body; self.aliases = aliases; self.sequencePath = sequencePath
    }
}

public enum PostingStatus: String, Hashable, Sendable {
    case posted, duplicate, rejected
}

/// The ledger's answer, given only after the posting's transaction committed.
public enum PostingOutcome: Hashable, Sendable {
    case posted(seq: LedgerSequence)
    /// Same key and payload seen before: the original sequence.
    case duplicate(seq: LedgerSequence)
    /// Refused by an invariant (negative stock, serial twice, key conflict…),
    /// or a remembered refusal of the same key.
    case rejected(reason: String)

    public var status: PostingStatus {
        switch self {
        case .posted: .posted
        case .duplicate: .duplicate
        case .rejected: .rejected
        }
    }
    /// The posting's sequence; nil when rejected.
    public var seq: LedgerSequence? {
        switch self {
        case .posted(let seq), .duplicate(let seq): seq
        case .rejected: nil
        }
    }
    public var rejection: String? {
        if case .rejected(let reason) = self { return reason }
        return nil
    }
}
