import Foundation
import ScanModel

/// Live state of one zone: its tag table, its settings converted to plain
/// µs integers for the hot path, its counters and its event cycle.
final class ZoneRuntime {
    let id: ZoneID
    let table: TagTable
    // Hot-path state: only the owning thread touches a pipeline, so the
    // runtime exclusivity checks would only cost time.
    @exclusivity(unchecked) var counters: ZoneCounters

    let observedCount: UInt32
    /// Int64.max when the time threshold is off.
    let observedTime: Int64
    let glimpsedTimeout: Int64
    let lostTimeout: Int64
    let retention: Int64
    let reportsPresence: Bool

    let adaptive: Bool
    /// ln(1/δ): the window is this many mean read intervals.
    let adaptiveFactor: Float
    let adaptiveMin: Float
    let adaptiveMax: Float

    /// Index into `Pipeline.groups`, or −1.
    @exclusivity(unchecked) var group = -1
    @exclusivity(unchecked) var limitAlarmActive = false
    @exclusivity(unchecked) var cycle: CycleState?
    /// True while a cycle is open (checked per read without unwrapping `cycle`).
    @exclusivity(unchecked) var cycleOpen = false
    /// Time at which the open cycle ends by duration or stable set; .max if none.
    @exclusivity(unchecked) var cycleDeadline: Int64 = .max

    init(index: Int, config: ZoneConfig, wheelSlots: Int, tick: Int64, startTime: Int64) {
        id = ZoneID(index: index, name: config.name)
        table = TagTable(maxRows: config.maxTags, wheelSlots: wheelSlots, tickMicros: tick, startTime: startTime)
        counters = ZoneCounters(zone: id)
        let s = config.smoothing
        observedCount = max(1, s.observedCount)
        observedTime = s.observedTime?.value ?? .max
        glimpsedTimeout = s.glimpsedTimeout.value
        lostTimeout = s.lostTimeout.value
        retention = s.retention.value
        reportsPresence = config.reportsPresence
        if let a = s.adaptive {
            adaptive = true
            adaptiveFactor = Float(-log(a.falseDepartureProbability))
            adaptiveMin = Float(a.minimum.value)
            adaptiveMax = Float(a.maximum.value)
        } else {
            adaptive = false; adaptiveFactor = 0; adaptiveMin = 0; adaptiveMax = 0
        }
        if let c = config.cycle { cycle = CycleState(config: c) }
    }

    /// Lost timeout for a row: fixed, or ln(1/δ) × mean read interval clamped
    /// to the adaptive bounds once the tag's read rate is known.
    @inline(__always)
    func lostTimeout(for row: UnsafeMutablePointer<HotRow>) -> Int64 {
        guard adaptive else { return lostTimeout }
        let mean = row.pointee.meanInterval
        guard mean > 0, mean.isFinite else { return lostTimeout }
        let w = min(max(mean * adaptiveFactor, adaptiveMin), adaptiveMax)
        return Int64(w)
    }
}

/// One zone's event-cycle bookkeeping.
struct CycleState {
    let config: CycleConfig
    var epoch: UInt32 = 0
    var sequence: UInt64 = 0
    var startedAt: Int64 = 0
    var lastNewTagAt: Int64 = 0
    /// Rows first read in the open cycle (may repeat if a row was reused).
    var touched: [Int32] = []
    var previous: [TagCycleStats] = []
    var evicted = 0
    var refused = 0

    init(config: CycleConfig) { self.config = config }

    /// Earliest automatic end of the open cycle and why.
    func deadline() -> (time: Int64, reason: CycleEndReason) {
        var best: (Int64, CycleEndReason) = (.max, .duration)
        if let d = config.duration { best = (satAdd(startedAt, d.value), .duration) }
        if let s = config.stableFor {
            let t = satAdd(lastNewTagAt, s.value)
            if t < best.0 { best = (t, .stableSet) }
        }
        return best
    }
}
