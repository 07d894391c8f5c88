import ScanModel

/// A zone as the pipeline knows it: its position in `PipelineConfig.zones`
/// and its configured name.
public struct ZoneID: Sendable, Hashable, CustomStringConvertible {
    public let index: Int
    public let name: String
    public init(index: Int, name: String) { self.index = index; self.name = name }
    public var description: String { name }
}

/// What the pipeline emits. Drained in order with `Pipeline.popEvent()` or
/// `drainEvents(max:_:)`.
public enum PipelineEvent: Sendable, Equatable {
    case arrived(TagArrival)
    case departed(TagDeparture)
    case cycleReport(PipelineCycleReport)
    case scan(Scan)
    case alarm(PipelineAlarm)
}

/// A tag became observed in a zone (and, in a group, was assigned to it).
public struct TagArrival: Sendable, Equatable {
    public var zone: ZoneID
    public var epc: EPC
    /// Time of the read that made the tag observed.
    public var time: Microseconds
    /// When the glimpse leading to this arrival began.
    public var firstSeen: Microseconds
    public var device: DeviceIndex
    public var antenna: UInt16
    public var rssi: Float?
}

public enum DepartureReason: Sendable, Equatable {
    /// Not read for the lost timeout (or adaptive window).
    case notSeen
    /// Another zone of its assignment group took it over.
    case reassigned(to: ZoneID)
}

public struct TagDeparture: Sendable, Equatable {
    public var zone: ZoneID
    public var epc: EPC
    /// When the tag was judged gone: lastSeen + timeout, or the read time
    /// in the other zone for a reassignment.
    public var time: Microseconds
    public var lastSeen: Microseconds
    public var reason: DepartureReason
}

/// One tag's reads within one event cycle.
public struct TagCycleStats: Sendable, Equatable {
    public var epc: EPC
    public var reads: UInt32
    /// Strongest RSSI seen in the cycle; nil when the reader never reported one.
    public var peakRSSI: Float?
    public var firstSeen: Microseconds
    public var lastSeen: Microseconds
}

public enum CycleEndReason: String, Sendable, Equatable {
    case command, duration, stableSet, shutdown
}

/// End-of-cycle report. All lists are sorted by EPC. `deletions` carry the
/// stats from the previous cycle (the tag was not read in this one).
public struct PipelineCycleReport: Sendable, Equatable {
    public var zone: ZoneID
    /// 1, 2, 3… per zone.
    public var sequence: UInt64
    public var startedAt: Microseconds
    public var endedAt: Microseconds
    public var endReason: CycleEndReason
    public var current: [TagCycleStats]
    public var additions: [TagCycleStats]
    public var deletions: [TagCycleStats]
    /// Rows evicted under the memory limit while the cycle was open (their
    /// tags may be missing from `current`).
    public var evictedDuringCycle: Int
    /// Reads of new tags refused at the memory limit during the cycle.
    public var refusedDuringCycle: Int
    /// False when the report may be missing tags (evictions or refusals).
    public var complete: Bool { evictedDuringCycle == 0 && refusedDuringCycle == 0 }
}

public enum AlarmKind: String, Sendable, Equatable {
    /// The zone reached `maxTags` with nothing lost left to evict: reads of
    /// new tags are being refused (counted in `ZoneCounters.refusedReads`).
    case tagLimitReached
    /// Tracked tags fell back below 90 % of the limit.
    case tagLimitCleared
}

public struct PipelineAlarm: Sendable, Equatable {
    public var zone: ZoneID
    public var kind: AlarmKind
    public var time: Microseconds
    public var message: String
}

/// Per-zone counters, monotonic except the gauges `tagsTracked` and `lag`.
public struct ZoneCounters: Sendable, Equatable {
    public var zone: ZoneID
    public var readsIn: UInt64 = 0
    public var readsBelowFloor: UInt64 = 0
    /// Reads of new tags refused because the zone was at `maxTags`.
    public var refusedReads: UInt64 = 0
    public var tagsTracked: Int = 0
    public var arrivals: UInt64 = 0
    public var departures: UInt64 = 0
    public var reassignments: UInt64 = 0
    public var glimpsesExpired: UInt64 = 0
    public var cycleReports: UInt64 = 0
    public var evictions: UInt64 = 0
    public var alarms: UInt64 = 0
    /// Pipeline time minus the time of the last read ingested (device
    /// timestamps only): how far behind the readers the pipeline runs.
    public var lag: Microseconds = .zero
    public init(zone: ZoneID) { self.zone = zone }
}

/// Counters not tied to a zone.
public struct PipelineCounters: Sendable, Equatable {
    /// Reads from a device/antenna that belongs to no zone.
    public var unzonedReads: UInt64 = 0
    public var scansIn: UInt64 = 0
    public var scansDebounced: UInt64 = 0
    public var commandScans: UInt64 = 0
    /// Times `ingest`/`advance` stopped early because the outbox was full.
    public var backpressureStops: UInt64 = 0
    public var eventsEmitted: UInt64 = 0
    public var pendingEvents: Int = 0
    public var outboxHighWater: Int = 0
    public init() {}
}
