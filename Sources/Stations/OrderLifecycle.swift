import ScanModel

// An order's status is not a mutable column: each change is a station journal
// entry (`order-status`, document = the order), so the history says who moved
// it, when, at which station and device, and the current status is the newest
// entry. Backorders are journal entries too (`backordered`, one per item short),
// which the KPI reports count; docs/ledger.md lists both kinds.

/// Where an order is in its life, in the words `scanledger orders --status` takes.
public enum OrderStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case open, picking, picked, packed, shipped
    case partiallyShipped = "partially-shipped"
    case cancelled

    /// A cancelled or fully shipped order takes no more picks, packs or ships.
    public var isFinal: Bool { self == .shipped || self == .cancelled }
}

/// The journal codes order changes use; other reports key on these names.
public enum OrderJournalCode {
    public static let status = "order-status"
    public static let backordered = "backordered"
    /// A location where a picker found less than the plan: count it.
    public static let cycleCountCandidate = "cycle-count-candidate"
    public static let cancelled = "order-cancelled"
}

/// Builds the order journal entries, so every station writes the same shape.
public enum OrderJournal {
    /// One status change. `device` and `operator` are stamped by the
    /// attended station from the input being handled.
    public static func statusChange(order: String, to status: OrderStatus, station: String, at time: Microseconds,
                                    reason: String? = nil) -> JournalEntry {
        JournalEntry(time: time, station: station, code: OrderJournalCode.status, severity: .info, document: order, reason: reason,
                     message: "order \(order) is \(status.rawValue)",
                     detail: JSONText.object([("status", JSONText.quote(status.rawValue))]))
    }

    /// A quantity that was not picked or packed and is still owed to the customer.
    public static func backordered(order: String, item: ItemCode, quantity: Int, because cause: String,
                                   station: String, at time: Microseconds) -> JournalEntry {
        JournalEntry(time: time, station: station, code: OrderJournalCode.backordered, severity: .warning, document: order,
                     message: "order \(order): \(quantity) × \(item) backordered (\(cause))",
                     detail: JSONText.object([("item", JSONText.quote(item.code)), ("qty", String(quantity)),
                                              ("cause", JSONText.quote(cause))]))
    }

    /// The status an order has after these entries of its journal, oldest first.
    public static func currentStatus(_ entries: [JournalEntry]) -> OrderStatus {
        var status = OrderStatus.open
        for e in entries where e.code == OrderJournalCode.status {
            if let s = statusField(e.detail).flatMap(OrderStatus.init(rawValue:)) { status = s }
        }
        return status
    }

    /// The `status` member of an entry's detail (written by `statusChange` only).
    static func statusField(_ detail: String) -> String? {
        guard let node = try? JSONReader.parse(Array(detail.utf8), file: "journal"),
              case .string(let s)? = node["status"]?.value else { return nil }
        return s
    }
}

/// The optional scheduling fields of an imported order, checked the way every
/// import field is: the right type or an error at file:line:column.
extension ExpectedImport {
    static func shipBy(_ f: Positioned<String>?, file: String) throws -> CivilDate? {
        guard let f, !f.value.trimmingSpaces.isEmpty else { return nil }
        guard let d = CivilDate(iso: f.value.trimmingSpaces) else {
            throw ImportError(file: file, line: f.line, column: f.column, message: "ship_by must be a date YYYY-MM-DD, not '\(f.value)'")
        }
        return d
    }

    static func priority(_ f: Positioned<String>?, file: String) throws -> Int? {
        guard let f, !f.value.trimmingSpaces.isEmpty else { return nil }
        guard let p = Int(f.value.trimmingSpaces), (0...999).contains(p) else {
            throw ImportError(file: file, line: f.line, column: f.column, message: "priority must be a whole number from 0 to 999, not '\(f.value)'")
        }
        return p
    }

    /// JSON members that must be strings (a date, a carrier name) or numbers
    /// (priority): a number where text belongs, or text where a number
    /// belongs, is refused rather than guessed at.
    static func checkOrderMemberTypes(_ nodes: [String: JSONNode], file: String) throws {
        for name in ["ship_by", "carrier", "service"] {
            if let n = nodes[name], case .string = n.value {} else if let n = nodes[name] {
                throw fail(n, file, "'\(name)' must be a string, found \(n.value.kindDescription)")
            }
        }
        if let n = nodes["priority"] {
            guard case .number = n.value else { throw fail(n, file, "'priority' must be a number, found \(n.value.kindDescription)") }
        }
    }

    /// Applies the scheduling fields of one order (CSV row or JSON object).
    static func schedule(_ order: inout PackOrder, get: (String) -> Positioned<String>?, file: String) throws {
        if let d = try shipBy(get("ship_by"), file: file) { order.shipBy = d }
        if let c = optional(get("carrier")) { order.carrier = c }
        if let s = optional(get("service")) { order.service = s }
        if let p = try priority(get("priority"), file: file) { order.priority = p }
    }
}

extension StationDependencies {
    /// `shipped` when these lines and the order's earlier ship postings cover
    /// every unit ordered, `partially-shipped` while some are still owed (a
    /// backorder to pick later); nil when the order or the history is unknown.
    func statusAfterShipping(order number: String, lines: [PostingLine]) -> OrderStatus? {
        guard let history, let order = try? expected.order(numberOrTote: number), order.number == number,
              let earlier = try? history.postedUnits(kind: .ship, ref: number) else { return nil }
        var owed: [ItemCode: Int64] = [:]
        for l in order.lines { owed[l.item, default: 0] += Int64(l.quantity) }
        // The ship posting's positive entries are at @customer, which is where postedUnits counts them.
        for b in earlier { owed[b.item, default: 0] -= b.qty }
        for l in lines { owed[l.item, default: 0] -= l.qty }
        return owed.values.contains { $0 > 0 } ? .partiallyShipped : .shipped
    }
}

/// What postings have not yet done for an order: the backorder the pick and
/// pack stations and `scanledger pick plan` work from.
public enum OrderProgress {
    /// What of an order `kind` postings (pick moves, packs) have not yet
    /// covered, per item (never below 0).
    public static func stillOwed(_ order: PackOrder, by kind: PostingKind, history: PostingHistory) throws -> [ItemCode: Int] {
        var owed: [ItemCode: Int] = [:]
        for l in order.lines { owed[l.item, default: 0] += l.quantity }
        for b in try history.postedUnits(kind: kind, ref: order.number) where owed[b.item] != nil {
            owed[b.item]! -= Int(clamping: b.qty)
        }
        return owed.mapValues { max(0, $0) }
    }

    /// What a pick of the order still has to bring: neither picked into a
    /// tote nor packed some other way (stock a bench packed without a pick).
    public static func stillToPick(_ order: PackOrder, history: PostingHistory) throws -> [ItemCode: Int] {
        try stillOwed(order, by: .move, history: history).merging(try stillOwed(order, by: .pack, history: history), uniquingKeysWith: min)
    }
}

extension StationDependencies {
    /// `OrderProgress.stillOwed`; nil when the station has no posting history to ask.
    func stillOwed(_ order: PackOrder, by kind: PostingKind) throws -> [ItemCode: Int]? {
        try history.map { try OrderProgress.stillOwed(order, by: kind, history: $0) }
    }

    func stillToPick(_ order: PackOrder) throws -> [ItemCode: Int]? {
        try history.map { try OrderProgress.stillToPick(order, history: $0) }
    }
}
