import ScanModel

public struct ShipConfig: Sendable {
    public var station: String
    /// Where the pack station put the cartons: shipped goods leave from here.
    public var packedLocation: LocationCode
    public var commands = CommandNames()
    /// Pallet aggregation (ShipPallets.swift): an SSCC no pack posting used opens a pallet.
    public var pallets = false
    /// Load verification (ShipLoadCheck.swift): the doors and their carriers; empty: off.
    public var doors: [DockDoor] = []
    public init(station: String, packedLocation: LocationCode) {
        self.station = station; self.packedLocation = packedLocation
    }
}

/// Shipping: scan a packed carton (its SSCC, or the order number), then the
/// carrier's label; CONFIRM posts `ship` (packed location → @customer) of
/// what the pack posting put in the carton, with a `shipped` journal entry
/// (carrier, service, tracking number, SSCC, order) that commits with it.
/// A label that fails its check, or whose number another carton already
/// shipped with, is refused at the scan, before anything is stored.
public final class ShipStation: SessionStation {
    struct State: Codable {
        var session: UInt64
        var carton: PackedCarton
        var label: CarrierLabel?
        var lastActivity: Int64
        /// The pallet being built; `carton` then stands for the whole pallet.
        var pallet: PalletLoad? = nil
    }

    public let config: ShipConfig
    public var name: String { config.station }
    let deps: StationDependencies
    let shipments: ShipmentLookup
    /// Asked only with `pallets` on.
    let pallets: PalletLookup?
    /// Doors and pallet claims, shared with the other ship stations.
    let floor: ShipFloorStore
    let loadingDoor: LoadingDoor
    let session: StationSession<State, NoDelta>
    private var state: State? { session.state }

    public init(config: ShipConfig, dependencies: StationDependencies) throws {
        guard let shipments = dependencies.shipments else {
            throw StationError(station: config.station, message: "a ship station needs the ledger's shipment lookups")
        }
        self.config = config
        self.deps = dependencies
        self.shipments = shipments
        pallets = shipments as? PalletLookup
        if config.pallets && pallets == nil {
            throw StationError(station: config.station, message: "a ship station with pallets needs the ledger's pallet lookups")
        }
        self.session = try StationSession(station: config.station, store: dependencies.sessions)
        floor = dependencies.sessions as? ShipFloorStore ?? InMemoryShipFloor()
        loadingDoor = try LoadingDoor(station: config.station, store: floor)
    }

    public var view: StationView {
        guard let s = state else { return session.idleView(workflow: "ship") }
        if let pallet = s.pallet { return palletView(s, pallet) }
        let lines = aggregate(s.carton.lines).map { StationViewLine(item: $0.item, expected: Int($0.qty), scanned: Int($0.qty)) }
        return StationView(station: name, workflow: "ship", state: s.label == nil ? "awaiting-label" : "labelled",
                           document: s.carton.order, location: config.packedLocation, lines: lines, lastError: session.lastError)
    }

    func dispatch(_ input: StationInput, at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        if let answer = dispatchPallet(input, at: time, posted: &posted) { return answer }
        let c = config.commands
        switch input {
        case .logisticUnit(let sscc): return open(.sscc(sscc.digits), at: time)
        case .document(let d): return open(.order(d), at: time)
        case .carrierLabel(.valid(let label)): return attach(label, at: time)
        case .carrierLabel(.invalid(let text, let reason)):
            return .error(.badTrackingNumber, "label '\(text)' is not a valid tracking number: \(reason)")
        case .command(let cmd) where cmd == c.confirm: return confirm(at: time, posted: &posted)
        case .command(let cmd) where cmd == c.undo:
            guard var s = state, let label = s.label else { return .error(.nothingToDo, "no label to take back") }
            s.label = nil; s.lastActivity = time.value
            return session.save(s) ?? .ok(.undone, "label \(label.tracking) taken back: scan the carrier label")
        case .command(let cmd) where cmd == c.cancel:
            guard state != nil else { return .error(.nothingToDo, "no carton open") }
            return session.save(nil) ?? .warning(.cancelled, "shipping cancelled, nothing posted")
        case .command(let cmd): return .error(.unknownCommand, "command \(cmd) is not used at shipping")
        case .location(let l): return scanDoor(l, at: time)
        case .tradeItem, .tag, .cycleReport:
            return .error(.wrongMoment, "shipping takes whole cartons: scan the carton's SSCC or the order number")
        case .tagArrived, .tagDeparted, .idleTick: return .ok(.ignored, "")
        case .unrecognized(let text), .badge(let text), .reason(let text): return unrecognizedBarcode(text)
        }
    }

    private enum CartonKey {
        case sscc(String), order(String)
        var text: String {
            switch self {
            case .sscc(let s): return "carton \(s)"
            case .order(let o): return "order \(o)"
            }
        }
    }

    private func open(_ key: CartonKey, at time: Microseconds) -> Feedback {
        if let s = state {
            let same: Bool
            switch key {
            case .sscc(let d): same = s.carton.sscc == d
            case .order(let o): same = s.carton.order == o
            }
            return same ? .warning(.accepted, "\(key.text) is already open")
                        : .error(.wrongMoment, "\(Self.describe(s.carton)) is open: confirm or cancel it first")
        }
        do {
            let found: PackedCarton?
            switch key {
            case .sscc(let d): found = try shipments.packedCarton(sscc: d)
            case .order(let o): found = try shipments.packedCarton(order: o)
            }
            guard let packed = found else { return .error(.unknownDocument, "no pack posting for \(key.text)") }
            if let done = try shipments.shipment(order: packed.order, sscc: packed.sscc) {
                return .error(.documentDone, "\(Self.describe(packed)) was already shipped (seq \(done.seq))")
            }
            if let refusal = try palletRefusal(packed) { return refusal }
            // What the pack posting put at the packed location is what leaves.
            let lines = packed.lines.filter { $0.to == config.packedLocation }
                .map { PostingLine(item: $0.item, qty: $0.qty, from: config.packedLocation, to: VirtualLocation.customer, lot: $0.lot, serial: $0.serial) }
            guard !lines.isEmpty else {
                return .error(.wrongMoment, "pack posting \(packed.seq) put nothing at \(config.packedLocation): ship it from its own station")
            }
            session.clearError()
            let n = try deps.sessions.nextSessionNumber(station: name)
            let carton = PackedCarton(seq: packed.seq, order: packed.order, sscc: packed.sscc, lines: lines)
            let units = lines.reduce(Int64(0)) { $0 + $1.qty }
            return session.save(State(session: n, carton: carton, lastActivity: time.value))
                ?? .ok(.opened, "\(Self.describe(carton)): \(units) units packed (seq \(packed.seq)); scan the carrier label")
        } catch { return unavailable(error) }
    }

    private func attach(_ label: CarrierLabel, at time: Microseconds) -> Feedback {
        guard var s = state else { return .error(.wrongMoment, "scan the carton's SSCC or the order number before its label") }
        if let refusal = reuse(of: label, by: s.carton) { return refusal }
        if let refusal = carrierRefusal(label, for: Self.describe(s.carton)) { return refusal }
        s.label = label; s.lastActivity = time.value
        let service = label.service.map { " service \($0)" } ?? ""
        return session.save(s) ?? .ok(.accepted, "\(label.carrier) \(label.tracking)\(service): scan \(config.commands.confirm)")
    }

    /// Refuses a tracking number an earlier ship posting of another carton
    /// used; the same carton's own posting (a confirm retried after a lost
    /// answer) is not a reuse.
    func reuse(of label: CarrierLabel, by carton: PackedCarton) -> Feedback? {
        do {
            guard let other = try shipments.shipment(carrier: label.carrier, tracking: label.tracking) else { return nil }
            if other.order == carton.order && other.sscc == carton.sscc { return nil }
            let whose = other.sscc.map { "carton \($0)" } ?? other.order.map { "order \($0)" } ?? "another carton"
            return .error(.trackingReused, "\(label.carrier) \(label.tracking) already shipped \(whose) (seq \(other.seq)): print a new label")
        } catch { return unavailable(error) }
    }

    private func confirm(at time: Microseconds, posted: inout [LedgerSequence]) -> Feedback {
        guard let s = state else { return .error(.nothingToDo, "no carton open") }
        guard let label = s.label else {
            return .error(.incomplete, "\(Self.describe(s.carton)) has no carrier label: scan it before \(config.commands.confirm)")
        }
        if let refusal = loadRefusal(at: config.commands.confirm) { return refusal }
        // Checked again: another station may have shipped with it since the scan.
        if let refusal = reuse(of: label, by: s.carton) { return refusal }
        var request = PostingRequest(key: IdempotencyKey.make(station: name, workflow: "ship", session: s.session),
                                     kind: .ship, ref: s.carton.order, station: name, eventTime: .device(time),
                                     sscc: s.carton.sscc, lines: s.carton.lines)
        request.journal = [Self.shippedEntry(label, s.carton, station: name, at: time)]
        if let order = s.carton.order, let status = deps.statusAfterShipping(order: order, lines: s.carton.lines) {
            request.journal.append(OrderJournal.statusChange(order: order, to: status, station: name, at: time))
        }
        switch session.postClosing(request, to: deps.ledger) {
        case .refused(let f): return f
        case .committed(let seq):
            posted.append(seq)
            return .done(.posted, "\(Self.describe(s.carton)) shipped \(label.carrier) \(label.tracking) (seq \(seq))")
        }
    }

    /// The journal entry that stores the shipment's carrier data: the reuse
    /// check and `export shipments` read it back.
    /// A carton that left on a pallet names it (`pallet`); a loose one has no such key.
    static func shippedEntry(_ label: CarrierLabel, _ carton: PackedCarton, station: String, at time: Microseconds,
                             pallet: String? = nil) -> JournalEntry {
        let text = JSONText.quote
        var fields = [("carrier", text(label.carrier)), ("service", text(label.service)), ("tracking", text(label.tracking)),
                      ("rule", text(label.rule)), ("sscc", text(carton.sscc)), ("order", text(carton.order)),
                      ("pack_seq", String(carton.seq.value))]
        if let pallet { fields.append(("pallet", text(pallet))) }
        let detail = JSONText.object(fields)
        return JournalEntry(time: time, station: station, code: shippedJournalCode, severity: .done, document: carton.order,
                            message: "\(describe(carton)) shipped \(label.carrier) \(label.tracking)", detail: detail)
    }

    static func describe(_ c: PackedCarton) -> String {
        switch (c.sscc, c.order) {
        case (let sscc?, let order?): return "carton \(sscc) of order \(order)"
        case (let sscc?, nil): return "carton \(sscc)"
        case (nil, let order?): return "order \(order)"
        case (nil, nil): return "pack posting \(c.seq)"
        }
    }
}
