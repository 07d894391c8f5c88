import Foundation
import Ledger
import ScanModel
import Stations

// What `scanledger orders`, `scanledger order show` and the control socket's
// `orders` / `order` requests answer: the imported order, its status from the
// journal, and per item what the ledger's postings with the order as `ref`
// did with it. One place, so the CLI and the socket cannot disagree.

/// One order in a list: its schedule and current status.
public struct OrderSummary: Sendable, Equatable {
    public var number: String
    public var status: OrderStatus
    /// When the status last changed (journal time, UTC text); nil: never.
    public var changed: String?
    public var changedMicros: Int64?
    public var order: PackOrder

    public var jsonText: String {
        let q = JSONText.quote
        return JSONText.object([("order", q(number)), ("status", q(status.rawValue)), ("changed", q(changed)),
                                ("ship_by", q(order.shipBy?.iso)), ("carrier", q(order.carrier)), ("service", q(order.service)),
                                ("priority", order.priority.map(String.init) ?? "null"), ("tote", q(order.tote))])
    }
    public static let csvHeader = ["order", "status", "changed", "ship_by", "carrier", "service", "priority", "tote"]
    public var csvFields: [String] {
        [number, status.rawValue, changed ?? "", order.shipBy?.iso ?? "", order.carrier ?? "", order.service ?? "",
         order.priority.map(String.init) ?? "", order.tote ?? ""]
    }
}

/// One item of an order: what was ordered and what became of it.
public struct OrderLineReport: Sendable, Equatable {
    public var item: ItemCode
    public var ordered = 0, picked = 0, packed = 0, shipped = 0, backordered = 0, returned = 0

    public var jsonText: String {
        JSONText.object([("item", JSONText.quote(item.code)), ("ordered", String(ordered)), ("picked", String(picked)),
                         ("packed", String(packed)), ("shipped", String(shipped)), ("backordered", String(backordered)),
                         ("returned", String(returned))])
    }
}

public enum OrderReports {
    /// The `ref` of the move that takes a cancelled order's picked stock back out of its tote.
    public static func cancelRef(_ order: String) -> String { "cancel/\(order)" }

    /// Every imported order, oldest number first, narrowed by status and by
    /// the time of its last status change (`since`, µs).
    public static func list(_ ledger: Ledger, status: OrderStatus? = nil, since: Microseconds? = nil) throws -> [OrderSummary] {
        var out: [OrderSummary] = []
        for doc in try ledger.documents(kind: "order").sorted(by: { $0.key < $1.key }) {
            let order = try JSONDecoder().decode(PackOrder.self, from: Data(doc.body.utf8))
            let summary = try summary(ledger, order)
            if let status, summary.status != status { continue }
            if let since, (summary.changedMicros ?? Int64.min) < since.value { continue }
            out.append(summary)
        }
        return out
    }

    static func summary(_ ledger: Ledger, _ order: PackOrder) throws -> OrderSummary {
        let changes = try ledger.stationJournal(JournalQuery(code: OrderJournalCode.status, document: order.number))
        return OrderSummary(number: order.number, status: OrderJournal.currentStatus(changes.map(\.entry)),
                            changed: changes.last?.timeText, changedMicros: changes.last?.entry.time.value, order: order)
    }

    /// The order with its lines (nil when no such order was imported).
    public static func show(_ ledger: Ledger, number: String) throws -> (OrderSummary, [OrderLineReport])? {
        guard let body = try ledger.document(kind: "order", key: number) else { return nil }
        let order = try JSONDecoder().decode(PackOrder.self, from: Data(body.utf8))
        var lines: [ItemCode: OrderLineReport] = [:]
        var items: [ItemCode] = []
        func add(_ item: ItemCode, _ change: (inout OrderLineReport) -> Void) {
            if lines[item] == nil { items.append(item); lines[item] = OrderLineReport(item: item) }
            change(&lines[item]!)
        }
        for l in order.lines { add(l.item) { $0.ordered += l.quantity } }
        // A pick is a move with the order as ref; a cancel's return from the
        // tote has its own ref, so it is not a pick but counts as returned.
        for b in try ledger.postedUnits(kind: .move, ref: number) { add(b.item) { $0.picked += Int(b.qty) } }
        for b in try ledger.postedUnits(kind: .move, ref: cancelRef(number)) { add(b.item) { $0.returned += Int(b.qty) } }
        for b in try ledger.postedUnits(kind: .pack, ref: number) { add(b.item) { $0.packed += Int(b.qty) } }
        for b in try ledger.postedUnits(kind: .ship, ref: number) { add(b.item) { $0.shipped += Int(b.qty) } }
        for b in try ledger.postedUnits(kind: .return, ref: number) { add(b.item) { $0.returned += Int(b.qty) } }
        for r in try ledger.stationJournal(JournalQuery(code: OrderJournalCode.backordered, document: number)) {
            guard let node = try? JSONReader.parse(Array(r.entry.detail.utf8), file: "journal"),
                  case .string(let item)? = node["item"]?.value, case .number(let n)? = node["qty"]?.value,
                  let qty = Int(n.text) else { continue }
            add(ItemCode(item)) { $0.backordered += qty }
        }
        return (try summary(ledger, order), items.compactMap { lines[$0] })
    }
}
