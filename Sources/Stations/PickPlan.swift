import ScanModel

// Pick planning is a pure function of the orders and the stock in the pick
// area, so `scanledger pick plan` and the station that opens an order on the
// fly make the same list, and the tests need no ledger.

/// Stock the planner may take: one balance at one pick location. `held`
/// stock (a quarantine or damaged place, a lot on hold) is never planned.
public struct PickStock: Hashable, Sendable, Codable {
    public var location: LocationCode
    public var item: ItemCode
    public var lot: String?
    public var expiry: CivilDate?
    public var quantity: Int
    public var held: Bool
    public init(location: LocationCode, item: ItemCode, lot: String? = nil, expiry: CivilDate? = nil, quantity: Int, held: Bool = false) {
        self.location = location; self.item = item; self.lot = lot; self.expiry = expiry; self.quantity = quantity; self.held = held
    }
}

/// One stop of a pick walk: take `quantity` of `item` (of `lot`) at `location` for `order`.
public struct PickTask: Hashable, Sendable, Codable {
    public var order: String
    public var location: LocationCode
    public var item: ItemCode
    public var lot: String?
    public var quantity: Int
    public init(order: String, location: LocationCode, item: ItemCode, lot: String? = nil, quantity: Int) {
        self.order = order; self.location = location; self.item = item; self.lot = lot; self.quantity = quantity
    }
}

/// What an order needs that the pick area cannot give (planned short: backordered at once).
public struct PickGap: Hashable, Sendable, Codable {
    public var order: String
    public var item: ItemCode
    public var quantity: Int
}

/// A pick list for one order or a wave: the orders (each into its tote) and
/// the stops in walking order.
public struct PickPlan: Hashable, Sendable, Codable {
    public var orders: [String]
    /// The tote each order goes into, once the picker has scanned it.
    public var totes: [String: String] = [:]
    public var tasks: [PickTask]
    public var gaps: [PickGap]
}

/// How the planner walks: by location code, or by the site's own sequence of
/// locations (a location not in it comes after those that are, by code).
public struct WalkingOrder: Sendable {
    public var sequence: [LocationCode]
    public init(sequence: [LocationCode] = []) { self.sequence = sequence }

    func precedes(_ a: LocationCode, _ b: LocationCode) -> Bool {
        let rank = Dictionary(sequence.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        switch (rank[a], rank[b]) {
        case let (x?, y?): return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        case (nil, nil): return a.code < b.code
        }
    }
}

public enum PickPlanner {
    /// Orders in the order a wave takes them: earliest ship-by first (none
    /// last), then higher priority, then by number so the plan is stable.
    public static func schedule(_ orders: [PackOrder]) -> [PackOrder] {
        orders.sorted { a, b in
            switch (a.shipBy, b.shipBy) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: break
            }
            if (a.priority ?? 0) != (b.priority ?? 0) { return (a.priority ?? 0) > (b.priority ?? 0) }
            return a.number < b.number
        }
    }

    /// Allocates each order's lines to stock, first expiry first (FEFO; lots
    /// without an expiry after dated ones), then walks the tasks in
    /// `walking` order. Stock one order takes is not offered to the next.
    /// `remaining` lets a backorder plan only what is still owed.
    public static func plan(orders: [PackOrder], stock: [PickStock], walking: WalkingOrder = WalkingOrder(),
                            remaining: [String: [ItemCode: Int]] = [:]) -> PickPlan {
        var left = stock.filter { !$0.held && $0.quantity > 0 }.sorted(by: fefo)
        var tasks: [PickTask] = []
        var gaps: [PickGap] = []
        let scheduled = schedule(orders)
        for order in scheduled {
            for (item, wanted) in needs(order, remaining: remaining[order.number]) {
                var need = wanted
                for i in left.indices where need > 0 && left[i].item == item && left[i].quantity > 0 {
                    let take = min(need, left[i].quantity)
                    tasks.append(PickTask(order: order.number, location: left[i].location, item: item, lot: left[i].lot, quantity: take))
                    left[i].quantity -= take
                    need -= take
                }
                if need > 0 { gaps.append(PickGap(order: order.number, item: item, quantity: need)) }
            }
        }
        let rank = Dictionary(scheduled.enumerated().map { ($1.number, $0) }, uniquingKeysWith: { a, _ in a })
        tasks.sort { a, b in
            if a.location != b.location { return walking.precedes(a.location, b.location) }
            return (rank[a.order] ?? 0) < (rank[b.order] ?? 0)
        }
        return PickPlan(orders: scheduled.map(\.number), tasks: tasks, gaps: gaps)
    }

    /// An order's quantity per item in line order (an item on two lines is
    /// one need), limited to what is still owed when `remaining` is given.
    static func needs(_ order: PackOrder, remaining: [ItemCode: Int]?) -> [(ItemCode, Int)] {
        var seen: [ItemCode] = []
        var qty: [ItemCode: Int] = [:]
        for l in order.lines {
            if qty[l.item] == nil { seen.append(l.item) }
            qty[l.item, default: 0] += l.quantity
        }
        return seen.compactMap { item in
            let q = remaining.map { $0[item] ?? 0 } ?? qty[item] ?? 0
            return q > 0 ? (item, q) : nil
        }
    }

    static func fefo(_ a: PickStock, _ b: PickStock) -> Bool {
        switch (a.expiry, b.expiry) {
        case let (x?, y?) where x != y: return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a.location.code < b.location.code
        }
    }

    /// The lot at another pick place that expires before `expiry`: picking
    /// `lot` while it waits breaks first-expiry-first-out.
    public static func earlierExpiry(than expiry: CivilDate?, item: ItemCode, lot: String?, in stock: [PickStock]) -> PickStock? {
        guard let expiry else { return nil }
        return stock.filter { !$0.held && $0.quantity > 0 && $0.item == item && $0.lot != lot }
            .compactMap { s in s.expiry.map { (s, $0) } }
            .filter { $0.1 < expiry }
            .min { $0.1 < $1.1 }?.0
    }
}
