// What a station needs from the ledger, declared beside the posting contract:
// the Ledger implements StockLookup and MasterData itself, the service adds
// metrics around PostingGateway, and station tests use in-memory fakes.

/// Posts to the ledger. Returns only after commit; throws when the ledger
/// could not be reached (the station keeps its session and can retry with the
/// same key). Synchronous on purpose: a station is a serial state machine and
/// a commit takes milliseconds; the service runs each station on its own queue.
public protocol PostingGateway: AnyObject {
    func post(_ request: PostingRequest) throws -> PostingOutcome
}

/// A balance at one physical location.
public struct StockBalance: Hashable, Sendable, Codable {
    public var item: ItemCode
    public var lot: String?
    public var serial: String?
    public var qty: Int64
    public init(item: ItemCode, lot: String? = nil, serial: String? = nil, qty: Int64) {
        self.item = item; self.lot = lot; self.serial = serial; self.qty = qty
    }
}

/// Where a serialised unit (by EPC) is known to the ledger.
public struct SerialPosition: Hashable, Sendable {
    public var item: ItemCode
    public var serial: String
    public var lot: String?
    /// Nil when the serial is known but not on hand anywhere (shipped, written off).
    public var location: LocationCode?
    public init(item: ItemCode, serial: String, lot: String? = nil, location: LocationCode?) {
        self.item = item; self.serial = serial; self.lot = lot; self.location = location
    }
}

/// Read-only stock queries against the ledger.
public protocol StockLookup: AnyObject {
    /// On hand of an item at a location; `lot` nil sums over all lots.
    func onHand(item: ItemCode, lot: String?, at location: LocationCode) throws -> Int64
    /// Every non-zero balance at a physical location.
    func balances(at location: LocationCode) throws -> [StockBalance]
    /// Where a serial is on hand, nil when nowhere.
    func location(ofItem item: ItemCode, serial: String) throws -> SerialPosition?
    /// The serial an EPC is registered to, nil when the ledger never saw it.
    func position(ofEPC epc: EPC) throws -> SerialPosition?
    /// The ledger's latest committed sequence.
    func ledgerSequence() throws -> LedgerSequence
    /// The sequence of the latest posting touching that location (`.none`: never).
    func lastChange(at location: LocationCode) throws -> LedgerSequence
    /// Why a lot of an item is on hold (a recall), nil when it is not: every
    /// unit of a held lot is refused by moves, picks and packs.
    func holdReason(item: ItemCode, lot: String) throws -> String?
}

/// What earlier postings of a document moved. A return station asks it what
/// an order shipped (its `pack` postings) and what already came back (its
/// `return` postings), both by the order as `ref`.
public protocol PostingHistory: AnyObject {
    /// The units postings of `kind` with document `ref` put somewhere (their
    /// positive entries), summed per item, lot and serial. Postings that were
    /// reversed do not count: a reversed pack shipped nothing.
    func postedUnits(kind: PostingKind, ref: String) throws -> [StockBalance]
    /// The documents (`ref`) of postings of `kind` that put this serial of
    /// `item` somewhere, newest first, reversed postings left out: the order
    /// that shipped a serialised unit, for a return by serial or EPC alone.
    func refs(kind: PostingKind, item: ItemCode, serial: String) throws -> [String]
}

public struct ItemRecord: Hashable, Sendable {
    public var code: ItemCode
    public var description: String
    public var tracking: Tracking
    public init(code: ItemCode, description: String = "", tracking: Tracking = .none) {
        self.code = code; self.description = description; self.tracking = tracking
    }
}

public struct LocationRecord: Hashable, Sendable {
    public var code: LocationCode
    public var kind: LocationKind
    public init(code: LocationCode, kind: LocationKind) { self.code = code; self.kind = kind }
}

/// Puts a whole lot on hold from a station (a recall scanned at the shelf):
/// the hold and its `lot-held` journal entry commit together.
public protocol LotHoldGateway: AnyObject {
    /// False when the lot was already on hold (its first hold stands).
    func holdLot(item: ItemCode, lot: String, reason: String, operatorID: String?, station: String) throws -> Bool
}

/// Items and locations from the ledger's master data.
public protocol MasterData: AnyObject {
    func item(_ code: ItemCode) throws -> ItemRecord?
    func location(_ code: LocationCode) throws -> LocationRecord?
}

/// Appends station journal entries that belong to no posting (refusals,
/// overrides, sign-ins). Returns after they are durable.
public protocol JournalSink: AnyObject {
    func record(_ entries: [JournalEntry]) throws
}
