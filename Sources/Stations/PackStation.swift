import ScanModel

public struct PackConfig: Sendable {
    public var station: String
    /// The bench's location: packed goods are taken from here.
    public var packLocation: LocationCode
    /// Where packed cartons go (shipping staging).
    public var packedLocation: LocationCode
    public var commands = CommandNames()
    public init(station: String, packLocation: LocationCode, packedLocation: LocationCode) {
        self.station = station; self.packLocation = packLocation; self.packedLocation = packedLocation
    }
}

/// What is still missing from an order when a carton closes short.
public struct PackShortage: Hashable, Sendable {
    public var item: ItemCode
    public var ordered: Int
    public var packed: Int
    public var missing: Int { ordered - packed }
}

public struct PackResult: Hashable, Sendable {
    public var order: String
    public var seq: LedgerSequence
    public var carton: String?
    public var lines: [PostingLine]
    /// Empty unless closed by the short-pack command.
    public var shortages: [PackShortage]
}

/// Pack verification: scan the order or tote, then every item (barcode or
/// tunnel tags); wrong item, over-pack and wrong serial are refused at once.
/// Complete posts one pack posting; a wrong pack is never posted because
/// nothing wrong ever enters the carton.
public final class PackStation: SessionStation {
    struct State: Codable {
        var session: UInt64
        var order: String
        var lines: [PackOrderLine]
        var carton: String?
        var packed: [ScannedLine] = []
        var nextGroup = 0
        var lastActivity: Int64
        /// The tote the order was opened by, when it is a ledger location:
        /// the picked units are packed straight from it (nil: the bench).
        var tote: LocationCode? = nil
    }

    /// Where the open order's units are taken from.
    private var source: LocationCode { state?.tote ?? config.packLocation }

    public let config: PackConfig
    public var name: String { config.station }
    private let deps: StationDependencies
    let session: StationSession<State, NoDelta>
    private var state: State? { session.state }
    public private(set) var lastResult: PackResult?

    public init(config: PackConfig, dependencies: StationDependencies) throws {
        self.config = config
        self.deps = dependencies
        self.session = try StationSession(station: config.station, store: dependencies.sessions)
    }

    private static func ordered(_ s: State) -> [(ItemCode, Int)] {
        var order: [ItemCode] = []
        var qty: [ItemCode: Int] = [:]
        for l in s.lines {
            if qty[l.item] == nil { order.append(l.item) }
            qty[l.item, default: 0] += l.quantity
        }
        return order.map { ($0, qty[$0] ?? 0) }
    }
    private static func packedQty(_ s: State, _ item: ItemCode) -> Int {
        s.packed.filter { $0.item == item }.reduce(0) { $0 + $1.quantity }
    }

    public var view: StationView {
        guard let s = state else { return session.idleView(workflow: "pack") }
        let lines = Self.ordered(s).map { StationViewLine(item: $0.0, expected: $0.1, scanned: Self.packedQty(s, $0.0)) }
        let complete = lines.allSatisfy { $0.scanned == $0.expected }
        return StationView(station: name, workflow: "pack", state: complete ? "complete" : "packing", document: s.order,
                           location: source, lines: lines, lastError: session.lastError)
    }

    func dispatch(_ input: StationInput, at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        let c = config.commands
        switch input {
        case .document(let d): return open(d, at: time)
        case .logisticUnit(let sscc):
            guard var s = state else { return .error(.wrongMoment, "scan the order or tote before the carton label") }
            if let old = s.carton, old != sscc.digits, !s.packed.isEmpty {
                return .error(.wrongMoment, "carton \(old) already has items; complete or cancel it first")
            }
            s.carton = sscc.digits; s.lastActivity = time.value
            return session.save(s) ?? .ok(.accepted, "carton \(sscc.digits)")
        case .tradeItem(let scan):
            return add([ScannedLine(scan)], at: time)
        case .tag(let t), .tagArrived(_, let t): return addTags([t], at: time)
        case .cycleReport(let r): return addTags(r.current.map(\.tag), at: time)
        case .command(let cmd) where cmd == c.complete: return close(short: false, at: time, posted: &posted)
        case .command(let cmd) where cmd == c.shortPack: return close(short: true, at: time, posted: &posted)
        case .command(let cmd) where cmd == c.undo:
            guard var s = state, let last = s.packed.last else { return .error(.nothingToDo, "nothing to take out") }
            s.packed.removeAll { $0.group == last.group }; s.lastActivity = time.value
            return session.save(s) ?? .ok(.undone, "\(last.item) taken out of the carton")
        case .command(let cmd) where cmd == c.cancel:
            guard state != nil else { return .error(.nothingToDo, "no order open") }
            return session.save(nil) ?? .warning(.cancelled, "packing cancelled, nothing posted")
        case .command(let cmd): return .error(.unknownCommand, "command \(cmd) is not used at packing")
        case .location(let l) where state == nil: return open(l.code, at: time)   // a tote is a location too
        case .location(let l): return .error(.wrongMoment, "location \(l) scanned: packing takes from \(source)")
        case .tagDeparted, .idleTick: return .ok(.ignored, "")
        case .unrecognized(let text), .badge(let text), .reason(let text): return unrecognizedBarcode(text)
        case .carrierLabel(let label): return unrecognizedBarcode(label.text)
        }
    }

    private func open(_ d: String, at time: Microseconds) -> Feedback {
        if let s = state {
            return s.order == d ? .warning(.accepted, "order \(d) is already open")
                                : .error(.wrongMoment, "order \(s.order) is open: complete or cancel it first")
        }
        do {
            guard let order = try deps.expected.order(numberOrTote: d) else {
                return .error(.unknownDocument, "no order or tote \(d) in the expected data")
            }
            if order.cancelled == true { return .error(.documentDone, "order \(order.number) was cancelled: do not pack it") }
            var lines = order.lines
            if case .done(let seq) = order.status {
                // A packed order opens again only for its backorder: what its packs have not covered.
                guard let owed = try deps.stillOwed(order, by: .pack), owed.values.contains(where: { $0 > 0 }) else {
                    return .error(.documentDone, "order \(order.number) was already packed (seq \(seq))")
                }
                lines = order.lines.compactMap { l in owed[l.item].flatMap { $0 > 0 ? PackOrderLine(item: l.item, quantity: $0) : nil } }
                lines = Array(Dictionary(lines.map { ($0.item, $0) }, uniquingKeysWith: { a, _ in a }).values).sorted { $0.item.code < $1.item.code }
            }
            let n = try deps.sessions.nextSessionNumber(station: name)
            let units = lines.reduce(0) { $0 + $1.quantity }
            // A picked order's units are in its tote: packed from there when the tote is a ledger
            // location holding stock (otherwise the tote is just a label and the bench holds them).
            let tote = try order.tote.flatMap { t -> LocationCode? in
                guard let code = try deps.master.location(LocationCode(t))?.code, !(try deps.stock.balances(at: code)).isEmpty else { return nil }
                return code
            }
            return session.save(State(session: n, order: order.number, lines: lines, lastActivity: time.value, tote: tote))
                ?? .ok(.opened, "order \(order.number): \(units) units to pack")
        } catch { return unavailable(error) }
    }

    private func addTags(_ tags: [EPCTag], at time: Microseconds) -> Feedback {
        guard let s = state else { return .error(.wrongMoment, "scan the order or tote first") }
        let units: [ScannedLine]
        switch newUnits(tags, besides: s.packed, stock: deps.stock, putBack: "take it out") {
        case .refused(let refusal): return refusal
        case .units(let found): units = found
        }
        if units.isEmpty { return .ok(.ignored, "all tags already in the carton") }
        return add(units, at: time)
    }

    /// Adds one scan (or one tunnel cycle) to the carton, all or nothing.
    private func add(_ units: [ScannedLine], at time: Microseconds) -> Feedback {
        guard var s = state else { return .error(.wrongMoment, "scan the order or tote first") }
        let ordered = Dictionary(Self.ordered(s), uniquingKeysWith: +)
        for var u in units {
            guard u.quantity > 0, u.quantity <= maxScanQuantity else {
                return .error(.badQuantity, "quantity \(u.quantity) is not between 1 and \(maxScanQuantity)")
            }
            guard let want = ordered[u.item] else { return .error(.wrongItemForOrder, "\(u.item) is not on order \(s.order): take it out") }
            do {
                guard let record = try deps.master.item(u.item) else { return .error(.unknownItem, "item \(u.item) is not in the master data") }
                switch record.tracking {
                case .serial:
                    guard let serial = u.serial else { return .error(.missingSerial, "\(u.item) is serialised: scan its serial (21)") }
                    let allowed = s.lines.filter { $0.item == u.item }.flatMap(\.serials)
                    if !allowed.isEmpty && !allowed.contains(serial) {
                        return .error(.wrongSerial, "serial \(serial) is not the one ordered for \(u.item): take it out")
                    }
                    if s.packed.contains(where: { $0.item == u.item && $0.serial == serial }) {
                        return .error(.duplicateSerial, "serial \(serial) of \(u.item) is already in the carton")
                    }
                    guard let p = try deps.stock.location(ofItem: u.item, serial: serial), p.location == source else {
                        return .error(.notInSource, "serial \(serial) of \(u.item) is not at \(source)")
                    }
                    u.lot = p.lot; u.quantity = 1
                case .lot, .none:
                    if record.tracking == .lot && u.lot == nil { return .error(.missingLot, "\(u.item) is lot-tracked: scan its lot (10)") }
                    if record.tracking == .none { u.lot = nil }
                    u.serial = nil
                    let inCarton = s.packed.filter { $0.item == u.item && $0.lot == u.lot }.reduce(0) { $0 + $1.quantity }
                    let have = try deps.stock.onHand(item: u.item, lot: u.lot, at: source)
                    if inCarton + u.quantity > have {
                        return .error(.notInSource, "\(source) holds only \(have) of \(u.item)\(u.lot.map { " lot \($0)" } ?? "")")
                    }
                }
                if let held = try deps.heldStockRefusal(item: u.item, lot: u.lot, from: source) { return held }
            } catch { return unavailable(error) }
            let packed = Self.packedQty(s, u.item)
            if packed + u.quantity > want {
                return .error(.overPack, "order \(s.order) needs \(want) of \(u.item), this would make \(packed + u.quantity): take it out")
            }
            u.group = s.nextGroup
            s.packed.append(u)
        }
        s.nextGroup += 1
        s.lastActivity = time.value
        let done = Self.ordered(s).allSatisfy { Self.packedQty(s, $0.0) == $0.1 }
        if let f = session.save(s) { return f }
        let last = units.last?.item ?? ""
        let progress = "\(Self.packedQty(s, last))/\(ordered[last] ?? 0) of \(last)"
        return .ok(.accepted, done ? "\(progress); order complete: scan \(config.commands.complete)" : progress)
    }

    private func close(short: Bool, at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        guard let s = state else { return .error(.nothingToDo, "no order open") }
        let shortages = Self.ordered(s).map { PackShortage(item: $0.0, ordered: $0.1, packed: Self.packedQty(s, $0.0)) }
            .filter { $0.missing > 0 }
        if !short && !shortages.isEmpty {
            let list = shortages.map { "\($0.missing) × \($0.item)" }.joined(separator: ", ")
            return .error(.incomplete, "order \(s.order) is missing \(list): pack them, or scan \(config.commands.shortPack)")
        }
        guard !s.packed.isEmpty else { return .error(.nothingToDo, "the carton is empty: nothing to post (cancel instead)") }
        let lines = aggregate(s.packed.map {
            PostingLine(item: $0.item, qty: Int64($0.quantity), from: source, to: config.packedLocation, lot: $0.lot, serial: $0.serial)
        })
        var request = PostingRequest(key: IdempotencyKey.make(station: name, workflow: "pack", session: s.session),
                                     kind: .pack, ref: s.order, station: name, eventTime: .device(time), sscc: s.carton, lines: lines)
        // A short pack's shortages go into the journal with the pack posting.
        request.journal = shortages.map { short in
            JournalEntry(time: time, station: name, code: "short-pack", severity: .warning, document: s.order,
                         message: "order \(s.order) packed \(short.missing) × \(short.item) short (ordered \(short.ordered), packed \(short.packed))",
                         detail: JSONText.object([("item", JSONText.quote(short.item.code)), ("ordered", String(short.ordered)),
                                                  ("packed", String(short.packed)), ("missing", String(short.missing))]))
        }
        // What was not packed is still owed: a backorder, not a forgotten line.
        request.journal += shortages.map {
            OrderJournal.backordered(order: s.order, item: $0.item, quantity: $0.missing, because: "short pack", station: name, at: time)
        }
        request.journal.append(OrderJournal.statusChange(order: s.order, to: .packed, station: name, at: time))
        // As at receiving: the order is marked in the pack's own transaction
        // where the store allows; else the session stays open until it is
        // marked, so a retry re-sends the same key instead of packing twice.
        let document: PostingDocument?
        do {
            document = try deps.expected.order(numberOrTote: s.order).flatMap { o in
                guard o.number == s.order else { return nil }
                var done = o
                done.status = .done(seq: .none)
                return try deps.expected.postingDocument(order: done, sequencePath: DocumentStatus.doneSequencePath)
            }
        } catch { return unavailable(error) }
        let result = session.postClosing(request, document: document, mark: { seq in
            try deps.expected.markOrder(s.order, status: .done(seq: seq))
        }, to: deps.ledger)
        switch result {
        case .refused(let f): return f
        case .notClosed(let seq, let error):
            posted.append(seq)
            lastResult = PackResult(order: s.order, seq: seq, carton: s.carton, lines: lines, shortages: shortages)
            return .error(.sessionNotSaved, "order \(s.order) posted (seq \(seq)) but its status was not saved (\(error)): scan the command again")
        case .closed(let seq):
            posted.append(seq)
            lastResult = PackResult(order: s.order, seq: seq, carton: s.carton, lines: lines, shortages: shortages)
            if shortages.isEmpty { return .done(.posted, "order \(s.order) packed (seq \(seq))") }
            let list = shortages.map { "\($0.missing) × \($0.item)" }.joined(separator: ", ")
            return .warning(.posted, "order \(s.order) packed SHORT (seq \(seq)); missing \(list)")
        }
    }
}
