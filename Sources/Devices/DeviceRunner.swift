import Foundation
import ScanModel

/// Runs one device on its own thread, whatever its kind (serial, USB HID,
/// evdev, an LLRP reader over TCP): open the transport, hold the driver's
/// conversation (commands, or a session such as LLRP's), read and decode,
/// hand each batch to the handler; on any failure flush, report, back off
/// and try again. A device that blocks or dies never holds up another.
///
/// The handler runs on the device's thread with a batch that is reused
/// after it returns: copy what you keep.
public final class DeviceRunner: @unchecked Sendable {
    // @unchecked Sendable: every mutable field below is guarded by `lock`.
    public typealias Handler = @Sendable (DeviceID, EventBatch) -> Void
    /// Opens the device a configuration names. The default is the driver's
    /// transport kind (`TransportKind.opener`); tests plug in doubles here.
    public typealias Opener = @Sendable (DeviceConfig) throws(DeviceError) -> any ByteTransport

    public let config: DeviceConfig
    private let handler: Handler
    private let opener: Opener
    private let clock: any MicrosecondClock
    /// Measures how long a connection lasted and notices wall-clock steps.
    private let monotonic: any MicrosecondClock
    private let logger: any DeviceLogger
    private let lock = NSCondition()
    private var stopping = false
    private var finished = false
    private var countersSnapshot = DriverCounters()
    private var statusSnapshot: ProtocolStatus? = nil
    private var feedbackQueue = FeedbackQueue()
    /// The open transport, so another thread can wake its read (feedback, stop).
    private var activeTransport: (any ByteTransport)?
    /// Each outcome's plan, resolved once: `send` runs per scan.
    public let feedbackPlans: FeedbackPlans
    private var thread: Thread?
    private var connectedNow = false
    private var healthNow: DeviceHealth

    /// Throws when the driver name is unknown (a configuration error). Without
    /// an `opener`, the driver's transport kind opens the device. `clock`
    /// stamps events and runs the driver's timers; `monotonic` (default:
    /// CLOCK_MONOTONIC with the wall clock, `clock` itself with an injected
    /// one) tells when the wall clock was stepped under those timers.
    public init(config: DeviceConfig, logger: any DeviceLogger = StandardErrorLogger(),
                clock: any MicrosecondClock = WallClock(), monotonic: (any MicrosecondClock)? = nil,
                opener: Opener? = nil,
                handler: @escaping Handler) throws(DeviceError) {
        guard let entry = DriverRegistry.entry(config.driver) else {
            throw DeviceError.configuration("device \(config.name): unknown driver '\(config.driver)' (known: \(DriverRegistry.names.joined(separator: ", ")))")
        }
        self.config = config; self.logger = logger; self.clock = clock
        self.monotonic = monotonic ?? (clock is WallClock ? MonotonicClock() : clock)
        self.opener = opener ?? entry.transport.opener
        self.handler = handler
        healthNow = DeviceHealth(state: .down, reason: "not opened yet", since: clock.now())
        let driver = entry.make(config.options)
        var plans: [FeedbackOutcome: FeedbackPlan] = [:]
        for outcome in FeedbackOutcome.allCases { plans[outcome] = config.feedback[outcome] ?? driver.feedbackPlan(outcome) }
        self.feedbackPlans = FeedbackPlans(plans)
    }

    /// The transport a driver's devices use (`TransportKind.opener`).
    public static func defaultOpener(for driver: String) -> Opener {
        DriverRegistry.entry(driver)?.transport.opener ?? openSerial
    }

    public static let openSerial: Opener = { (config) throws(DeviceError) in
        try SerialPortTransport.open(path: try SerialPorts.resolve(config.port), settings: config.serial)
    }

    /// `WallClock().now()` as a function, for callers that take one.
    public static let wallClock: @Sendable () -> Microseconds = { WallClock().now() }

    /// Counters as of the last read.
    public var counters: DriverCounters { lock.lock(); defer { lock.unlock() }; return countersSnapshot }
    /// The protocol's own status (LLRP session state, failures, keepalives), if it has one.
    public var protocolStatus: ProtocolStatus? { lock.lock(); defer { lock.unlock() }; return statusSnapshot }
    /// Up, degraded or down, and why (DeviceHealth.swift). A protocol with a
    /// session (LLRP) is not up until the session runs, as `isConnected` says.
    public var health: DeviceHealth {
        lock.lock(); defer { lock.unlock() }
        if healthNow.state == .up, case .llrp(let s)? = statusSnapshot, !s.isRunning {
            return DeviceHealth(state: .down, reason: "connected, LLRP session \(s.state.rawValue)", since: healthNow.since)
        }
        return healthNow
    }
    /// Open, and (for a protocol with a setup) set up and reporting.
    public var isConnected: Bool {
        lock.lock(); defer { lock.unlock() }
        return connectedNow && (statusSnapshot?.isReady ?? true)
    }

    public func start() {
        let t = Thread { [self] in run() }
        t.name = "device \(config.name)"
        lock.lock(); thread = t; lock.unlock()
        t.start()
    }

    /// Says goodbye to the device (stop commands, or the protocol's close
    /// handshake), closes the port and waits for the thread.
    public func stop() {
        lock.lock()
        stopping = true
        activeTransport?.interrupt()
        lock.broadcast()
        while thread != nil && !finished { lock.wait() }
        lock.unlock()
    }

    /// Queues the feedback for one outcome (beeps, lights, outputs). False
    /// when the device has no way to signal it.
    @discardableResult
    public func send(_ outcome: FeedbackOutcome) -> Bool {
        guard let plan = feedbackPlans[outcome] else { return false }
        let now = clock.now()
        lock.lock()
        feedbackQueue.append(plan, now: now)
        activeTransport?.interrupt()
        lock.unlock()
        return true
    }

    private var shouldStop: Bool { lock.lock(); defer { lock.unlock() }; return stopping }

    /// One device thread's state, so the steps below can share it.
    private struct Connection {
        let driver: any DeviceDriver
        var backoff: Backoff
        var batch = EventBatch()
        var reconnects: UInt64 = 0
        var limiter = WarningLimiter()
        /// What the last connection opened, to say so when the device comes back elsewhere.
        var lastOpened: String? = nil
        /// How the last connection ended, while the device is not back:
        /// retries keep saying it instead of only "cannot open".
        var lastLoss: String? = nil
        /// The by-id link of a device configured by a plain path, once seen:
        /// later connections open it there, wherever the tty went.
        var followed: String? = nil
    }

    private func run() {
        defer { setConnected(false); lock.lock(); finished = true; lock.broadcast(); lock.unlock() }
        guard let driver = DriverRegistry.make(config.driver, options: config.options) else { return }
        var c = Connection(driver: driver, backoff: Backoff(initial: config.backoffInitial, maximum: config.backoffMax,
                                                            healthyAfter: config.healthyAfter))
        var everConnected = false
        for warning in driver.configurationWarnings(serial: config.serial) {
            logger.log(.warning, device: config.name.name, warning)
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }

        while !shouldStop {
            var connectedAt: Microseconds? = nil, connectedOnMonotonic: Microseconds? = nil
            var transport: (any ByteTransport)? = nil
            do {
                let t = try opener(config.following(c.followed))
                transport = t
                setActive(t)
                let now = clock.now()
                connectedAt = now
                connectedOnMonotonic = monotonic.now()
                if everConnected { c.reconnects += 1 }
                everConnected = true
                // The protocol's status first: a session not yet set up is
                // not connected (`isConnected`), even before its first batch.
                setConnected(true, status: driver.protocolStatus)
                setHealth(DeviceHealth(state: .up, since: now))
                if let last = c.lastOpened, last != t.description {
                    logger.log(.info, device: config.name.name, "found \(config.port) again at \(t.description) (was \(last))")
                }
                c.lastOpened = t.description
                if c.followed == nil, let link = config.plainPathLink() {
                    c.followed = link
                    logger.log(.info, device: config.name.name, "\(config.port) is \(link): following the device there when it is plugged in again")
                }
                c.lastLoss = nil
                logger.log(.info, device: config.name.name, "connected to \(t.description)\(t.serialSettings.map { " (\($0))" } ?? "") with driver \(config.driver)")
                c.batch.append(.connected(time: now))
                driver.connectionOpened(now: now, into: &c.batch)
                try exchange(&c, t, now: now)
                try converse(&c, t, buffer: buffer)
                sayGoodbye(&c, t, buffer: buffer)
                setHealth(DeviceHealth(state: .down, reason: "stopped", since: clock.now()))
                setActive(nil)
                t.close()
            } catch {
                setActive(nil)
                transport?.close()
                let now = clock.now()
                driver.connectionFailed(now: now, opened: connectedAt != nil, reason: "\(error)")
                driver.flush(time: now, into: &c.batch)
                let reason = Self.downReason(error, opened: connectedAt != nil, cut: c.batch.events, lastLoss: c.lastLoss)
                if connectedAt != nil { c.lastLoss = reason }
                setHealth(DeviceHealth(state: .down, reason: reason, since: now))
                logProblems(c.batch, limiter: &c.limiter, now: now)
                if connectedAt != nil {
                    c.batch.append(.disconnected(time: now))
                    setConnected(false)
                }
                deliver(&c)
                let wait = c.backoff.failed(connectedFor: connectedOnMonotonic.map { monotonic.now() - $0 })
                let admitted = c.limiter.admit(at: now)
                if admitted.show || connectedAt != nil {
                    logger.log(.warning, device: config.name.name, "\(connectedAt != nil ? reason : "\(error)"); retrying in \(wait.value / 1000) ms")
                }
                sleep(wait)
            }
        }
    }

    /// Reads and answers until stop is asked or the connection fails.
    private func converse(_ c: inout Connection, _ t: any ByteTransport, buffer: UnsafeMutableRawBufferPointer) throws(DeviceError) {
        var lastByte = clock.now()
        var steps = WallStepWatch(IntervalClocks(wall: clock, monotonic: monotonic))
        while !shouldStop {
            let (due, nextFeedback) = takeFeedback(now: clock.now())
            if !due.isEmpty {
                let now = clock.now()
                for step in due { c.driver.feedbackStep(step, now: now, into: &c.batch) }
                try exchange(&c, t, now: now)
            }
            let n = try t.read(into: buffer, timeoutMs: readWait(until: earliest(c.driver.nextDeadline, nextFeedback)))
            // Before the timers look at the time: a step while the read
            // waited moves them first (NTP's first sync can be years).
            if let delta = steps.step() {
                lastByte = lastByte + delta
                carryTimers(over: delta, c.driver)
            }
            let now = clock.now()
            // Timers first: a deadline that passed while the read waited is
            // not undone by bytes read after it (LLRP: a link declared dead
            // does not answer the KEEPALIVE that arrives too late).
            try c.driver.tick(now: now, into: &c.batch)
            if n > 0 {
                lastByte = now
                c.driver.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), time: now, into: &c.batch)
            } else if let silence = c.driver.silenceTimeout, now - lastByte > silence {
                throw DeviceError.hangup("\(t.description) silent for \((now - lastByte).value / 1000) ms")
            }
            try exchange(&c, t, now: now)
        }
    }

    /// Moves the runner's and the driver's timers by a wall-clock step.
    private func carryTimers(over delta: Microseconds, _ driver: any DeviceDriver) {
        lock.lock(); feedbackQueue.shift(by: delta); lock.unlock()
        driver.wallClockStepped(by: delta)
        let seconds = Double(delta.value) / 1e6
        logger.log(.info, device: config.name.name, "wall clock stepped by \(seconds > 0 ? "+" : "")\(String(format: "%.3f", seconds)) s; timers moved with it")
    }

    /// Sends the driver's goodbye and, when it expects an answer (LLRP's
    /// CLOSE_CONNECTION_RESPONSE), keeps reading until it comes or its time
    /// is up; then the connection is over (`disconnected`).
    private func sayGoodbye(_ c: inout Connection, _ t: any ByteTransport, buffer: UnsafeMutableRawBufferPointer) {
        t.willClose()
        let until = c.driver.closing(now: clock.now(), into: &c.batch)
        do {
            try exchange(&c, t, now: clock.now())
            while let until, !c.driver.isClosed, clock.now() < until {
                let n = try t.read(into: buffer, timeoutMs: readWait(until: until))
                guard n > 0 else { continue }
                c.driver.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), time: clock.now(), into: &c.batch)
                try exchange(&c, t, now: clock.now())
            }
        } catch {
            // The device went away while we said goodbye: nothing left to say.
        }
        c.batch.outgoing.removeAll()
        // The connection ends here as surely as when it breaks: report what
        // was left half-read, then say so.
        let now = clock.now()
        c.driver.flush(time: now, into: &c.batch)
        c.batch.append(.disconnected(time: now))
        setConnected(false)
        deliver(&c)
    }

    /// Writes what the driver queued, logs its problems and hands the events over.
    private func exchange(_ c: inout Connection, _ t: any ByteTransport, now: Microseconds) throws(DeviceError) {
        for bytes in c.batch.outgoing { try t.write(bytes) }
        c.batch.outgoing.removeAll()
        logProblems(c.batch, limiter: &c.limiter, now: now)
        deliver(&c)
    }

    /// How long one read may wait: the poll interval, shortened to the driver's next deadline.
    private func readWait(until deadline: Microseconds?) -> Int32 {
        guard let deadline else { return config.pollMilliseconds }
        let remaining = max(0, (deadline - clock.now()).value / 1000 + 1)
        return Int32(min(Int64(config.pollMilliseconds), remaining))
    }

    private func deliver(_ c: inout Connection) {
        var counters = c.driver.counters
        counters.reconnects = c.reconnects
        let status = c.driver.protocolStatus
        // A session that finished its setup was a good connection, however
        // short: the next failure waits the first wait again.
        if status?.isReady == true { c.backoff.reset() }
        lock.lock(); countersSnapshot = counters; statusSnapshot = status; lock.unlock()
        noteGarble(c.driver.garbled)
        c.driver.drainLog { level, line in logger.log(level, device: config.name.name, line) }
        guard !c.batch.events.isEmpty else { c.batch.removeAll(); return }
        handler(config.name, c.batch)
        c.batch.removeAll()
    }

    private func logProblems(_ batch: EventBatch, limiter: inout WarningLimiter, now: Microseconds) {
        for case .problem(let p) in batch.events {
            let (show, before) = limiter.admit(at: now)
            if before > 0 { logger.log(.warning, device: config.name.name, "\(before) more problems were not logged") }
            if show { logger.log(.warning, device: config.name.name, p.description) }
        }
    }

    private func setActive(_ transport: (any ByteTransport)?) { lock.lock(); activeTransport = transport; lock.unlock() }

    private func setConnected(_ value: Bool) { lock.lock(); connectedNow = value; lock.unlock() }

    private func setConnected(_ value: Bool, status: ProtocolStatus?) {
        lock.lock(); connectedNow = value; statusSnapshot = status; lock.unlock()
    }

    private func setHealth(_ value: DeviceHealth) { lock.lock(); healthNow = value; lock.unlock() }

    /// A driver's verdict on its stream (GarbleWatch) as the device's health:
    /// degraded while nothing valid arrives, up again at the next valid frame.
    private func noteGarble(_ garbled: String?) {
        let now = clock.now()
        lock.lock()
        let before = healthNow.state
        if let garbled, before == .up {
            healthNow = DeviceHealth(state: .degraded, reason: "\(garbled): \(GarbleWatch.likelyCause) configured \(config.serial)", since: now)
        } else if garbled == nil, before == .degraded {
            healthNow = DeviceHealth(state: .up, since: now)
        }
        let after = healthNow
        lock.unlock()
        guard after.state != before else { return }
        if after.state == .degraded {
            logger.log(.warning, device: config.name.name, "degraded: \(after.reason ?? "")")
        } else {
            logger.log(.info, device: config.name.name, "valid frames again: up")
        }
    }

    /// The feedback steps due now, and when the next one is.
    private func takeFeedback(now: Microseconds) -> (due: [[UInt8]], next: Microseconds?) {
        lock.lock(); defer { lock.unlock() }
        let due = feedbackQueue.takeDue(now: now)
        return (due, feedbackQueue.nextDue)
    }

    private func earliest(_ a: Microseconds?, _ b: Microseconds?) -> Microseconds? {
        guard let a else { return b }
        guard let b else { return a }
        return min(a, b)
    }

    /// Waits `duration` on the runner's clock, returning early when stopped.
    /// Never longer than `duration` in real time either, so a wall clock
    /// stepped back does not stretch a wait; an injected clock (virtual time
    /// in tests) is looked at every 10 ms, so its wait ends when it is moved.
    private func sleep(_ duration: Microseconds) {
        let until = clock.now() + duration
        let realDeadline = Date(timeIntervalSinceNow: Double(duration.value) / 1e6)
        let slice: TimeInterval? = clock is WallClock ? nil : 0.01
        lock.lock()
        while !stopping && Date() < realDeadline && clock.now() < until {
            _ = lock.wait(until: slice.map { min(realDeadline, Date(timeIntervalSinceNow: $0)) } ?? realDeadline)
        }
        lock.unlock()
    }
}
