import ScanModel

public struct PickConfig: Sendable {
    public var station: String
    /// The pick area: where plans look for stock. Also the walking sequence
    /// when `walkBySequence` is set; otherwise stops go by location code.
    public var pickLocations: [LocationCode]
    public var walkBySequence = false
    /// Totes are ledger locations whose code starts with this (picked stock
    /// sits in them, visible in `stock`, until the pack bench takes it).
    public var totePrefix = "TOTE-"
    /// A lot picked while an earlier-expiring one waits in the area: a
    /// warning by default, refused when the site says so.
    public var fefoIsError = false
    public var commands = CommandNames()
    public init(station: String, pickLocations: [LocationCode]) {
        self.station = station; self.pickLocations = pickLocations
    }
    public var walking: WalkingOrder { WalkingOrder(sequence: walkBySequence ? pickLocations : []) }
}

/// Lot expiry dates, for first-expiry-first-out; the ledger keeps them with its lots.
public protocol LotExpiryLookup: AnyObject {
    func expiry(item: ItemCode, lot: String) throws -> CivilDate?
}

extension FeedbackCode {
    public static let wrongLocation: FeedbackCode = "wrong-location"
    public static let wrongItem: FeedbackCode = "wrong-item"
    public static let wrongLot: FeedbackCode = "wrong-lot"
    public static let overPick: FeedbackCode = "over-pick"
    public static let wrongTote: FeedbackCode = "wrong-tote"
    /// A later-expiring lot picked while an earlier one is on hand in the area.
    public static let fefo: FeedbackCode = "fefo"
    public static let shortPicked: FeedbackCode = "short-picked"
}

/// What a pick session owes the journal but has not written yet: it rides on
/// the session's next posting (same transaction), or is written on its own
/// when the session ends with nothing left to post.
struct PendingOrderNote: Codable, Hashable {
    enum Kind: String, Codable { case status, backordered, cycleCount }
    var kind: Kind
    var order: String
    var status: OrderStatus?
    var item: ItemCode?
    var location: LocationCode?
    var lot: String?
    var quantity: Int = 0
    var time: Int64

    func entry(station: String) -> JournalEntry {
        let at = Microseconds(time)
        switch kind {
        case .status:
            return OrderJournal.statusChange(order: order, to: status ?? .picking, station: station, at: at)
        case .backordered:
            return OrderJournal.backordered(order: order, item: item ?? "", quantity: quantity, because: "short pick", station: station, at: at)
        case .cycleCount:
            let where_ = location?.code ?? ""
            return JournalEntry(time: at, station: station, code: OrderJournalCode.cycleCountCandidate, severity: .warning, document: order,
                                message: "\(where_) had \(quantity) × \(item?.code ?? "") fewer than planned\(lot.map { " (lot \($0))" } ?? ""): count it",
                                detail: JSONText.object([("location", JSONText.quote(where_)), ("item", JSONText.quote(item?.code)),
                                                         ("lot", JSONText.quote(lot)), ("missing", String(quantity))]))
        }
    }
}

/// A pick walk in progress, saved before every answer so a restart resumes it.
struct PickState: Codable {
    var session: UInt64
    var plan: PickPlan
    /// The stop being worked (index into `plan.tasks`); `tasks.count`: finished.
    var next = 0
    /// The picker has scanned the stop's location.
    var atLocation = false
    /// Units scanned at this stop, not yet in a tote.
    var scanned: [ScannedLine] = []
    /// The stop was closed short: what was scanned goes to the tote, the rest is backordered.
    var closedShort = false
    /// Units put into totes per stop (index into `plan.tasks`).
    var picked: [Int] = []
    var notes: [PendingOrderNote] = []
    /// Orders whose `picking` status is already on its way to the journal.
    var started: [String] = []
    var lastActivity: Int64

    var task: PickTask? { next < plan.tasks.count ? plan.tasks[next] : nil }
    var scannedQuantity: Int { scanned.reduce(0) { $0 + $1.quantity } }
    /// The stop's units are all scanned (or it was closed short): next comes the tote.
    var awaitingTote: Bool {
        guard let t = task else { return false }
        return closedShort || scannedQuantity >= t.quantity
    }
    /// True when no stop after `index` belongs to `order`.
    func isLastStop(_ index: Int, of order: String) -> Bool {
        !plan.tasks[(index + 1)...].contains { $0.order == order }
    }
}
