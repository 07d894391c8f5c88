import Foundation
import ScanModel
import Stations

/// Runs the configured stations, each on its own serial queue (a station is
/// a single-threaded state machine; its postings are synchronous commits).
/// Publishes every result to the event hub and hands the device signal back
/// to the device that caused the input.
///
/// `@unchecked Sendable`: `slots`, `cycleZones` and the counts are guarded by `lock`.
/// What every station is built with besides its own spec: the site's
/// command barcodes and which zones run event cycles (a count station with
/// one sweeps by cycles).
public struct StationContext: Sendable, Equatable {
    public var cycleZones: Set<String> = []
    public var commands = CommandNames()
    public init(cycleZones: Set<String> = [], commands: CommandNames = CommandNames()) {
        self.cycleZones = cycleZones; self.commands = commands
    }
}

public final class StationHost: @unchecked Sendable {
    /// `@unchecked Sendable`: `station` is only touched on `queue` (a serial queue is its lock).
    final class Slot: @unchecked Sendable {
        let spec: StationSpec
        let station: AttendedStation
        let queue: DispatchQueue
        /// Inputs queued and not yet handled, and whether inputs are being
        /// dropped (so the log says when an overflow begins, not every drop).
        let backlog = Locked((queued: 0, dropping: false))
        /// At most 5 overflow lines a minute per station: under a reader's
        /// steady flood even one line per overflow was hundreds a minute.
        let overflowLog = Locked(WarningLimiter())
        init(spec: StationSpec, station: AttendedStation) {
            self.spec = spec; self.station = station
            queue = DispatchQueue(label: "station.\(spec.name)")
        }
    }

    /// Guarded by `lock`; replaced on reload.
    private var slots: [String: Slot] = [:]
    private let dependencies: StationDependencies
    private let reviews: CountReviewStore
    private let journal: JournalSink?
    private let log: @Sendable (String, String) -> Void
    public let hub: EventHub
    /// Called with (device name, signal) after an input from that device.
    private let signal: @Sendable (String, FeedbackOutcome) -> Void
    /// Called with a station's effects (start/stop its sweep), in order.
    private let effects: @Sendable (String, [StationEffect], Microseconds) -> Void
    /// What every station is built with besides its own spec.
    private var context: StationContext
    private let lock = NSLock()
    private var accepted = 0
    private var refused = 0
    private var ignored = 0
    private var dropped: [String: Int] = [:]
    /// Inputs one station may have queued. A station commits as it goes
    /// (a few ms each), so a device that floods it (a scanner stuck
    /// sending, a misconfigured reader) would otherwise grow its queue
    /// without bound; past this the input is refused at once: the device
    /// gets the error signal, the drop is counted and the log says so.
    public static let queueLimit = 1_024
    /// `queueLimit`, smaller in tests.
    private let inputLimit: Int
    /// Paces the overflow lines (`WarningLimiter`).
    private let clock: any MicrosecondClock

    public init(specs: [StationSpec], context: StationContext = StationContext(), dependencies: StationDependencies, reviews: CountReviewStore,
                journal: JournalSink? = nil, hub: EventHub,
                signal: @escaping @Sendable (String, FeedbackOutcome) -> Void,
                effects: @escaping @Sendable (String, [StationEffect], Microseconds) -> Void = { _, _, _ in },
                log: @escaping @Sendable (_ station: String, _ line: String) -> Void = { _, _ in },
                queueLimit: Int = StationHost.queueLimit, clock: any MicrosecondClock = MonotonicClock()) throws {
        self.inputLimit = queueLimit
        self.clock = clock
        self.hub = hub
        self.journal = journal
        self.log = log
        self.signal = signal
        self.effects = effects
        self.dependencies = dependencies
        self.reviews = reviews
        self.context = context
        for spec in specs { slots[spec.name] = try slot(spec, context) }
    }

    /// A station with its own attribution: its postings are stamped with the
    /// device and operator of the input being handled.
    private func slot(_ spec: StationSpec, _ context: StationContext) throws -> Slot {
        let attribution = Attribution()
        let shared = dependencies
        let deps = StationDependencies(ledger: StampingGateway(shared.ledger, attribution: attribution), stock: shared.stock, master: shared.master,
                                       expected: shared.expected, sessions: shared.sessions, attribution: attribution,
                                       shipments: shared.shipments, history: shared.history, lotHolds: shared.lotHolds,
                                       clocks: shared.clocks)
        let station = try Self.make(spec, deps, reviews, context)
        return Slot(spec: spec, station: AttendedStation(station: station, attribution: attribution, config: spec.attendance,
                                                         commands: context.commands, journal: journal, lotHolds: shared.lotHolds,
                                                         monotonic: shared.clocks?.monotonic))
    }

    static func make(_ spec: StationSpec, _ deps: StationDependencies, _ reviews: CountReviewStore, _ context: StationContext) throws -> Station {
        switch spec.kind {
        case .receiving:
            var c = ReceivingConfig(station: spec.name, dock: LocationCode(spec.dock ?? ""))
            c.overReceiptTolerancePercent = spec.overReceiptTolerancePercent
            c.minRemainingShelfLifeDays = spec.shortDatedDays
            c.utcOffsetSeconds = spec.utcOffsetMinutes * 60
            c.idleTimeout = spec.idleCloseSeconds.map { .seconds(Int64($0)) }
            c.inspection = spec.inspection
            c.commands = context.commands
            return try ReceivingStation(config: c, dependencies: deps)
        case .move:
            var c = MoveConfig(station: spec.name)
            c.idleTimeout = spec.idleCloseSeconds.map { .seconds(Int64($0)) }
            c.commands = context.commands
            return try MoveStation(config: c, dependencies: deps)
        case .count:
            var c = CountConfig(station: spec.name)
            c.autoPost = spec.autoPost
            c.maxDuration = spec.maxDurationSeconds.map { .seconds(Int64($0)) }
            c.sweepsWithReadCycles = spec.zones.contains(where: context.cycleZones.contains)
            c.commands = context.commands
            return try CountStation(config: c, dependencies: deps, reviews: reviews)
        case .pack:
            var c = PackConfig(station: spec.name, packLocation: LocationCode(spec.packLocation ?? ""),
                               packedLocation: LocationCode(spec.packedLocation ?? ""))
            c.commands = context.commands
            return try PackStation(config: c, dependencies: deps)
        case .ship:
            var c = ShipConfig(station: spec.name, packedLocation: LocationCode(spec.packedLocation ?? ""))
            c.commands = context.commands
            c.pallets = spec.pallets
            c.doors = spec.doors
            return try ShipStation(config: c, dependencies: deps)
        case .returns:
            var c = ReturnsConfig(station: spec.name, restockLocation: LocationCode(spec.restockLocation ?? ""))
            c.quarantineLocation = spec.quarantineLocation.map { LocationCode($0) }
            c.damagedLocation = spec.damagedLocation.map { LocationCode($0) }
            c.vendorLocation = spec.vendorLocation.map { LocationCode($0) }
            c.commands = context.commands
            return try ReturnsStation(config: c, dependencies: deps)
        case .pick:
            var c = PickConfig(station: spec.name, pickLocations: spec.pickLocations.map { LocationCode($0) })
            c.walkBySequence = spec.walkBySequence
            c.totePrefix = spec.totePrefix
            c.fefoIsError = spec.fefoIsError
            c.commands = context.commands
            // The ledger's gateway answers lot expiries and takes the order notes no posting carries.
            return try PickStation(config: c, dependencies: deps, expiries: deps.stock as? LotExpiryLookup, journal: deps.stock as? JournalSink)
        }
    }

    public var names: [String] { lock.withLock { slots.keys.sorted() } }

    /// Applies a reloaded station list: removed and changed stations finish
    /// their queued inputs and go; added and changed ones are created and
    /// resume any session saved in the database (a station saves before it
    /// changes memory, so nothing is lost in the swap). All or nothing: if a
    /// new station cannot be created, the running set is kept.
    public func apply(_ specs: [StationSpec], context: StationContext) throws -> (added: [String], removed: [String]) {
        let (current, old) = lock.withLock { (slots, self.context) }
        let wanted = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // Rebuilt too: every station when the command names changed, and a
        // station whose zones started or stopped running cycles.
        func sweepsChanged(_ spec: StationSpec) -> Bool {
            context.commands != old.commands || spec.zones.contains { context.cycleZones.contains($0) != old.cycleZones.contains($0) }
        }
        let leaving = current.values.filter { wanted[$0.spec.name] != $0.spec || sweepsChanged($0.spec) }
        for slot in leaving { slot.queue.sync {} }
        var created: [String: Slot] = [:]
        for spec in specs where current[spec.name]?.spec != spec || sweepsChanged(spec) {
            created[spec.name] = try slot(spec, context)
        }
        lock.withLock {
            self.context = context
            for slot in leaving { slots.removeValue(forKey: slot.spec.name) }
            slots.merge(created) { _, new in new }
        }
        return (created.keys.sorted(), leaving.map(\.spec.name).sorted())
    }
    public var counts: (accepted: Int, refused: Int) { lock.withLock { (accepted, refused) } }
    /// Inputs from readers that changed nothing (a portal's arrivals and departures): not
    /// news for the event stream, but counted, so every input a zone sent is
    /// accepted, refused, ignored or dropped and none vanishes.
    public var ignoredInputs: Int { lock.withLock { ignored } }
    /// Inputs refused because their station's queue was full, per station.
    public var droppedInputs: [String: Int] { lock.withLock { dropped } }

    /// Queues an input for a station; `device` gets the feedback signal.
    public func deliver(_ input: StationInput, to name: String, at time: Microseconds, from device: String?) {
        var isTick = false
        if case .idleTick = input { isTick = true }
        deliver(to: name, at: time, from: device, isTick: isTick) { input }
    }

    /// Queues the input `make` builds, calling it only once the station has
    /// room, on the station's queue. For a reader's arrivals and departures:
    /// decoding each tag's EPC (`ScanTranslator.tag`) on the router's thread
    /// took two thirds of it in a tag flood, mostly for inputs then dropped
    /// at the full queue (`scanledger-bench flood-llrp`).
    public func deliver(to name: String, at time: Microseconds, from device: String? = nil, isTick: Bool = false,
                        _ make: @escaping @Sendable () -> StationInput) {
        guard let slot = lock.withLock({ slots[name] }) else { return }
        let (admitted, overflowBegins) = slot.backlog.withLock { b -> (Bool, Bool) in
            guard b.queued >= inputLimit else {
                // An overflow ends when the queue has drained to half, not at
                // the first free slot: under a reader's flood every slot the
                // station frees is taken at once, and each would start a new
                // "overflow" and its log line (thousands a second).
                if b.queued < inputLimit / 2 { b.dropping = false }
                b.queued += 1
                return (true, false)
            }
            if isTick { return (false, false) }  // the next tick comes anyway: not a drop
            defer { b.dropping = true }
            return (false, !b.dropping)
        }
        guard admitted else {
            if isTick { return }
            lock.withLock { dropped[name, default: 0] += 1 }
            if overflowBegins {
                let (show, unlogged) = slot.overflowLog.withLock { $0.admit(at: clock.now()) }
                let before = unlogged > 0 ? " (\(unlogged) more overflows in the last minute were not logged)" : ""
                if show { log(name, "input queue full (\(inputLimit) waiting): dropping inputs until it drains to half; each is answered with the error signal and counted in scanledger_station_inputs_dropped_total\(before)") }
            }
            if let device { signal(device, .error) }
            return
        }
        slot.queue.async { [self] in
            defer { slot.backlog.withLock { $0.queued -= 1 } }
            let input = make()
            let event = slot.station.handle(input, at: time, device: device)
            for failure in slot.station.takeJournalFailures() { log(name, failure) }
            // Quiet inputs that changed nothing are not news (a portal's arrivals and departures, idle ticks).
            if case .idleTick = input, event.feedback.code == .ignored || event.feedback.code == .nothingToDo { return }
            if Self.isFromAReader(input), event.feedback.code == .ignored { lock.withLock { ignored += 1 }; return }
            lock.withLock { if event.accepted { accepted += 1 } else { refused += 1 } }
            if let device {
                signal(device, event.feedback.outcome)
                // The station's indicator answers for scanners that cannot (evdev, HID POS).
                if let indicator = slot.spec.indicator, indicator != device { signal(indicator, event.feedback.outcome) }
            }
            if !event.effects.isEmpty { effects(name, event.effects, time) }
            hub.publish(ServiceJSON.stationEvent(event, input: input, device: device))
        }
    }

    private static func isFromAReader(_ input: StationInput) -> Bool {
        switch input {
        case .tagArrived, .tagDeparted: return true
        default: return false
        }
    }

    /// Every station's idle tick (timeouts run in station time).
    public func tick(at time: Microseconds) {
        for name in names { deliver(.idleTick, to: name, at: time, from: nil) }
    }

    /// The views, read on each station's own queue.
    public func views() -> [(spec: StationSpec, view: StationView, open: Bool, operatorID: String?)] {
        lock.withLock { Array(slots.values) }.sorted { $0.spec.name < $1.spec.name }.map { slot in
            slot.queue.sync { (slot.spec, slot.station.station.view, slot.station.station.hasOpenSession, slot.station.operatorID) }
        }
    }

    /// Waits until every queued input has been handled (shutdown, tests).
    public func drain() {
        for slot in lock.withLock({ Array(slots.values) }) { slot.queue.sync {} }
    }
}
