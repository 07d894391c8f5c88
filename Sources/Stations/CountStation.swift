import ScanModel

public struct CountConfig: Sendable {
    public var station: String
    /// Post adjustments as soon as a count ends (when not conflicting); else
    /// they wait for `counts approve`.
    public var autoPost = false
    /// A count running this long ends by itself on the next tick (nil: never).
    public var maxDuration: Microseconds? = nil
    public var commands = CommandNames()
    /// True when the station's zones run read cycles: COUNT-START then starts
    /// a sweep, COUNT-STOP ends it, and the sweep's report ends the count.
    public var sweepsWithReadCycles = false
    public init(station: String) { self.station = station }
}

/// Shelf counts: scan the location, start (command or trigger), sweep with
/// RFID and/or scan items with quantities, stop (command, trigger, or the
/// pipeline's cycle report). The ledger's expectation is snapshotted at start.
/// A sweep (tags) counts serialised stock; item scans without serial count
/// lot-level stock; each side is compared only if it was counted.
public final class CountStation: SessionStation {
    struct Counted: Codable, Hashable { var item: ItemCode; var lot: String?; var quantity: Int }
    struct State: Codable {
        var session: UInt64
        var location: String
        var started: Bool = false
        var snapshotSeq: LedgerSequence = .none
        var expected: [StockBalance] = []
        var startedAt: Int64
        var lastActivity: Int64
        var seen: [CountedSerial] = []
        var unnamedEPCs: [String] = []
        var counted: [Counted] = []
        var serialScope = false
        var quantityScope = false
    }
    /// Journal entry for the sweep hot path: tags newly seen by one input.
    struct Seen: Codable {
        var seen: [CountedSerial]
        var unnamed: [String]
        var lastActivity: Int64
    }
    /// Lookups so a sweep of thousands of tags stays O(1) per tag. Never persisted.
    struct Index {
        var units = SeenUnits()
        init(_ s: State?) {
            for u in s?.seen ?? [] { add(u) }
            for e in s?.unnamedEPCs ?? [] { units.insert(epc: e) }
        }
        mutating func add(_ u: CountedSerial) { units.insert(item: u.item, serial: u.serial, epc: u.epc) }
        func has(_ u: CountedSerial) -> Bool { units.contains(item: u.item, serial: u.serial) }
    }

    public let config: CountConfig
    public var name: String { config.station }
    private let deps: StationDependencies
    private let reviews: CountReviews
    private let reviewStore: CountReviewStore
    let session: StationSession<State, Seen>
    private var state: State? { session.state }
    private var index = Index(nil)
    public private(set) var lastResult: CountResult?

    public init(config: CountConfig, dependencies: StationDependencies, reviews: CountReviewStore) throws {
        self.config = config
        self.deps = dependencies
        self.reviewStore = reviews
        self.reviews = CountReviews(store: reviews, ledger: dependencies.ledger, stock: dependencies.stock)
        self.session = try StationSession(station: config.station, store: dependencies.sessions, clocks: dependencies.clocks,
                                          timed: [\.startedAt]) { s, d in
            s.seen += d.seen; s.unnamedEPCs += d.unnamed; s.serialScope = true; s.lastActivity = d.lastActivity
        }
        self.index = Index(session.state)
        session.onClose = { [unowned self] in self.index = Index(nil) }
    }

    public var view: StationView {
        guard let s = state else { return session.idleView(workflow: "count") }
        var lines: [StationViewLine] = []
        var index: [String: Int] = [:]
        func bump(_ item: ItemCode, _ lot: String?, expected: Int, scanned: Int) {
            let k = "\(item.code)\u{0}\(lot ?? "")"
            if let i = index[k] { lines[i].expected = (lines[i].expected ?? 0) + expected; lines[i].scanned += scanned }
            else { index[k] = lines.count; lines.append(StationViewLine(item: item, lot: lot, expected: expected, scanned: scanned)) }
        }
        for b in s.expected { bump(b.item, b.serial == nil ? b.lot : nil, expected: Int(b.qty), scanned: 0) }
        for u in s.seen { bump(u.item, nil, expected: 0, scanned: 1) }
        for c in s.counted { bump(c.item, c.lot, expected: 0, scanned: c.quantity) }
        return StationView(station: name, workflow: "count", state: s.started ? "counting" : "ready",
                           location: LocationCode(s.location), lines: lines, lastError: session.lastError)
    }

    public func handle(_ input: StationInput, at time: Microseconds) -> StationEvent {
        var event = session.event(at: time, view: { view }) { dispatch(input, at: time, posted: &$0) }
        if event.accepted { event.effects = effects(of: input) }
        return event
    }

    /// The read cycle a command asks for, when this station sweeps with cycles.
    private func effects(of input: StationInput) -> [StationEffect] {
        guard config.sweepsWithReadCycles, case .command(let cmd) = input else { return [] }
        if cmd == config.commands.countStart { return [.startReadCycle] }
        if cmd == config.commands.countStop, state?.started == true { return [.stopReadCycle] }
        return []
    }

    func dispatch(_ input: StationInput, at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        let c = config.commands
        switch input {
        case .location(let l): return select(l, at: time)
        case .command(let cmd) where cmd == c.countStart || (cmd == c.trigger && state?.started != true):
            return start(at: time).map { $0 } ?? .ok(.opened, "counting \(state?.location ?? ""): sweep or scan")
        case .command(let cmd) where cmd == c.countStop && config.sweepsWithReadCycles && state?.started == true:
            // The sweep's report (or an empty one when no cycle was open, e.g.
            // after a restart) ends the count: see `effects(of:)`.
            return .ok(.accepted, "ending the sweep at \(state?.location ?? "")")
        case .command(let cmd) where cmd == c.countStop || cmd == c.trigger:
            return finish(at: time, posted: &posted)
        case .command(let cmd) where cmd == c.cancel:
            guard state != nil else { return .error(.nothingToDo, "no count in progress") }
            return session.save(nil) ?? .warning(.cancelled, "count cancelled, nothing recorded")
        case .command(let cmd): return .error(.unknownCommand, "command \(cmd) is not used for counts")
        case .tagArrived where state == nil:
            // A fixed reader sees tags whether anyone counts or not: that is
            // no mistake to answer and journal (a tag flood journaled every
            // arrival, thousands a second). A handheld's read (`.tag`) is.
            return .ok(.ignored, "")
        case .tag(let t), .tagArrived(_, let t): return see([t], at: time)
        case .cycleReport(let r):
            // A cycle ends on a stable set or duration: the sweep is complete.
            let f = see(r.current.map(\.tag), at: time)
            if f.isError { return f }
            return finish(at: time, posted: &posted)
        case .tradeItem(let scan): return count(scan, at: time)
        case .logisticUnit(let sscc): return .error(.wrongMoment, "pallet \(sscc) scanned: count its items")
        case .document(let d): return .error(.wrongMoment, "document \(d) scanned: a count starts with a location")
        case .tagDeparted: return .ok(.ignored, "")
        case .unrecognized(let text), .badge(let text), .reason(let text): return unrecognizedBarcode(text)
        case .carrierLabel(let label): return unrecognizedBarcode(label.text)
        case .idleTick:
            guard let s = state, s.started, let max = config.maxDuration, let ran = session.elapsed(since: \.startedAt, at: time), ran >= max.value else {
                return .ok(.ignored, "")
            }
            return finish(at: time, posted: &posted)
        }
    }

    private func select(_ l: LocationCode, at time: Microseconds) -> Feedback {
        if let s = state, s.started {
            return .error(.wrongMoment, "counting \(s.location): stop or cancel before choosing \(l)")
        }
        if VirtualLocation.isVirtual(l) { return .error(.unknownLocation, "\(l) is virtual and cannot be counted") }
        do {
            guard try deps.master.location(l) != nil else { return .error(.unknownLocation, "location \(l) is not in the master data") }
            let n = try state?.session ?? deps.sessions.nextSessionNumber(station: name)
            return session.save(State(session: n, location: l.code, startedAt: time.value, lastActivity: time.value))
                ?? .ok(.accepted, "location \(l): scan \(config.commands.countStart), pull the trigger, or scan items")
        } catch { return unavailable(error) }
    }

    /// Snapshots the ledger's expectation; nil on success.
    private func start(at time: Microseconds) -> Feedback? {
        guard var s = state else { return .error(.wrongMoment, "scan the location to count first") }
        if s.started { return nil }
        do {
            let loc = LocationCode(s.location)
            s.snapshotSeq = try deps.stock.ledgerSequence()
            s.expected = try deps.stock.balances(at: loc).filter { $0.qty != 0 }
        } catch { return unavailable(error) }
        s.started = true
        s.startedAt = time.value
        s.lastActivity = time.value
        return session.save(s)
    }

    private func see(_ tags: [EPCTag], at time: Microseconds) -> Feedback {
        guard state != nil else { return .error(.wrongMoment, "scan the location to count first") }
        if let f = start(at: time) { return f }
        var batch = Seen(seen: [], unnamed: [], lastActivity: time.value)
        var batchIndex = Index(nil)
        for tag in tags {
            let hex = tag.epc.hex
            if index.units.contains(epc: hex) || batchIndex.units.contains(epc: hex) { continue }
            var unit: CountedSerial?
            if let g = tag.gtin, let serial = tag.serial { unit = CountedSerial(item: ItemCode(gtin: g), serial: serial, epc: hex) }
            else {
                do { unit = try deps.stock.position(ofEPC: tag.epc).map { CountedSerial(item: $0.item, serial: $0.serial, lot: $0.lot, epc: hex) } }
                catch { return unavailable(error) }
            }
            if let unit {
                if index.has(unit) || batchIndex.has(unit) { continue }
                batch.seen.append(unit); batchIndex.add(unit)
            } else {
                batch.unnamed.append(hex); batchIndex.units.insert(epc: hex)
            }
        }
        if let refused = session.append(batch) { return refused }
        for u in batch.seen { index.add(u) }
        for e in batch.unnamed { index.units.insert(epc: e) }
        let total = (state?.seen.count ?? 0) + (state?.unnamedEPCs.count ?? 0)
        return .ok(.accepted, "\(batch.seen.count + batch.unnamed.count) new tag(s), \(total) seen")
    }

    private func count(_ scan: TradeItemScan, at time: Microseconds) -> Feedback {
        guard state != nil else { return .error(.wrongMoment, "scan the location to count first") }
        let item = ItemCode(gtin: scan.gtin)
        let qty = scan.quantity ?? 1
        guard qty > 0, qty <= maxScanQuantity else { return .error(.badQuantity, "quantity \(qty) is not between 1 and \(maxScanQuantity)") }
        let record: ItemRecord?
        do { record = try deps.master.item(item) } catch { return unavailable(error) }
        guard let record else { return .error(.unknownItem, "item \(item) is not in the master data") }
        if let f = start(at: time) { return f }
        guard var s = state else { return .error(.wrongMoment, "no count") }
        switch record.tracking {
        case .serial:
            guard let serial = scan.serial else { return .error(.missingSerial, "item \(item) is serialised: scan its serial (21)") }
            let unit = CountedSerial(item: item, serial: serial, lot: scan.lot)
            if index.has(unit) { return .warning(.duplicateSerial, "serial \(serial) already counted") }
            s.seen.append(unit)
            s.serialScope = true
        case .lot, .none:
            if record.tracking == .lot && scan.lot == nil { return .error(.missingLot, "item \(item) is lot-tracked: scan its lot (10)") }
            let lot = record.tracking == .lot ? scan.lot : nil
            if let i = s.counted.firstIndex(where: { $0.item == item && $0.lot == lot }) { s.counted[i].quantity += qty }
            else { s.counted.append(Counted(item: item, lot: lot, quantity: qty)) }
            s.quantityScope = true
        }
        s.lastActivity = time.value
        if let f = session.save(s) { return f }
        index = Index(state)
        return .ok(.accepted, "counted \(qty) × \(item)")
    }

    private func finish(at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        guard let s = state, s.started else { return .error(.nothingToDo, "no count running") }
        guard s.serialScope || s.quantityScope else {
            return session.save(nil) ?? .warning(.nothingToDo, "count at \(s.location) ended with nothing counted: not recorded")
        }
        var result: CountResult
        do { result = try evaluate(s, at: time) } catch { return unavailable(error) }
        if let last = try? reviews.conflict(of: result) { result.status = .conflicting(lastChange: last) }
        var autoPostRefusal: String?
        if config.autoPost, case .pending = result.status {
            if result.adjustments.isEmpty { result.status = .accurate } else {
                // The adjustment, the result marked posted and the close commit
                // together where the stores are the ledger's database.
                var recorded = result
                recorded.status = .posted(seq: .none)
                let document: PostingDocument?
                do { document = try reviewStore.postingDocument(result: recorded, sequencePath: CountStatus.postedSequencePath) } catch {
                    return unavailable(error)
                }
                switch session.postClosing(result.postingRequest(), document: document, mark: { seq in
                    recorded.status = .posted(seq: seq)
                    try reviewStore.save(recorded)
                }, to: deps.ledger) {
                case .closed(let seq): result.status = .posted(seq: seq)
                case .refused(let f): autoPostRefusal = f.message
                case .notClosed(let seq, let error):
                    posted.append(seq)
                    return .error(.sessionNotSaved, "count at \(s.location) posted (seq \(seq)) but not closed (\(error)): stop the count again")
                }
            }
        }
        if case .posted = result.status {} else {
            // Recorded for review exactly when the session ends: a recorded
            // count never stays open to be stopped (and recorded) again.
            do { try session.close { try reviewStore.save(result, closingSession: $0) } } catch {
                return storageFullRefusal(error, "count at \(s.location) not recorded, stop the count again once there is space")
                    ?? .error(.sessionNotSaved, "count at \(s.location) not recorded: \(error); stop the count again")
            }
        }
        lastResult = result
        let summary = "count \(s.location): \(result.found.count) found, \(result.missing.count) missing, \(result.misplaced.count) misplaced, \(result.unknownSerials.count + result.unknownEPCs.count) unknown, accuracy \(Int((result.accuracy * 100).rounded()))%"
        switch result.status {
        case .posted(let seq): posted.append(seq); return .done(.posted, summary + "; adjusted (seq \(seq))")
        case .accurate: return .done(.posted, summary + "; nothing to adjust")
        case .conflicting: return .warning(.countPending, summary + "; stock moved during the count: recount or approve explicitly")
        default:
            if let why = autoPostRefusal { return .warning(.countPending, summary + "; auto-post refused (\(why)), waiting for review") }
            return .ok(.countPending, summary + "; waiting for approval")
        }
    }

    /// Compares what was counted with the snapshot and proposes adjustments.
    private func evaluate(_ s: State, at time: Microseconds) throws -> CountResult {
        let here = LocationCode(s.location)
        var found: [CountedSerial] = [], missing: [CountedSerial] = [], misplaced: [MisplacedSerial] = []
        var unknown: [CountedSerial] = [], quantities: [QuantityCount] = [], lines: [PostingLine] = []
        var accuracy: [ItemCode: ItemAccuracy] = [:]
        func tally(_ item: ItemCode, found f: Int, expected e: Int) {
            var a = accuracy[item] ?? ItemAccuracy(item: item, found: 0, expected: 0)
            a.found += f; a.expected += e; accuracy[item] = a
        }
        if s.serialScope {
            let expected = s.expected.filter { $0.serial != nil }
            let seenKeys = Set(s.seen.map { "\($0.item.code)\u{0}\($0.serial)" })
            let expectedKeys = Set(expected.map { "\($0.item.code)\u{0}\($0.serial ?? "")" })
            for b in expected {
                guard let serial = b.serial else { continue }
                let u = CountedSerial(item: b.item, serial: serial, lot: b.lot)
                if seenKeys.contains("\(b.item.code)\u{0}\(serial)") { found.append(u); tally(b.item, found: 1, expected: 1) }
                else {
                    missing.append(u); tally(b.item, found: 0, expected: 1)
                    lines.append(PostingLine(item: b.item, qty: 1, from: here, to: VirtualLocation.adjustment, lot: b.lot, serial: serial))
                }
            }
            for var u in s.seen where !expectedKeys.contains("\(u.item.code)\u{0}\(u.serial)") {
                let p = try deps.stock.location(ofItem: u.item, serial: u.serial)
                if let p, let at = p.location {
                    u.lot = p.lot ?? u.lot
                    if at == here { found.append(u); continue }  // moved in after the snapshot
                    misplaced.append(MisplacedSerial(unit: u, ledgerLocation: at))
                    lines.append(PostingLine(item: u.item, qty: 1, from: at, to: here, lot: u.lot, serial: u.serial))
                } else {
                    unknown.append(u)
                    if try deps.master.item(u.item)?.tracking == .serial {
                        lines.append(PostingLine(item: u.item, qty: 1, from: VirtualLocation.adjustment, to: here, lot: u.lot, serial: u.serial))
                    }
                }
            }
        }
        if s.quantityScope {
            var expected: [String: QuantityCount] = [:]
            var order: [String] = []
            func key(_ i: ItemCode, _ l: String?) -> String { "\(i.code)\u{0}\(l ?? "")" }
            for b in s.expected where b.serial == nil {
                let k = key(b.item, b.lot)
                if expected[k] == nil { order.append(k); expected[k] = QuantityCount(item: b.item, lot: b.lot, expected: 0, counted: 0) }
                expected[k]?.expected += Int(b.qty)
            }
            for c in s.counted {
                let k = key(c.item, c.lot)
                if expected[k] == nil { order.append(k); expected[k] = QuantityCount(item: c.item, lot: c.lot, expected: 0, counted: 0) }
                expected[k]?.counted += c.quantity
            }
            for q in order.compactMap({ expected[$0] }) {
                quantities.append(q)
                tally(q.item, found: min(q.counted, q.expected), expected: q.expected)
                if q.difference < 0 {
                    lines.append(PostingLine(item: q.item, qty: Int64(-q.difference), from: here, to: VirtualLocation.adjustment, lot: q.lot))
                } else if q.difference > 0 {
                    lines.append(PostingLine(item: q.item, qty: Int64(q.difference), from: VirtualLocation.adjustment, to: here, lot: q.lot))
                }
            }
        }
        return CountResult(id: IdempotencyKey.make(station: name, workflow: "count", session: s.session), station: name,
                           locationCode: here.code, snapshotSeq: s.snapshotSeq, time: time.value, found: found, missing: missing,
                           misplaced: misplaced, unknownSerials: unknown, unknownEPCs: s.unnamedEPCs, quantities: quantities,
                           perItem: accuracy.values.sorted { $0.item < $1.item }, adjustments: lines, status: .pending)
    }
}
