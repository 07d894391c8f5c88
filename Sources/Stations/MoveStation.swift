import ScanModel

public struct MoveConfig: Sendable {
    public var station: String
    /// An unconfirmed move with no activity for this long is discarded (nil: kept).
    public var idleTimeout: Microseconds? = nil
    public var commands = CommandNames()
    public init(station: String) { self.station = station }
}

/// Putaway, replenishment and relocation: source location, items/SSCCs/EPCs,
/// destination, confirm → one move posting. Until confirm nothing is posted,
/// so an interrupted move leaves the ledger untouched.
public final class MoveStation: SessionStation {
    struct State: Codable {
        var session: UInt64
        var source: String
        var lines: [ScannedLine] = []
        var destination: String?
        var nextGroup = 0
        var lastActivity: Int64
    }

    public let config: MoveConfig
    public var name: String { config.station }
    private let deps: StationDependencies
    let session: StationSession<State, NoDelta>
    private var state: State? { session.state }

    public init(config: MoveConfig, dependencies: StationDependencies) throws {
        self.config = config
        self.deps = dependencies
        self.session = try StationSession(station: config.station, store: dependencies.sessions, clocks: dependencies.clocks,
                                          timed: [\.lastActivity])
    }

    public var view: StationView {
        guard let s = state else { return session.idleView(workflow: "move") }
        var totals: [String: StationViewLine] = [:]
        var order: [String] = []
        for l in s.lines {
            let k = "\(l.item.code)\u{0}\(l.lot ?? "")"
            if totals[k] == nil { order.append(k); totals[k] = StationViewLine(item: l.item, lot: l.lot, scanned: 0) }
            totals[k]?.scanned += l.quantity
        }
        let phase = s.destination != nil ? "confirm" : (s.lines.isEmpty ? "scan-items" : "scan-items-or-destination")
        return StationView(station: name, workflow: "move", state: phase, location: LocationCode(s.source),
                           destination: s.destination.map { LocationCode($0) }, lines: order.compactMap { totals[$0] },
                           lastError: session.lastError)
    }

    func dispatch(_ input: StationInput, at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        switch input {
        case .location(let l): return location(l, at: time)
        case .tradeItem(let scan):
            return add([ScannedLine(scan)], at: time)
        case .tag(let tag): return addTags([tag], at: time)
        case .cycleReport(let r): return addTags(r.current.map(\.tag), at: time)
        case .logisticUnit(let sscc): return pallet(sscc.digits, at: time)
        case .command(let c):
            if c == config.commands.confirm { return confirm(at: time, posted: &posted) }
            if c == config.commands.undo { return undo(at: time) }
            if c == config.commands.cancel {
                guard state != nil else { return .error(.nothingToDo, "no move in progress") }
                do { try abandon() } catch { return notSaved(error) }
                return .warning(.cancelled, "move cancelled, nothing posted")
            }
            return .error(.unknownCommand, "command \(c) is not used for moves")
        case .document(let d): return .error(.wrongMoment, "document \(d) scanned: a move starts with a location")
        case .tagArrived, .tagDeparted: return .ok(.ignored, "")
        case .unrecognized(let text), .badge(let text), .reason(let text): return unrecognizedBarcode(text)
        case .carrierLabel(let label): return unrecognizedBarcode(label.text)
        case .idleTick:
            guard let s = state, let t = config.idleTimeout, let idle = session.elapsed(since: \.lastActivity, at: time), idle >= t.value else { return .ok(.ignored, "") }
            do { try abandon() } catch { return notSaved(error) }
            return .warning(.cancelled, "move from \(s.source) abandoned after inactivity, nothing posted")
        }
    }

    private func location(_ l: LocationCode, at time: Microseconds) -> Feedback {
        if VirtualLocation.isVirtual(l) { return .error(.unknownLocation, "\(l) is a virtual location, not a shelf") }
        let held: Feedback?
        do {
            guard try deps.master.location(l) != nil else { return .error(.unknownLocation, "location \(l) is not in the master data") }
            held = try deps.heldLocationRefusal(l)
        } catch { return unavailable(error) }
        if var s = state {
            if s.lines.isEmpty && s.destination == nil {
                // A held location may be a destination (putting stock on hold), never a source.
                if let held { return held }
                s.source = l.code; s.lastActivity = time.value
                return session.save(s) ?? .ok(.accepted, "source is now \(l)")
            }
            if l.code == s.source { return .error(.sameLocation, "\(l) is the source; scan the destination") }
            let replaced = s.destination != nil
            s.destination = l.code; s.lastActivity = time.value
            return session.save(s) ?? (replaced ? .warning(.accepted, "destination changed to \(l); scan \(config.commands.confirm)")
                                        : .ok(.accepted, "destination \(l); scan \(config.commands.confirm)"))
        }
        if let held { return held }
        let n: UInt64
        do { n = try deps.sessions.nextSessionNumber(station: name) } catch { return notSaved(error) }
        return session.save(State(session: n, source: l.code, lastActivity: time.value)) ?? .ok(.opened, "move from \(l): scan items")
    }

    private func pallet(_ sscc: String, at time: Microseconds) -> Feedback {
        let asn: ASN?
        do { asn = try deps.expected.asn(containingSSCC: sscc) } catch { return unavailable(error) }
        let contents = asn?.lines.filter { $0.sscc == sscc } ?? []
        guard !contents.isEmpty else { return .error(.unexpectedSSCC, "contents of pallet \(sscc) are not known; scan its items") }
        return add(contents.map { ScannedLine(item: $0.item, lot: $0.lot, serial: nil, epc: nil, quantity: $0.quantity) }, at: time)
    }

    private func addTags(_ tags: [EPCTag], at time: Microseconds) -> Feedback {
        var lines: [ScannedLine] = []
        for tag in tags {
            let line: ScannedLine?
            do { line = try ScannedLine(tag: tag, stock: deps.stock) } catch { return unavailable(error) }
            guard let line else { return .error(.unknownEPC, "tag \(tag.epc.hex) is unknown to the ledger") }
            lines.append(line)
        }
        if lines.isEmpty { return .ok(.ignored, "no tags") }
        return add(lines, at: time)
    }

    /// Adds one scan's lines, all or none, after checking the source holds them.
    private func add(_ newLines: [ScannedLine], at time: Microseconds) -> Feedback {
        guard var s = state else { return .error(.wrongMoment, "scan the source location first") }
        if s.destination != nil {
            return .error(.wrongMoment, "destination already scanned: \(config.commands.confirm), or \(config.commands.undo) to add more")
        }
        let source = LocationCode(s.source)
        var taken = s.lines
        for var line in newLines {
            guard line.quantity > 0, line.quantity <= maxScanQuantity else {
                return .error(.badQuantity, "quantity \(line.quantity) is not between 1 and \(maxScanQuantity)")
            }
            let record: ItemRecord?
            do { record = try deps.master.item(line.item) } catch { return unavailable(error) }
            guard let record else { return .error(.unknownItem, "item \(line.item) is not in the master data") }
            do {
                switch record.tracking {
                case .serial:
                    guard let serial = line.serial else {
                        return .error(.missingSerial, "item \(line.item) is serialised: scan its serial (21) or tag")
                    }
                    if taken.contains(where: { $0.item == line.item && $0.serial == serial }) {
                        return .error(.duplicateSerial, "serial \(serial) of \(line.item) is already in this move")
                    }
                    let p = try deps.stock.location(ofItem: line.item, serial: serial)
                    guard let p, p.location == source else {
                        let whereNow = p?.location.map { "it is at \($0)" } ?? "it is not on hand"
                        return .error(.notInSource, "serial \(serial) of \(line.item) is not at \(source): \(whereNow)")
                    }
                    line.lot = p.lot
                    line.quantity = 1
                case .lot, .none:
                    if record.tracking == .lot && line.lot == nil {
                        return .error(.missingLot, "item \(line.item) is lot-tracked: scan the label with its lot (10)")
                    }
                    if record.tracking == .none { line.lot = nil }
                    line.serial = nil
                    let inMove = taken.filter { $0.item == line.item && $0.lot == line.lot }.reduce(0) { $0 + $1.quantity }
                    let have = try deps.stock.onHand(item: line.item, lot: line.lot, at: source)
                    if inMove + line.quantity > have {
                        return .error(.notInSource, "\(source) holds \(have) of \(line.item)\(line.lot.map { " lot \($0)" } ?? ""); this move would take \(inMove + line.quantity)")
                    }
                }
                if let held = try deps.heldStockRefusal(item: line.item, lot: line.lot, from: source) { return held }
            } catch { return unavailable(error) }
            line.group = s.nextGroup
            taken.append(line)
        }
        s.lines = taken
        s.nextGroup += 1
        s.lastActivity = time.value
        let qty = newLines.reduce(0) { $0 + $1.quantity }
        return session.save(s) ?? .ok(.accepted, "\(qty) × \(newLines.first?.item.code ?? "") added from \(source)")
    }

    private func undo(at time: Microseconds) -> Feedback {
        guard var s = state else { return .error(.nothingToDo, "nothing to undo") }
        let message: String
        if let d = s.destination {
            s.destination = nil; message = "destination \(d) removed"
        } else if let last = s.lines.last {
            s.lines.removeAll { $0.group == last.group }; message = "last scan (\(last.item)) removed"
        } else {
            do { try abandon() } catch { return notSaved(error) }
            return .ok(.undone, "source \(s.source) removed")
        }
        s.lastActivity = time.value
        return session.save(s) ?? .ok(.undone, message)
    }

    private func confirm(at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        guard let s = state else { return .error(.nothingToDo, "no move in progress") }
        guard !s.lines.isEmpty else { return .error(.wrongMoment, "nothing scanned to move") }
        guard let destination = s.destination else { return .error(.wrongMoment, "scan the destination location first") }
        let lines = aggregate(s.lines.map {
            PostingLine(item: $0.item, qty: Int64($0.quantity), from: LocationCode(s.source), to: LocationCode(destination),
                        lot: $0.lot, serial: $0.serial)
        })
        let request = PostingRequest(key: IdempotencyKey.make(station: name, workflow: "move", session: s.session),
                                     kind: .move, station: name, eventTime: .device(time), lines: lines)
        // A move is its own document: the session closes with the posting.
        switch session.postClosing(request, to: deps.ledger) {
        case .refused(let f): return f
        case .committed(let seq):
            posted.append(seq)
            return .done(.posted, "moved \(s.lines.reduce(0) { $0 + $1.quantity }) units \(s.source) → \(destination) (seq \(seq))")
        }
    }
}
