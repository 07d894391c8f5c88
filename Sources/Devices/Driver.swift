import ScanModel

/// A protocol family: turns a device's byte stream (split anywhere) into
/// events, and knows the commands the device wants. One file per family;
/// every family is listed once in `DriverRegistry`.
///
/// Drivers are not thread-safe: one device, one driver, one thread (the
/// device's runner). Everything a driver needs to say goes into the caller's
/// `EventBatch`; nothing on the read path allocates per read except what a
/// `Scan` inherently carries (its bytes).
public protocol DeviceDriver: AnyObject {
    /// The registry name ("line", "mercury", "tsl", "hidpos", "evdev", "llrp").
    var name: String { get }
    var counters: DriverCounters { get }

    /// Consumes bytes as they arrived. `time` is when they were received.
    func feed(_ bytes: UnsafeRawBufferPointer, time: Microseconds, into batch: inout EventBatch)
    /// The stream ended or the connection broke: report a partial frame or
    /// pending garbage, then forget it (a reconnect starts clean).
    func flush(time: Microseconds, into batch: inout EventBatch)

    /// Commands to send after (re)connecting, before `startCommands`.
    var initCommands: [[UInt8]] { get }
    /// Commands that make the device start reporting (continuous read).
    var startCommands: [[UInt8]] { get }
    /// Commands that stop reporting, sent before closing.
    var stopCommands: [[UInt8]] { get }
    /// What the device does for an outcome by default (its configuration's
    /// `feedback` may replace it), or nil if it has no way to signal it.
    func feedbackPlan(_ outcome: FeedbackOutcome) -> FeedbackPlan?
    /// Queues the wire form of one feedback step on `batch.outgoing`. Most
    /// devices take the step's bytes as they are; a protocol with message
    /// IDs (LLRP) wraps them in a message of its session.
    func feedbackStep(_ bytes: [UInt8], now: Microseconds, into batch: inout EventBatch)
    /// Things wrong with the configuration that the operator should hear
    /// about (for example a baud rate that cannot carry the read rate).
    func configurationWarnings(serial: SerialSettings?) -> [String]
    /// Why the stream looks like a wrong line speed (GarbleWatch), while it
    /// does; nil when the last frames were valid or the driver cannot tell.
    var garbled: String? { get }
    /// If set, a device silent for this long is treated as lost (a streaming
    /// Mercury reader sends keepalives, so silence means trouble).
    var silenceTimeout: Microseconds? { get }

    // The conversation over one connection, driven by `DeviceRunner`. The
    // defaults (DriverConversation.swift) fit a device that takes fixed
    // commands; LLRP overrides them to run its session.

    /// A connection is open: queue what to send first on `batch.outgoing`.
    func connectionOpened(now: Microseconds, into batch: inout EventBatch)
    /// Timers, after every read and idle wait: queue sends on
    /// `batch.outgoing`, or throw to drop the connection (the runner then
    /// reconnects with its backoff).
    func tick(now: Microseconds, into batch: inout EventBatch) throws(DeviceError)
    /// When `tick` next has work, so the read wait ends then; nil: no timers.
    var nextDeadline: Microseconds? { get }
    /// The wall clock was stepped by `delta` (`WallStepWatch`): move every
    /// timer by as much, so the step neither fires one at once nor holds it
    /// off until the wall clock catches up. Times are the runner's wall time.
    func wallClockStepped(by delta: Microseconds)
    /// Stop was asked: queue the goodbye and say until when to keep reading
    /// for the device's answer (nil: close at once).
    func closing(now: Microseconds, into batch: inout EventBatch) -> Microseconds?
    /// The goodbye was answered: the runner closes without waiting longer.
    var isClosed: Bool { get }
    /// The connection could not be opened (`opened` false) or broke.
    func connectionFailed(now: Microseconds, opened: Bool, reason: String)
    /// Hands over log lines the conversation produced since the last call.
    func drainLog(_ log: (LogLevel, String) -> Void)
    /// What a protocol with a session of its own reports beyond the common
    /// counters (the daemon's `devices` answer shows it).
    var protocolStatus: ProtocolStatus? { get }
}

extension DeviceDriver {
    /// Convenience for tests and replay: feed an array.
    public func feed(_ bytes: [UInt8], time: Microseconds, into batch: inout EventBatch) {
        bytes.withUnsafeBytes { feed($0, time: time, into: &batch) }
    }
}

/// A driver for a stream the host only listens to: HID POS reports, evdev
/// key events, and LLRP (whose conversation the LLRP session drives, and
/// whose keepalive misses it detects from the interval it forced). No
/// commands, no feedback bytes, no silence timeout.
public protocol ListenOnlyDriver: DeviceDriver {}

extension ListenOnlyDriver {
    public var initCommands: [[UInt8]] { [] }
    public var startCommands: [[UInt8]] { [] }
    public var stopCommands: [[UInt8]] { [] }
    public func feedbackPlan(_ outcome: FeedbackOutcome) -> FeedbackPlan? { nil }
    public func configurationWarnings(serial: SerialSettings?) -> [String] { [] }
    public var silenceTimeout: Microseconds? { nil }
}

/// Per-device counters. Cheap fixed fields so the hot path only increments.
public struct DriverCounters: Sendable, Equatable {
    public var bytes: UInt64 = 0
    /// Frames (Mercury) or lines (text protocols) recognised.
    public var frames: UInt64 = 0
    public var tagReads: UInt64 = 0
    public var scans: UInt64 = 0
    public var badCRC: UInt64 = 0
    public var badLength: UInt64 = 0
    public var lineTooLong: UInt64 = 0
    public var binaryNoise: UInt64 = 0
    public var truncated: UInt64 = 0
    public var deviceErrors: UInt64 = 0
    public var unknown: UInt64 = 0
    /// Bytes skipped while hunting for the next frame.
    public var garbageBytes: UInt64 = 0
    /// Set by the runner, not the driver.
    public var reconnects: UInt64 = 0
    /// When the last byte arrived.
    public var lastSeen: Microseconds? = nil

    public init() {}

    /// A decoder's own totals (HID POS reports, evdev records, LLRP messages
    /// as `frames`) in the common counters, its errors by their common kind.
    public init<Kind: DecoderErrorKind>(bytes: Int, frames: Int, tagReads: Int = 0, scans: Int = 0, errors: [Kind: Int],
                                        lastSeen: Microseconds? = nil) {
        self.bytes = UInt64(bytes); self.frames = UInt64(frames)
        self.tagReads = UInt64(tagReads); self.scans = UInt64(scans)
        self.lastSeen = lastSeen
        count(errors)
    }

    /// Counts `count` bytes that arrived at `time` and moves the stream
    /// `offset` past them; returns the offset of their first byte.
    mutating func received(_ count: Int, at time: Microseconds, advancing offset: inout Int64) -> Int64 {
        bytes &+= UInt64(count)
        lastSeen = time
        defer { offset += Int64(count) }
        return offset
    }

    /// Counts `n` problems of `kind` (garbage is counted in bytes separately).
    public mutating func count(_ kind: DeviceProblem.Kind, times n: UInt64 = 1) {
        switch kind {
        case .badCRC: badCRC &+= n
        case .badLength: badLength &+= n
        case .lineTooLong: lineTooLong &+= n
        case .binaryNoise: binaryNoise &+= n
        case .truncated: truncated &+= n
        case .deviceError: deviceErrors &+= n
        case .unknown: unknown &+= n
        case .garbage, .garbled: break
        }
    }

    /// Adds a decoder's error counts under their common kinds.
    public mutating func count<Kind: DecoderErrorKind>(_ errors: [Kind: Int]) {
        for (kind, n) in errors { count(kind.problemKind, times: UInt64(n)) }
    }

    /// All problems, for a quick health figure.
    public var badFrames: UInt64 {
        badCRC &+ badLength &+ lineTooLong &+ binaryNoise &+ truncated &+ unknown
    }

    /// Stable key/value pairs for metrics and `--json` output.
    public var fields: [(String, UInt64)] {
        [("bytes", bytes), ("frames", frames), ("tag_reads", tagReads), ("scans", scans),
         ("bad_crc", badCRC), ("bad_length", badLength), ("line_too_long", lineTooLong),
         ("binary_noise", binaryNoise), ("truncated", truncated), ("device_errors", deviceErrors),
         ("unknown", unknown), ("garbage_bytes", garbageBytes), ("reconnects", reconnects)]
    }
}

/// Options shared by every driver plus the per-family sections. A driver
/// reads only its own section.
public struct DriverOptions: Sendable {
    /// The index stamped on every read (the service maps it to the name).
    public var device: DeviceIndex
    public var line: LineOptions
    public var mercury: MercuryOptions
    public var tsl: TSLOptions
    /// Zebra SSI: ACK timeout, retries, whether to set parameters on connect.
    public var ssi = SSIOptions()
    /// HID POS: size of one interrupt-IN report in a byte stream.
    public var hidposReportSize: Int = HIDPOSDecoder.reportSize
    /// HID POS: the scanner's report descriptor, for its output reports
    /// (feedback); nil plans with `HIDPOSFeedback.documentedOutputReport`.
    public var hidposReportDescriptor: [UInt8]? = nil
    /// evdev: keyboard layout, GS substitute, terminators.
    public var evdev: EvdevDecoder.Options = EvdevDecoder.Options()
    /// LLRP: the reader session (host and port come from the device's address).
    public var reader = LLRPReaderConfig(host: "")
    /// A reconnect schedule the driver's options ask for instead of the
    /// runner's default (LLRP's `reconnect-max`).
    public var reconnect: Backoff? = nil

    public init(device: DeviceIndex = DeviceIndex(0), line: LineOptions = LineOptions(),
                mercury: MercuryOptions = MercuryOptions(), tsl: TSLOptions = TSLOptions()) {
        self.device = device; self.line = line; self.mercury = mercury; self.tsl = tsl
    }
}
