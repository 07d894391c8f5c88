import ScanModel

// Configuration of the read pipeline. Plain values: the service builds them
// from its config file and hands them to `Pipeline(config:)`, which validates
// them and reports the offending key by its dotted path.

/// One reader (or some of its antennas) feeding a zone.
public struct ZoneReader: Sendable, Hashable {
    public var device: DeviceIndex
    /// Antenna ports that belong to the zone; empty means every antenna of the
    /// reader (including 0, "reader did not say").
    public var antennas: [UInt16]
    /// Reads weaker than this (dBm) are ignored and counted; nil = no floor.
    public var rssiFloor: Float?
    /// Per-antenna floors overriding `rssiFloor` (antennas differ in cable loss).
    public var antennaRSSIFloor: [UInt16: Float]

    public init(device: DeviceIndex, antennas: [UInt16] = [], rssiFloor: Float? = nil,
                antennaRSSIFloor: [UInt16: Float] = [:]) {
        self.device = device; self.antennas = antennas
        self.rssiFloor = rssiFloor; self.antennaRSSIFloor = antennaRSSIFloor
    }
}

/// ALE-style smoothing of one tag in one zone: unknown → glimpsed → observed
/// → lost. Defaults suit a dock portal: a tag must be read twice within a
/// second to count, and is gone after two seconds without a read.
public struct SmoothingConfig: Sendable, Hashable {
    /// A glimpsed tag becomes observed after this many reads…
    public var observedCount: UInt32
    /// …or after being glimpsed continuously this long (nil = count only).
    public var observedTime: Microseconds?
    /// A glimpsed tag not read again within this is forgotten without an event.
    public var glimpsedTimeout: Microseconds
    /// An observed tag not read for this long is lost (`departed`).
    public var lostTimeout: Microseconds
    /// How long a lost tag's row is kept (for cycles, and so the memory limit
    /// has something old to evict before refusing new tags).
    public var retention: Microseconds
    /// When set, replaces `lostTimeout` with a per-tag window from its read rate.
    public var adaptive: AdaptiveWindow?

    public init(observedCount: UInt32 = 2, observedTime: Microseconds? = nil,
                glimpsedTimeout: Microseconds = .seconds(1), lostTimeout: Microseconds = .seconds(2),
                retention: Microseconds = .seconds(30), adaptive: AdaptiveWindow? = nil) {
        self.observedCount = observedCount; self.observedTime = observedTime
        self.glimpsedTimeout = glimpsedTimeout; self.lostTimeout = lostTimeout
        self.retention = retention; self.adaptive = adaptive
    }
}

/// SMURF-style adaptive lost window. With reads of a present tag arriving at
/// rate λ, the chance of a gap longer than w is e^(−λw); to keep a false
/// departure below `falseDepartureProbability` the window must be at least
/// ln(1/δ)/λ. λ is estimated per tag from a moving average of read intervals
/// (reads merged by the reader count individually), then clamped.
public struct AdaptiveWindow: Sendable, Hashable {
    public var falseDepartureProbability: Double
    public var minimum: Microseconds
    public var maximum: Microseconds

    public init(falseDepartureProbability: Double = 0.01, minimum: Microseconds = .milliseconds(300),
                maximum: Microseconds = .seconds(10)) {
        self.falseDepartureProbability = falseDepartureProbability
        self.minimum = minimum; self.maximum = maximum
    }
}

/// How an event cycle (a sweep, a pack-tunnel pass) starts.
public enum CycleStart: String, Sendable, Hashable {
    /// Only by `Pipeline.command(.start…)` or the start barcode.
    case command
    /// At the first accepted read in the zone while no cycle is open.
    case firstRead
    /// Always open: the next cycle starts the moment one ends.
    case continuous
}

/// Event cycles of a zone. A cycle ends on a stop command, after `duration`,
/// or when no new tag has appeared for `stableFor` — whichever comes first.
public struct CycleConfig: Sendable, Hashable {
    public var start: CycleStart
    public var duration: Microseconds?
    public var stableFor: Microseconds?
    /// Tags read fewer times than this in a cycle are left out of CURRENT.
    public var minReads: UInt32
    /// Barcodes that start/stop this zone's cycle when scanned by a scanner
    /// whose `ScannerConfig.zone` names this zone. Such scans are consumed.
    public var startBarcode: [UInt8]?
    public var stopBarcode: [UInt8]?

    public init(start: CycleStart = .command, duration: Microseconds? = nil, stableFor: Microseconds? = nil,
                minReads: UInt32 = 1, startBarcode: [UInt8]? = nil, stopBarcode: [UInt8]? = nil) {
        self.start = start; self.duration = duration; self.stableFor = stableFor
        self.minReads = minReads; self.startBarcode = startBarcode; self.stopBarcode = stopBarcode
    }
}

public struct ZoneConfig: Sendable, Hashable {
    public var name: String
    public var readers: [ZoneReader]
    public var smoothing: SmoothingConfig
    /// Most tags tracked at once in this zone (rows, including recently lost).
    public var maxTags: Int
    /// Emit `arrived`/`departed` (off for zones used only for sweeps).
    public var reportsPresence: Bool
    public var cycle: CycleConfig?

    public init(name: String, readers: [ZoneReader], smoothing: SmoothingConfig = SmoothingConfig(),
                maxTags: Int = 100_000, reportsPresence: Bool = true, cycle: CycleConfig? = nil) {
        self.name = name; self.readers = readers; self.smoothing = smoothing
        self.maxTags = maxTags; self.reportsPresence = reportsPresence; self.cycle = cycle
    }
}

/// Which zone of a group owns a tag that several zones see at once.
public enum AssignmentPolicy: Sendable, Hashable {
    /// The zone that announced it first keeps it until it is lost there.
    case firstZone
    /// Moves to another zone only when that zone's recent RSSI beats the
    /// owner's by `hysteresis` dB, or the owner has not read it for `staleAfter`.
    case strongestRSSI(hysteresis: Float, staleAfter: Microseconds)
}

/// Zones that compete for tags (adjacent dock doors): a tag is present in at
/// most one zone of the group at a time.
public struct AssignmentGroup: Sendable, Hashable {
    public var name: String
    public var zones: [String]
    public var policy: AssignmentPolicy
    public init(name: String, zones: [String],
                policy: AssignmentPolicy = .strongestRSSI(hysteresis: 3, staleAfter: .seconds(1))) {
        self.name = name; self.zones = zones; self.policy = policy
    }
}

public struct ScannerConfig: Sendable, Hashable {
    public var device: DeviceIndex
    /// Identical data from this scanner within this window (sliding: measured
    /// from the last read of that data) is one scan. Nil = off, right for
    /// trigger handhelds where two scans of a GTIN mean quantity two.
    public var debounce: Microseconds?
    /// Zone whose cycle command barcodes this scanner may scan.
    public var zone: String?
    public init(device: DeviceIndex, debounce: Microseconds? = nil, zone: String? = nil) {
        self.device = device; self.debounce = debounce; self.zone = zone
    }
}

/// Where read times come from.
public enum TimestampSource: String, Sendable, Hashable {
    /// Trust `TagRead.time` (same timebase as `advance(to:)`).
    case device
    /// Replace each read's time with the pipeline's current time (the last
    /// `advance(to:)`), for readers whose clocks cannot be trusted.
    case host
}

public struct PipelineConfig: Sendable, Hashable {
    public var zones: [ZoneConfig]
    public var groups: [AssignmentGroup]
    public var scanners: [ScannerConfig]
    public var timestamps: TimestampSource
    /// Timing wheel resolution: expiries fire at most this late.
    public var tick: Microseconds
    /// Timing wheel slots (rounded up to a power of two). Deadlines further
    /// out than slots × tick wait extra rounds; cost stays per-bucket.
    public var wheelSlots: Int
    /// Undrained events at which `ingest`/`advance` stop consuming (backpressure).
    public var outboxLimit: Int

    public init(zones: [ZoneConfig], groups: [AssignmentGroup] = [], scanners: [ScannerConfig] = [],
                timestamps: TimestampSource = .device, tick: Microseconds = .milliseconds(1),
                wheelSlots: Int = 8192, outboxLimit: Int = 65_536) {
        self.zones = zones; self.groups = groups; self.scanners = scanners
        self.timestamps = timestamps; self.tick = tick
        self.wheelSlots = wheelSlots; self.outboxLimit = outboxLimit
    }
}

/// A configuration the pipeline cannot run with; `key` is the dotted path.
public struct PipelineConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var message: String
    public init(key: String, _ message: String) { self.key = key; self.message = message }
    public var description: String { "pipeline config \(key): \(message)" }
}
