import ScanModel

/// Picking: the station leads the picker stop by stop ("go to A-03-02, pick
/// 2 × 0952… for order 17"); the picker scans the location, the units (or
/// their tags), then the order's tote. Each stop posts one `move` (location →
/// tote, ref the order) when its tote is scanned, so stock in totes is in the
/// ledger and the pack bench takes the order by its tote. Scanning a second
/// order before the first stop adds it to the wave. A short pick backorders
/// what is missing and names the location as a cycle-count candidate.
public final class PickStation: SessionStation {
    public let config: PickConfig
    public var name: String { config.station }
    let deps: StationDependencies
    let expiries: LotExpiryLookup?
    /// Where order notes go when no posting is left to carry them.
    let journal: JournalSink?
    let session: StationSession<PickState, NoDelta>
    var state: PickState? { session.state }

    public init(config: PickConfig, dependencies: StationDependencies, expiries: LotExpiryLookup? = nil, journal: JournalSink? = nil) throws {
        self.config = config
        self.deps = dependencies
        self.expiries = expiries
        self.journal = journal
        self.session = try StationSession(station: config.station, store: dependencies.sessions)
    }

    public var view: StationView {
        guard let s = state else { return session.idleView(workflow: "pick") }
        guard let t = s.task else { return StationView(station: name, workflow: "pick", state: "finished", lastError: session.lastError) }
        let phase = s.awaitingTote ? "awaiting-tote" : s.atLocation ? "picking" : "going-to-location"
        return StationView(station: name, workflow: "pick", state: phase, document: t.order, location: t.location,
                           destination: s.plan.totes[t.order].map { LocationCode($0) },
                           lines: [StationViewLine(item: t.item, lot: t.lot, expected: t.quantity, scanned: s.scannedQuantity)],
                           lastError: session.lastError)
    }

    /// The instruction for the stop being worked: what the picker hears next.
    static func instruction(_ s: PickState) -> String {
        guard let t = s.task else { return "pick list finished" }
        let lot = t.lot.map { " lot \($0)" } ?? ""
        if s.awaitingTote { return "scan the tote for order \(t.order)\(s.plan.totes[t.order].map { " (\($0))" } ?? "")" }
        if !s.atLocation { return "go to \(t.location), pick \(t.quantity) × \(t.item)\(lot) for order \(t.order)" }
        return "pick \(t.quantity - s.scannedQuantity) more × \(t.item)\(lot) at \(t.location)"
    }

    func dispatch(_ input: StationInput, at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        let c = config.commands
        switch input {
        case .document(let d):
            if state?.awaitingTote == true, d.hasPrefix(config.totePrefix) { return tote(d, at: time, posted: &posted) }
            return open(order: d, at: time)
        case .location(let l):
            if l.code.hasPrefix(config.totePrefix) { return tote(l.code, at: time, posted: &posted) }
            return arrive(at: l, time: time)
        case .unrecognized(let text) where text.hasPrefix(config.totePrefix): return tote(text, at: time, posted: &posted)
        case .tradeItem(let scan): return take([ScannedLine(scan)], at: time)
        case .tag(let t), .tagArrived(_, let t): return takeTags([t], at: time)
        case .cycleReport(let r): return takeTags(r.current.map(\.tag), at: time)
        case .command(let cmd) where cmd == c.shortPick: return shortPick(at: time, posted: &posted)
        case .command(let cmd) where cmd == c.undo:
            guard var s = state, !s.scanned.isEmpty else { return .error(.nothingToDo, "nothing scanned at this stop to put back") }
            let last = s.scanned.removeLast()
            s.closedShort = false; s.lastActivity = time.value
            return session.save(s) ?? .ok(.undone, "\(last.quantity) × \(last.item) put back: \(Self.instruction(s))")
        case .command(let cmd) where cmd == c.cancel:
            guard let s = state else { return .error(.nothingToDo, "no pick list open") }
            // A finished list whose order notes could not be written closes now (writing them again).
            if s.task == nil { return finish(s, at: time) ?? .warning(.cancelled, "pick list closed") }
            // What already went into totes stays there (it was posted); only the rest is dropped.
            if s.picked.contains(where: { $0 > 0 }) {
                return .error(.wrongMoment, "stock is already in totes: finish the list (\(c.shortPick) for what is missing)")
            }
            return session.save(nil) ?? .warning(.cancelled, "pick list cancelled, nothing posted")
        case .command(let cmd): return .error(.unknownCommand, "command \(cmd) is not used at picking")
        case .logisticUnit(let sscc): return .error(.wrongMoment, "pallet \(sscc.digits): picking takes units, scan the item")
        case .tagDeparted, .idleTick: return .ok(.ignored, "")
        case .unrecognized(let text), .badge(let text), .reason(let text): return unrecognizedBarcode(text)
        case .carrierLabel(let label): return unrecognizedBarcode(label.text)
        }
    }

    /// Opens a pick list for the order, or adds it to the wave while no stop has been started.
    func open(order number: String, at time: Microseconds) -> Feedback {
        do {
            guard let order = try deps.expected.order(numberOrTote: number) else {
                return .error(.unknownDocument, "no order \(number) in the expected data")
            }
            if order.cancelled == true { return .error(.documentDone, "order \(order.number) was cancelled: put nothing in a tote for it") }
            // An order picked or packed before plans only what is still owed (its backorder).
            let owed = try deps.stillToPick(order)
            if let owed, !owed.values.contains(where: { $0 > 0 }) {
                return .error(.documentDone, "order \(order.number) is picked already: nothing is still owed")
            }
            if owed == nil, case .done(let seq) = order.status { return .error(.documentDone, "order \(order.number) was already packed (seq \(seq))") }
            var orders = [order]
            var sessionNumber: UInt64
            if let s = state {
                if s.plan.orders.contains(order.number) { return .warning(.accepted, "order \(order.number) is already on the list") }
                if s.atLocation || s.next > 0 {
                    return .error(.wrongMoment, "the wave is under way: finish it before adding order \(order.number)")
                }
                for o in s.plan.orders { if let other = try deps.expected.order(numberOrTote: o) { orders.append(other) } }
                sessionNumber = s.session
            } else {
                sessionNumber = try deps.sessions.nextSessionNumber(station: name)
                session.clearError()
            }
            var remaining: [String: [ItemCode: Int]] = [:]
            for o in orders { remaining[o.number] = try deps.stillToPick(o) }
            let plan = PickPlanner.plan(orders: orders, stock: try pickStock(), walking: config.walking, remaining: remaining)
            var next = PickState(session: sessionNumber, plan: plan, picked: Array(repeating: 0, count: plan.tasks.count), lastActivity: time.value)
            // What the area cannot give is backordered now, with the first posting.
            next.notes = plan.gaps.map { PendingOrderNote(kind: .backordered, order: $0.order, item: $0.item, quantity: $0.quantity, time: time.value) }
            if plan.tasks.isEmpty {
                return finish(next, at: time) ?? .warning(.shortPicked, "nothing of order \(order.number) is in the pick area: backordered")
            }
            return session.save(next) ?? .ok(.opened, "\(plan.orders.count) order(s), \(plan.tasks.count) stops: \(Self.instruction(next))")
        } catch { return unavailable(error) }
    }

    /// The available and held stock at the pick locations, with lot expiries.
    func pickStock() throws -> [PickStock] {
        var out: [PickStock] = []
        for location in config.pickLocations {
            let heldPlace = try deps.heldLocationRefusal(location) != nil
            for b in try deps.stock.balances(at: location) where b.qty > 0 {
                let heldLot = try b.lot.map { try deps.stock.holdReason(item: b.item, lot: $0) != nil } ?? false
                let expiry = try b.lot.flatMap { try expiries?.expiry(item: b.item, lot: $0) }
                out.append(PickStock(location: location, item: b.item, lot: b.lot, expiry: expiry,
                                     quantity: Int(clamping: b.qty), held: heldPlace || heldLot))
            }
        }
        return out
    }

    func arrive(at location: LocationCode, time: Microseconds) -> Feedback {
        guard var s = state, let t = s.task else { return .error(.wrongMoment, "scan an order to start picking") }
        if s.awaitingTote { return .error(.wrongMoment, Self.instruction(s)) }
        guard location == t.location else {
            return .error(.wrongLocation, "\(location) is not the stop: go to \(t.location)")
        }
        s.atLocation = true; s.lastActivity = time.value
        return session.save(s) ?? .ok(.accepted, Self.instruction(s))
    }
}
