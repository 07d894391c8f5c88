import Foundation
import ScanModel

/// The names of command barcodes (and device triggers) a station reacts to.
/// Configurable because sites print their own command sheets.
public struct CommandNames: Hashable, Sendable {
    public var close = "CLOSE"
    /// Receiving: post what arrived and keep the ASN open for the rest.
    public var partial = "PARTIAL"
    public var override = "OVERRIDE"
    /// Receiving: the unit due for inspection passed.
    public var pass = "PASS"
    public var confirm = "CONFIRM"
    public var undo = "UNDO"
    public var cancel = "CANCEL"
    public var complete = "COMPLETE"
    public var shortPack = "SHORT-PACK"
    /// Picking: the stop has fewer than planned; the rest is backordered.
    public var shortPick = "SHORT-PICK"
    public var countStart = "COUNT-START"
    public var countStop = "COUNT-STOP"
    /// A handheld trigger press: starts a count when idle, stops it when counting.
    public var trigger = "TRIGGER"
    /// Signs the operator out of the station.
    public var signOut = "SIGN-OUT"
    /// Returns: where the unit just scanned goes.
    public var restock = "RESTOCK"
    public var quarantine = "QUARANTINE"
    public var damaged = "DAMAGED"
    /// Returns: the unit goes back to its supplier (waits at `vendor_location`).
    public var returnToVendor = "RETURN-TO-VENDOR"
    /// Puts the lot scanned next on hold (a recall), with the reason scanned before.
    public var holdLot = "HOLD-LOT"
    public init() {}
}

/// Everything outside the station that it talks to.
public struct StationDependencies {
    public let ledger: PostingGateway
    public let stock: StockLookup
    public let master: MasterData
    public let expected: ExpectedDataStore
    public let sessions: SessionStore
    /// Who the station works for on the current input (device, operator,
    /// reason); stations keep a reason with what an override accepted.
    public let attribution: Attribution
    /// Earlier pack and ship postings; only the ship station needs them.
    public let shipments: ShipmentLookup?
    /// What earlier postings of a document moved; only the returns station
    /// needs it (what an order shipped and what already came back).
    public let history: PostingHistory?
    /// Where a lot hold scanned at a station goes (`HOLD-LOT`); nil: refused.
    public let lotHolds: LotHoldGateway?
    /// What session timeouts are measured on; nil: the inputs' own time
    /// (virtual time in tests and replays). The daemon gives `.system`.
    public let clocks: IntervalClocks?
    public init(ledger: PostingGateway, stock: StockLookup, master: MasterData,
                expected: ExpectedDataStore, sessions: SessionStore, attribution: Attribution = Attribution(),
                shipments: ShipmentLookup? = nil, history: PostingHistory? = nil, lotHolds: LotHoldGateway? = nil,
                clocks: IntervalClocks? = nil) {
        self.ledger = ledger; self.stock = stock; self.master = master
        self.expected = expected; self.sessions = sessions; self.attribution = attribution
        self.shipments = shipments; self.history = history; self.lotHolds = lotHolds; self.clocks = clocks
    }
}

public struct StationError: Error, CustomStringConvertible, Sendable {
    public let station: String
    public let message: String
    public var description: String { "station \(station): \(message)" }
}

/// Common surface of every station state machine. A station is not
/// thread-safe: the service feeds each one from a single queue.
public protocol Station: AnyObject {
    var name: String { get }
    var view: StationView { get }
    /// True while a session (receipt, move, count, carton) is open.
    var hasOpenSession: Bool { get }
    func handle(_ input: StationInput, at time: Microseconds) -> StationEvent
    /// Drops the open session without posting (explicit abandon after a restart).
    func abandon() throws
}

enum Submission {
    case committed(seq: LedgerSequence)
    case refused(Feedback)
}

/// Sends a posting; both "posted" and "duplicate" mean the ledger holds it.
func submit(_ request: PostingRequest, to ledger: PostingGateway) -> Submission {
    do {
        switch try ledger.post(request) {
        case .posted(let seq), .duplicate(let seq): return .committed(seq: seq)
        case .rejected(let reason):
            return .refused(.error(.postingRejected, "ledger refused \(request.kind.rawValue) \(request.key): \(reason)"))
        }
    } catch {
        return .refused(storageFullRefusal(error, "\(request.kind.rawValue) \(request.key) not posted")
                        ?? .error(.ledgerUnavailable, "ledger unavailable (\(error)); nothing posted, try again"))
    }
}

func unavailable(_ error: Error) -> Feedback {
    storageFullRefusal(error, "nothing changed") ?? .error(.ledgerUnavailable, "lookup failed (\(error)); nothing changed, scan again")
}

func notSaved(_ error: Error) -> Feedback {
    storageFullRefusal(error, "scan not taken") ?? .error(.sessionNotSaved, "session could not be saved (\(error)); scan not taken, scan again")
}

/// A write the disk had no room for gets its own refusal: "scan again" would
/// not help until someone frees space, and the operator must hear an error
/// (the scan was not saved), never the good signal. Nil for other errors.
func storageFullRefusal(_ error: Error, _ what: String) -> Feedback? {
    guard isStorageFull(error) else { return nil }
    return .error(.storageFull, "storage full on this box: \(what); call a supervisor to free disk space (\(error))")
}

/// Sums lines with the same accounts so one posting carries each account once.
func aggregate(_ lines: [PostingLine]) -> [PostingLine] {
    struct Key: Hashable { let item: ItemCode; let from: LocationCode; let to: LocationCode; let lot: String?; let serial: String? }
    var order: [Key] = []
    var merged: [Key: PostingLine] = [:]
    for l in lines {
        let k = Key(item: l.item, from: l.from, to: l.to, lot: l.lot, serial: l.serial)
        if var m = merged[k] {
            m.qty += l.qty
            if m.expiry == nil { m.expiry = l.expiry }
            merged[k] = m
        } else {
            merged[k] = l; order.append(k)
        }
    }
    return order.compactMap { merged[$0] }
}

/// Upper bound for a single scanned quantity: keeps sums far from overflow.
let maxScanQuantity = 1_000_000

/// Time from `start` to `now` in µs, saturating: device clocks can send garbage
/// and a timeout check must not trap on it.
func elapsed(from start: Int64, to now: Microseconds) -> Int64 {
    let (d, overflow) = now.value.subtractingReportingOverflow(start)
    return overflow ? (now.value < start ? Int64.min : Int64.max) : d
}

func unrecognizedBarcode(_ text: String) -> Feedback {
    let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
    return .error(.unknownBarcode, "barcode '\(shown)' is not an item, location, document or command")
}

/// One scan's worth of goods in a move or a carton, saved in the session.
/// Lines from one scan share a group, so "undo" removes a whole pallet or
/// tunnel cycle; `add` numbers the group.
struct ScannedLine: Codable, Hashable {
    var item: ItemCode
    var lot: String?
    var serial: String?
    var epc: String?
    var quantity: Int
    var group: Int = 0

    init(item: ItemCode, lot: String?, serial: String?, epc: String?, quantity: Int) {
        self.item = item; self.lot = lot; self.serial = serial; self.epc = epc; self.quantity = quantity
    }

    /// A trade item barcode: its quantity, else one unit.
    init(_ scan: TradeItemScan) {
        self.init(item: ItemCode(gtin: scan.gtin), lot: scan.lot, serial: scan.serial, epc: nil, quantity: scan.quantity ?? 1)
    }

    /// One tagged unit: an SGTIN names its item and serial itself, any other
    /// EPC is looked up in the ledger. Nil when the ledger does not know it.
    init?(tag: EPCTag, stock: StockLookup) throws {
        if let gtin = tag.gtin, let serial = tag.serial {
            self.init(item: ItemCode(gtin: gtin), lot: nil, serial: serial, epc: tag.epc.hex, quantity: 1)
            return
        }
        guard let p = try stock.position(ofEPC: tag.epc) else { return nil }
        self.init(item: p.item, lot: p.lot, serial: p.serial, epc: tag.epc.hex, quantity: 1)
    }
}

/// The units one read of tags adds to `taken` (tags already there are
/// skipped), or the refusal: an unknown tag (`putBack` says what to do with
/// it) or a failed lookup. Shared by the stations that take tagged units.
func newUnits(_ tags: [EPCTag], besides taken: [ScannedLine], stock: StockLookup, putBack: String) -> TagUnits {
    var units: [ScannedLine] = []
    for t in tags where !taken.contains(where: { $0.epc == t.epc.hex }) {
        do {
            guard let unit = try ScannedLine(tag: t, stock: stock) else { return .refused(.error(.unknownEPC, "tag \(t.epc.hex) is unknown: \(putBack)")) }
            units.append(unit)
        } catch { return .refused(unavailable(error)) }
    }
    return .units(units)
}

enum TagUnits {
    case units([ScannedLine])
    case refused(Feedback)
}

/// The tags and serial numbers a session already holds, so a portal or a
/// sweep of thousands of tags checks each one in O(1). Never persisted:
/// rebuilt from the session's state.
struct SeenUnits {
    private struct Serial: Hashable { let item: ItemCode; let serial: String }
    private var epcs = Set<String>()
    private var serials = Set<Serial>()

    mutating func insert(item: ItemCode, serial: String?, epc: String?) {
        if let epc { epcs.insert(epc) }
        if let serial { serials.insert(Serial(item: item, serial: serial)) }
    }
    /// A tag that names no item (counted as unknown).
    mutating func insert(epc: String) { epcs.insert(epc) }

    func contains(epc: String) -> Bool { epcs.contains(epc) }
    func contains(item: ItemCode, serial: String) -> Bool { serials.contains(Serial(item: item, serial: serial)) }
}
