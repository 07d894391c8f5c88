import ScanModel

public struct ReturnsConfig: Sendable {
    public var station: String
    /// Where sellable returns go back on the shelf (required).
    public var restockLocation: LocationCode
    /// Where units wait for inspection; nil: the QUARANTINE command is refused.
    public var quarantineLocation: LocationCode?
    /// Where damaged units wait to be scrapped; nil: DAMAGED is refused.
    public var damagedLocation: LocationCode?
    /// Where units wait to go back to their supplier; nil: RETURN-TO-VENDOR is refused.
    public var vendorLocation: LocationCode?
    public var commands = CommandNames()
    public init(station: String, restockLocation: LocationCode) {
        self.station = station; self.restockLocation = restockLocation
    }
}

/// A unit (or a quantity of an untracked/lot item) coming back, with what the
/// operator decided for it.
struct ReturnUnit: Codable, Hashable {
    var item: ItemCode
    var lot: String?
    var serial: String?
    var quantity: Int
    /// The customer's reason code (`RSN:…` before the unit or its disposition).
    var reason: String?
    /// "restock", "quarantine", "damaged" or "return-to-vendor"; nil while it waits for one.
    var disposition: String?
}

/// Customer returns: scan the RMA or the original order, then each unit and
/// its disposition (RESTOCK, QUARANTINE, DAMAGED, RETURN-TO-VENDOR). Only
/// what the order shipped and has not come back yet may be returned, so a
/// return never invents stock. CLOSE posts one `return` posting from
/// `@customer`, with a journal entry per line, and closes the session (and
/// marks the RMA done) in the same transaction.
public final class ReturnsStation: SessionStation, TakesReasonWithNextInput {
    struct State: Codable {
        var session: UInt64
        var order: String
        var rma: String?
        /// What may still come back, taken when the return opened: shipped
        /// less returned (per item/lot/serial), narrowed by the RMA if any.
        var returnable: [ReturnableLine]
        /// The RMA's lines, which cap what it authorises (nil: by order).
        var authorised: [RMALine]?
        var units: [ReturnUnit] = []
        /// The unit scanned last, waiting for its disposition.
        var pending: ReturnUnit?
        var lastActivity: Int64
    }

    public let config: ReturnsConfig
    public var name: String { config.station }
    private let deps: StationDependencies
    private let history: PostingHistory
    let session: StationSession<State, NoDelta>
    private var state: State? { session.state }

    public init(config: ReturnsConfig, dependencies: StationDependencies) throws {
        guard let history = dependencies.history else {
            throw StationError(station: config.station, message: "a returns station needs the ledger's posting history")
        }
        self.config = config
        self.deps = dependencies
        self.history = history
        self.session = try StationSession(station: config.station, store: dependencies.sessions)
    }

    public var view: StationView {
        guard let s = state else { return session.idleView(workflow: "returns") }
        let lines = s.returnable.map { r in
            StationViewLine(item: r.item, lot: r.lot, expected: r.quantity,
                            scanned: (s.units + [s.pending].compactMap { $0 }).filter { r.covers($0) }.reduce(0) { $0 + $1.quantity })
        }
        return StationView(station: name, workflow: "returns", state: s.pending == nil ? "returning" : "waiting-disposition",
                           document: s.rma ?? s.order, location: config.restockLocation, lines: lines, lastError: session.lastError)
    }

    func dispatch(_ input: StationInput, at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        let c = config.commands
        if case .command(let cmd) = input, let d = dispositions.first(where: { $0.command == cmd }) { return dispose(d, at: time) }
        switch input {
        case .document(let d): return open(d, at: time)
        case .tradeItem(let scan): return add(ScannedLine(scan), at: time)
        case .tag(let t):
            do {
                guard let unit = try ScannedLine(tag: t, stock: deps.stock) else { return .error(.unknownEPC, "tag \(t.epc.hex) is unknown") }
                return add(unit, at: time)
            } catch { return unavailable(error) }
        case .command(let cmd) where cmd == c.close: return close(at: time, posted: &posted)
        case .command(let cmd) where cmd == c.undo: return undo(at: time)
        case .command(let cmd) where cmd == c.cancel:
            guard state != nil else { return .error(.nothingToDo, "no return open") }
            return session.save(nil) ?? .warning(.cancelled, "return cancelled, nothing posted")
        case .command(let cmd): return .error(.unknownCommand, "command \(cmd) is not used at returns")
        case .location(let l): return .error(.wrongMoment, "location \(l) scanned: returns go where their disposition says")
        case .logisticUnit(let sscc): return .error(.wrongMoment, "carton \(sscc.digits) scanned: scan the RMA or order, then each unit")
        case .tagArrived, .tagDeparted, .cycleReport, .idleTick: return .ok(.ignored, "")
        case .unrecognized(let text), .badge(let text), .reason(let text): return unrecognizedBarcode(text)
        case .carrierLabel(let label): return unrecognizedBarcode(label.text)
        }
    }

    /// Opens a return by RMA number, else by the order it returns.
    private func open(_ d: String, at time: Microseconds) -> Feedback {
        if let s = state {
            return s.rma == d || s.order == d ? .warning(.accepted, "return \(d) is already open")
                                              : .error(.wrongMoment, "return \(s.rma ?? s.order) is open: close or cancel it first")
        }
        do {
            switch try newReturn(d, at: time) {
            case .refused(let f): return f
            case .ready(let s):
                let units = s.returnable.reduce(0) { $0 + $1.quantity }
                return session.save(s)
                    ?? .ok(.opened, "return of order \(s.order)\(s.rma.map { " (RMA \($0))" } ?? ""): up to \(units) units may come back")
            }
        } catch { return unavailable(error) }
    }

    private enum Opening { case ready(State), refused(Feedback) }

    /// A return of RMA or order `d`, not saved yet: what the order shipped
    /// less what already came back, narrowed by the RMA.
    private func newReturn(_ d: String, at time: Microseconds) throws -> Opening {
        let rma = try deps.expected.rma(number: d)
        if let rma, case .done(let seq) = rma.status { return .refused(.error(.documentDone, "RMA \(d) was already returned (seq \(seq))")) }
        let order = rma?.order ?? d
        let shipped = try history.postedUnits(kind: .pack, ref: order)
        guard !shipped.isEmpty else {
            return .refused(.error(.unknownDocument, rma == nil ? "\(d) is neither an RMA nor a shipped order" : "order \(order) of RMA \(d) shipped nothing"))
        }
        let back = try history.postedUnits(kind: .return, ref: order)
        let returnable = ReturnableLine.remaining(shipped: shipped, returned: back, authorised: rma?.lines)
        let n = try deps.sessions.nextSessionNumber(station: name)
        return .ready(State(session: n, order: order, rma: rma?.number, returnable: returnable, authorised: rma?.lines, lastActivity: time.value))
    }

    /// A serialised unit (or SGTIN tag) scanned with no return open: the
    /// ledger knows which order shipped it, so the return opens by that
    /// order, and only if the unit itself may come back (nothing is saved
    /// for a refused unit).
    private func openBySerial(_ scan: ScannedLine, at time: Microseconds) -> Feedback {
        guard let serial = scan.serial else {
            return .error(.wrongMoment, "scan the RMA or order number first, or a serialised unit that was shipped")
        }
        do {
            guard let order = try history.refs(kind: .pack, item: scan.item, serial: serial).first else {
                return .error(.notShipped, "serial \(serial) of \(scan.item) was never shipped: set it aside")
            }
            switch try newReturn(order, at: time) {
            case .refused(let f): return f
            case .ready(let s): return add(scan, to: s, at: time, opening: "return of order \(order) opened by serial \(serial): ")
            }
        } catch { return unavailable(error) }
    }

    /// A unit scanned: checked against what may still come back, then it
    /// waits for its disposition.
    private func add(_ scan: ScannedLine, at time: Microseconds) -> Feedback {
        guard let s = state else { return openBySerial(scan, at: time) }
        return add(scan, to: s, at: time, opening: "")
    }

    private func add(_ scan: ScannedLine, to open: State, at time: Microseconds, opening: String) -> Feedback {
        var s = open
        if s.pending != nil {
            return .error(.dispositionRequired, "the last unit waits for its disposition: scan \(dispositionCommands)")
        }
        guard scan.quantity > 0, scan.quantity <= maxScanQuantity else {
            return .error(.badQuantity, "quantity \(scan.quantity) is not between 1 and \(maxScanQuantity)")
        }
        var unit = ReturnUnit(item: scan.item, lot: scan.lot, serial: scan.serial, quantity: scan.quantity, reason: deps.attribution.reason)
        do {
            guard let record = try deps.master.item(unit.item) else { return .error(.unknownItem, "item \(unit.item) is not in the master data") }
            switch record.tracking {
            case .serial:
                guard unit.serial != nil else { return .error(.missingSerial, "\(unit.item) is serialised: scan its serial (21)") }
                unit.quantity = 1
            case .lot:
                guard unit.lot != nil else { return .error(.missingLot, "\(unit.item) is lot-tracked: scan its lot (10)") }
                unit.serial = nil
            case .none: unit.lot = nil; unit.serial = nil
            }
        } catch { return unavailable(error) }
        let rma = s.rma.map { ($0, s.authorised ?? []) }
        if let refusal = ReturnableLine.refusal(for: &unit, in: s.returnable, taken: s.units, order: s.order, rma: rma) { return refusal }
        s.pending = unit
        s.lastActivity = time.value
        let reason = unit.reason.map { " (reason \($0))" } ?? ""
        return session.save(s) ?? .ok(.accepted, "\(opening)\(unit.quantity) × \(unit.item)\(reason): scan \(dispositionCommands)")
    }

    private func dispose(_ d: Disposition, at time: Microseconds) -> Feedback {
        guard var s = state else { return .error(.nothingToDo, "no return open") }
        guard d.location != nil else { return .error(.unknownCommand, "\(name) has no \(d.name) location configured") }
        guard var unit = s.pending else { return .error(.wrongMoment, "scan the returned unit before its disposition") }
        // A reason scanned between the unit and its disposition is the unit's.
        if let reason = deps.attribution.reason { unit.reason = reason }
        unit.disposition = d.name
        s.units.append(unit)
        s.pending = nil
        s.lastActivity = time.value
        return session.save(s) ?? .ok(.accepted, "\(unit.quantity) × \(unit.item) → \(d.name)")
    }

    private func undo(at time: Microseconds) -> Feedback {
        guard var s = state else { return .error(.nothingToDo, "no return open") }
        let taken: ReturnUnit
        if let p = s.pending { taken = p; s.pending = nil } else if let last = s.units.popLast() { taken = last } else {
            return .error(.nothingToDo, "nothing to take back")
        }
        s.lastActivity = time.value
        return session.save(s) ?? .ok(.undone, "\(taken.quantity) × \(taken.item) taken off the return")
    }

    /// A disposition: its name (kept on the unit and in the journal), the
    /// command that chooses it, and where it sends a unit.
    typealias Disposition = (name: String, command: String, location: LocationCode?)

    /// The one list of dispositions: commands, prompts and posting lines all
    /// read it. One without a configured location is refused.
    private var dispositions: [Disposition] {
        let c = config.commands
        return [("restock", c.restock, config.restockLocation), ("quarantine", c.quarantine, config.quarantineLocation),
                ("damaged", c.damaged, config.damagedLocation), ("return-to-vendor", c.returnToVendor, config.vendorLocation)]
    }

    /// Where a unit with this disposition goes; nil where the station has no
    /// such location (the command was refused, or the configuration changed
    /// since the unit was scanned).
    private func location(for disposition: String?) -> LocationCode? {
        dispositions.first { $0.name == disposition }?.location
    }

    /// The prompt for a unit's disposition: the commands this station takes.
    private var dispositionCommands: String {
        let offered = dispositions.filter { $0.location != nil }.map(\.command)
        return offered.count < 2 ? offered.joined() : offered.dropLast().joined(separator: ", ") + " or " + offered[offered.count - 1]
    }

    private func close(at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        guard let s = state else { return .error(.nothingToDo, "no return open") }
        if let p = s.pending {
            return .error(.dispositionRequired, "\(p.quantity) × \(p.item) waits for its disposition: scan \(dispositionCommands) first")
        }
        guard !s.units.isEmpty else { return .error(.nothingToDo, "nothing returned: nothing to post (cancel instead)") }
        var lines: [PostingLine] = []
        for u in s.units {
            // A unit is never restocked for lack of the place its disposition named.
            guard let to = location(for: u.disposition) else {
                return .error(.unknownCommand, "\(u.quantity) × \(u.item) is for \(u.disposition ?? "no disposition"), which \(name) no longer has a location for: configure it, or \(config.commands.cancel) and return again")
            }
            lines.append(PostingLine(item: u.item, qty: Int64(u.quantity), from: VirtualLocation.customer, to: to, lot: u.lot, serial: u.serial))
        }
        lines = aggregate(lines)
        var request = PostingRequest(key: IdempotencyKey.make(station: name, workflow: "return", session: s.session),
                                     kind: .return, ref: s.order, station: name, eventTime: .device(time), lines: lines)
        var reasons: [String] = []
        for r in s.units.compactMap(\.reason) where !reasons.contains(r) { reasons.append(r) }
        request.reason = reasons.isEmpty ? nil : reasons.joined(separator: ",")
        request.journal = ReturnJournal.entries(for: s.units, station: name, order: s.order, rma: s.rma, at: time)
        // The RMA, if any, is marked done in the return's own transaction
        // where the store allows, and the session closes with it; else (see
        // postClosing) the session stays open until the RMA is marked, so a
        // retry re-sends the same key instead of leaving the RMA open to be
        // received again.
        let document: PostingDocument?
        do {
            document = try s.rma.flatMap { try deps.expected.rma(number: $0) }.flatMap { r in
                var done = r
                done.status = .done(seq: .none)
                return try deps.expected.postingDocument(rma: done, sequencePath: DocumentStatus.doneSequencePath)
            }
        } catch { return unavailable(error) }
        let result = s.rma.map { rma in
            session.postClosing(request, document: document, mark: { try deps.expected.markRMA(rma, status: .done(seq: $0)) }, to: deps.ledger)
        } ?? ClosingSubmission(session.postClosing(request, to: deps.ledger))
        switch result {
        case .refused(let f): return f
        case .notClosed(let seq, let error):
            posted.append(seq)
            return .error(.sessionNotSaved, "return of order \(s.order) posted (seq \(seq)) but RMA \(s.rma ?? "") was not marked done (\(error)): scan \(config.commands.close) again")
        case .closed(let seq):
            posted.append(seq)
            let units = s.units.reduce(0) { $0 + $1.quantity }
            return .done(.posted, "return of order \(s.order) posted: \(units) units (seq \(seq))")
        }
    }
}
