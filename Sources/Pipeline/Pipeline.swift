import ScanModel

/// The read pipeline: tag reads and scans in, a few events out.
///
/// Single-threaded and deterministic: the owner calls `ingest`, `advance`
/// and `command` from one thread and drains events from the same thread
/// (hand them to other threads through a `BoundedQueue`). Time is whatever
/// the owner passes to `advance(to:)`: virtual time in tests and replays, in
/// the same timebase as the read times; in the service CLOCK_MONOTONIC, with
/// `wallOffset` bridging to the wall-clock stamps reads carry and events
/// must show (issue 18: a wall-clock step moves no window).
///
/// Backpressure: `ingest` and `advance` stop early once `outboxLimit` events
/// are waiting, and say so (`ingest` returns how many reads it consumed,
/// `advance` returns false). The caller drains and calls again with the
/// rest; nothing is dropped. The service then stops taking batches from the
/// device queue, which fills and blocks the drivers.
public final class Pipeline {
    public let config: PipelineConfig
    public let zones: [ZoneID]
    /// The latest time passed to `advance(to:)`.
    public private(set) var now: Microseconds
    /// Wall time minus pipeline time, set by the owner before each call.
    /// Read, scan and command times are taken minus it, event times are
    /// given plus it. 0 (the default): one timebase, nothing converted. The
    /// service sets wall − monotonic, so a step of the wall clock changes
    /// the offset, not the windows.
    public var wallOffset: Int64 = 0
    /// The latest pipeline time a read can have: `synchronize` sets it to
    /// its monotonic now, as nothing queued was stamped later. A read stamped
    /// before a step back and taken after it would otherwise land an hour in
    /// the future and keep its tag present that long.
    var readCeiling: Int64 = .max

    let zoneStates: [ZoneRuntime]
    let groups: [GroupRuntime]
    let routing: ZoneRouting
    // Single-threaded by contract: skip the runtime exclusivity checks.
    @exclusivity(unchecked) var outbox = EventOutbox()
    @exclusivity(unchecked) var globalCounters = PipelineCounters()
    var scanDebouncer: ScanDebouncer
    let outboxLimit: Int
    /// Keeps the cache-warming loads of `ingest` alive; meaningless value.
    @exclusivity(unchecked) var prefetchSink: UInt64 = 0
    let touchScratch = UnsafeMutablePointer<UInt64>.allocate(capacity: Pipeline.touchGroup)
    private let byName: [String: Int]

    struct GroupRuntime {
        let name: String
        let zones: [Int]
        let policy: AssignmentPolicy
    }

    public init(config: PipelineConfig, startTime: Microseconds = .zero) throws(PipelineConfigError) {
        try Pipeline.validate(config)
        self.config = config
        now = startTime
        outboxLimit = config.outboxLimit
        var slots = 1
        while slots < config.wheelSlots { slots <<= 1 }
        var states: [ZoneRuntime] = []
        var names: [String: Int] = [:]
        for (i, z) in config.zones.enumerated() {
            states.append(ZoneRuntime(index: i, config: z, wheelSlots: slots, tick: config.tick.value,
                                      startTime: startTime.value))
            names[z.name] = i
        }
        byName = names
        zoneStates = states
        zones = states.map(\.id)
        routing = try ZoneRouting(zones: config.zones)
        var groupStates: [GroupRuntime] = []
        for (gi, g) in config.groups.enumerated() {
            var members: [Int] = []
            for (k, name) in g.zones.enumerated() {
                guard let zi = names[name] else {
                    throw PipelineConfigError(key: "groups[\(gi)].zones[\(k)]", "no zone named '\(name)'")
                }
                guard states[zi].group < 0 else {
                    throw PipelineConfigError(key: "groups[\(gi)].zones[\(k)]", "zone '\(name)' is already in another group")
                }
                states[zi].group = gi
                members.append(zi)
            }
            groupStates.append(GroupRuntime(name: g.name, zones: members, policy: g.policy))
        }
        groups = groupStates
        scanDebouncer = try ScanDebouncer(scanners: config.scanners, zoneNames: names)
        for zone in states where zone.cycle?.config.start == .continuous {
            startCycle(zone, at: startTime.value)
        }
    }

    static func validate(_ config: PipelineConfig) throws(PipelineConfigError) {
        guard config.tick.value > 0 else { throw PipelineConfigError(key: "tick", "must be positive") }
        guard config.wheelSlots > 0, config.wheelSlots <= 1 << 22 else {
            throw PipelineConfigError(key: "wheelSlots", "must be between 1 and 4194304")
        }
        guard config.outboxLimit > 0 else { throw PipelineConfigError(key: "outboxLimit", "must be positive") }
        var seen = Set<String>()
        for (i, z) in config.zones.enumerated() {
            let key = "zones[\(i)]"
            guard !z.name.isEmpty else { throw PipelineConfigError(key: "\(key).name", "must not be empty") }
            guard seen.insert(z.name).inserted else {
                throw PipelineConfigError(key: "\(key).name", "zone '\(z.name)' is defined twice")
            }
            guard z.maxTags > 0, z.maxTags < Int(Int32.max) else {
                throw PipelineConfigError(key: "\(key).maxTags", "must be between 1 and \(Int32.max - 1)")
            }
            let s = z.smoothing
            guard s.observedCount >= 1 else {
                throw PipelineConfigError(key: "\(key).smoothing.observedCount", "must be at least 1")
            }
            for (name, t) in [("glimpsedTimeout", s.glimpsedTimeout), ("lostTimeout", s.lostTimeout)] where t.value <= 0 {
                throw PipelineConfigError(key: "\(key).smoothing.\(name)", "must be positive")
            }
            if s.retention.value < 0 { throw PipelineConfigError(key: "\(key).smoothing.retention", "must not be negative") }
            if let t = s.observedTime, t.value <= 0 {
                throw PipelineConfigError(key: "\(key).smoothing.observedTime", "must be positive")
            }
            if let a = s.adaptive {
                guard a.falseDepartureProbability > 0, a.falseDepartureProbability < 1 else {
                    throw PipelineConfigError(key: "\(key).smoothing.adaptive.falseDepartureProbability", "must be between 0 and 1")
                }
                guard a.minimum.value > 0, a.minimum <= a.maximum, a.maximum <= .seconds(86_400) else {
                    throw PipelineConfigError(key: "\(key).smoothing.adaptive", "need 0 < minimum ≤ maximum ≤ 24 h")
                }
            }
            if let c = z.cycle {
                if let d = c.duration, d.value <= 0 { throw PipelineConfigError(key: "\(key).cycle.duration", "must be positive") }
                if let d = c.stableFor, d.value <= 0 { throw PipelineConfigError(key: "\(key).cycle.stableFor", "must be positive") }
                if c.start == .continuous, c.duration == nil, c.stableFor == nil {
                    throw PipelineConfigError(key: "\(key).cycle", "a continuous cycle needs a duration or stableFor")
                }
            }
        }
    }

    deinit { touchScratch.deallocate() }

    // MARK: - Public surface

    /// The zone with this name.
    public func zone(named name: String) -> ZoneID? { byName[name].map { zones[$0] } }

    /// Events waiting to be drained.
    public var pendingEvents: Int { outbox.count }

    /// False while the outbox is at its limit: drain before ingesting.
    public var canAccept: Bool { outbox.count < outboxLimit }

    public func popEvent() -> PipelineEvent? { outbox.popFirst() }

    /// Hands up to `max` waiting events to `body`, oldest first; returns how many.
    @discardableResult
    public func drainEvents(max: Int = .max, _ body: (PipelineEvent) throws -> Void) rethrows -> Int {
        var n = 0
        while n < max, let e = outbox.popFirst() {
            try body(e)
            n += 1
        }
        return n
    }

    public var counters: PipelineCounters {
        var c = globalCounters
        c.pendingEvents = outbox.count
        c.outboxHighWater = outbox.highWater
        return c
    }

    public func counters(for zone: ZoneID) -> ZoneCounters {
        let z = zoneStates[zone.index]
        var c = z.counters
        c.tagsTracked = z.table.count
        return c
    }

    public var zoneCounters: [ZoneCounters] { zones.map { counters(for: $0) } }

    /// Bytes held for a zone's tag rows, index and timing wheel.
    public func memoryBytes(for zone: ZoneID) -> Int { zoneStates[zone.index].table.bytesAllocated }

    /// Moves the clock forward: expires glimpses and lost tags, frees old
    /// rows and ends cycles that are due. Returns false if it stopped because
    /// the outbox is full; drain and call again with the same time.
    @discardableResult
    public func advance(to time: Microseconds) -> Bool {
        if time > now { now = time }
        let t = now.value
        for zone in zoneStates {
            let done = zone.table.expire(upTo: zone.table.processedTickTarget(for: t),
                                         shouldStop: { outbox.count >= outboxLimit },
                                         visit: { expireRow($0, in: zone) })
            if !done { globalCounters.backpressureStops += 1; return false }
            while zone.cycleOpen, zone.cycleDeadline <= t {
                if outbox.count >= outboxLimit { globalCounters.backpressureStops += 1; return false }
                endCycleAtDeadline(zone)
            }
        }
        return true
    }

    /// Starts or stops a zone's cycle (station command). Returns false when
    /// it had nothing to do (already open / not open / zone has no cycles).
    @discardableResult
    public func command(_ command: CycleCommand, zone: ZoneID, at time: Microseconds? = nil) -> Bool {
        self.command(command, zone: zone, atPipelineTime: time.map { pipelineTime(ofWall: $0.value) } ?? now.value)
    }

    @discardableResult
    func command(_ command: CycleCommand, zone: ZoneID, atPipelineTime t: Int64) -> Bool {
        let z = zoneStates[zone.index]
        guard z.cycle != nil else { return false }
        switch command {
        case .start:
            guard !z.cycleOpen else { return false }
            startCycle(z, at: t)
        case .stop:
            guard z.cycleOpen else { return false }
            endCycle(z, at: t, reason: .command)
            if z.cycle?.config.start == .continuous { startCycle(z, at: t) }
        }
        return true
    }

    /// Ends every open cycle (reason `shutdown`) so its report is not lost.
    public func finish() {
        for z in zoneStates where z.cycleOpen { endCycle(z, at: now.value, reason: .shutdown) }
    }

    func emit(_ event: PipelineEvent) {
        outbox.append(wallOffset == 0 ? event : event.shifted(by: wallOffset))
        globalCounters.eventsEmitted &+= 1
    }
}

public enum CycleCommand: String, Sendable {
    case start, stop
}

extension TagTable {
    /// The last whole tick at or before `time` (floor, also for negative times).
    func processedTickTarget(for time: Int64) -> Int64 {
        let q = time / tickMicros
        return time < 0 && time % tickMicros != 0 ? q - 1 : q
    }
}

extension Pipeline {
    /// `advance(to: clock.now())`: the pipeline never reads a clock itself,
    /// its owner injects one (the kernel's `MicrosecondClock`).
    @discardableResult
    public func advance(clock: some MicrosecondClock) -> Bool { advance(to: clock.now()) }
}
