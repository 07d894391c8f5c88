import Foundation
import ScanModel

/// One configured device: which driver, which port, line settings and how
/// patiently to reconnect.
public struct DeviceConfig: Sendable {
    public var name: DeviceID
    public var driver: String
    public var port: PortSelector
    public var serial: SerialSettings
    public var options: DriverOptions
    /// First wait after a failure; doubles up to `backoffMax`.
    public var backoffInitial: Microseconds = .milliseconds(500)
    public var backoffMax: Microseconds = .seconds(30)
    /// A connection that lasted this long was healthy: the next failure
    /// starts again from `backoffInitial`.
    public var healthyAfter: Microseconds = .seconds(30)
    /// How long one read waits when nothing happens. Feedback and stop wake
    /// the read at once (`ByteTransport.interrupt`), so this only paces idle
    /// work such as the silence check.
    public var pollMilliseconds: Int32 = 100

    public init(name: DeviceID, driver: String, port: PortSelector, serial: SerialSettings = SerialSettings(),
                options: DriverOptions = DriverOptions()) {
        self.name = name; self.driver = driver; self.port = port; self.serial = serial; self.options = options
    }
}

/// Runs one device on its own thread: resolve the port, open it, send the
/// driver's init and start commands, read and decode, hand each batch to the
/// handler; on any failure flush, report, back off and try again. A device
/// that blocks or dies never holds up another.
///
/// The handler runs on the device's thread with a batch that is reused
/// after it returns: copy what you keep.
public final class DeviceRunner: @unchecked Sendable {
    public typealias Handler = @Sendable (DeviceID, EventBatch) -> Void
    /// Opens the device a configuration names. The default resolves the
    /// port selector (re-enumerating USB ports) and opens it as a serial
    /// line; other transports (libusb HID, evdev) plug in here.
    public typealias Opener = @Sendable (DeviceConfig) throws(DeviceError) -> any ByteTransport
    public typealias Clock = @Sendable () -> Microseconds

    public let config: DeviceConfig
    private let handler: Handler
    private let opener: Opener
    private let clock: Clock
    private let logger: any DeviceLogger
    private let lock = NSCondition()
    private var stopping = false
    private var finished = false
    private var countersSnapshot = DriverCounters()
    private var feedbackQueue: [[UInt8]] = []
    /// The open transport, so another thread can wake its read (feedback, stop).
    private var activeTransport: (any ByteTransport)?
    /// Each signal's bytes, from the driver once: `send` runs per scan.
    private let feedbackBytes: [Feedback: [UInt8]]
    private var thread: Thread?
    private var connectedNow = false

    /// Throws when the driver name is unknown (a configuration error). Without
    /// an `opener`, the driver's usual transport is used (`defaultOpener`).
    public init(config: DeviceConfig, logger: any DeviceLogger = StandardErrorLogger(),
                clock: @escaping Clock = DeviceRunner.wallClock,
                opener: Opener? = nil,
                handler: @escaping Handler) throws(DeviceError) {
        guard let driver = DriverRegistry.make(config.driver, options: config.options) else {
            throw DeviceError.configuration("device \(config.name): unknown driver '\(config.driver)' (known: \(DriverRegistry.names.joined(separator: ", ")))")
        }
        if opener == nil && config.driver == "llrp" {
            throw DeviceError.configuration("device \(config.name): LLRP readers run on LLRPTCPClient (its session configures the reader), not DeviceRunner")
        }
        self.config = config; self.logger = logger; self.clock = clock
        self.opener = opener ?? DeviceRunner.defaultOpener(for: config.driver)
        self.handler = handler
        var bytes: [Feedback: [UInt8]] = [:]
        for signal in Feedback.allCases { bytes[signal] = driver.feedbackCommand(signal) }
        self.feedbackBytes = bytes
    }

    /// The transport a driver's devices use: libusb for `hidpos`, an evdev
    /// node for `evdev`, a serial line for the rest.
    public static func defaultOpener(for driver: String) -> Opener {
        switch driver {
        case "hidpos": return HIDPOSTransport.opener
        case "evdev": return EvdevTransport.opener
        default: return openSerial
        }
    }

    public static let openSerial: Opener = { (config) throws(DeviceError) in
        let ports: [SerialPortInfo]
        if case .usb = config.port { ports = try SerialPorts.list() } else { ports = [] }
        let path = try config.port.resolve(in: ports)
        return try SerialPortTransport.open(path: path, settings: config.serial)
    }

    public static let wallClock: Clock = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Microseconds(Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }

    /// Counters as of the last read.
    public var counters: DriverCounters { lock.lock(); defer { lock.unlock() }; return countersSnapshot }
    public var isConnected: Bool { lock.lock(); defer { lock.unlock() }; return connectedNow }

    public func start() {
        let t = Thread { [self] in run() }
        t.name = "device \(config.name)"
        lock.lock(); thread = t; lock.unlock()
        t.start()
    }

    /// Sends the stop commands, closes the port and waits for the thread.
    public func stop() {
        lock.lock()
        stopping = true
        activeTransport?.interrupt()
        lock.broadcast()
        while thread != nil && !finished { lock.wait() }
        lock.unlock()
    }

    /// Queues an operator feedback signal (beep, vibrate). False when the
    /// device has no such signal.
    @discardableResult
    public func send(_ feedback: Feedback) -> Bool {
        guard let bytes = feedbackBytes[feedback] else { return false }
        lock.lock()
        feedbackQueue.append(bytes)
        activeTransport?.interrupt()
        lock.unlock()
        return true
    }

    private var shouldStop: Bool { lock.lock(); defer { lock.unlock() }; return stopping }

    private func run() {
        defer { setConnected(false); lock.lock(); finished = true; lock.broadcast(); lock.unlock() }
        let name = config.name.name
        guard let driver = DriverRegistry.make(config.driver, options: config.options) else { return }
        var batch = EventBatch()
        var backoff = ReconnectBackoff(initial: config.backoffInitial, maximum: config.backoffMax, healthyAfter: config.healthyAfter)
        var reconnects: UInt64 = 0
        var everConnected = false
        var limiter = WarningLimiter()
        for warning in driver.configurationWarnings(serial: config.serial) {
            logger.log(.warning, device: name, warning)
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        defer { buffer.deallocate() }

        while !shouldStop {
            var connectedAt: Microseconds? = nil
            var transport: (any ByteTransport)? = nil
            do {
                let t = try opener(config)
                transport = t
                setActive(t)
                let now = clock()
                connectedAt = now
                if everConnected { reconnects += 1 }
                everConnected = true
                setConnected(true)
                logger.log(.info, device: name, "connected to \(t.description) (\(config.serial)) with driver \(config.driver)")
                batch.append(.connected(time: now))
                deliver(&batch, driver: driver, reconnects: reconnects)
                for command in driver.initCommands + driver.startCommands { try t.write(command) }
                var lastByte = now
                while !shouldStop {
                    for bytes in takeFeedback() { try t.write(bytes) }
                    let n = try t.read(into: buffer, timeoutMs: config.pollMilliseconds)
                    let now = clock()
                    if n > 0 {
                        lastByte = now
                        driver.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), time: now, into: &batch)
                        for reply in batch.outgoing { try t.write(reply) }
                        logProblems(batch, limiter: &limiter, now: now)
                        deliver(&batch, driver: driver, reconnects: reconnects)
                    } else if let silence = driver.silenceTimeout, now - lastByte > silence {
                        throw DeviceError.hangup("\(t.description) silent for \((now - lastByte).value / 1000) ms")
                    }
                }
                for command in driver.stopCommands { try? t.write(command) }
                setActive(nil)
                t.close()
            } catch {
                setActive(nil)
                transport?.close()
                let now = clock()
                driver.flush(time: now, into: &batch)
                logProblems(batch, limiter: &limiter, now: now)
                if connectedAt != nil {
                    batch.append(.disconnected(time: now))
                    setConnected(false)
                }
                deliver(&batch, driver: driver, reconnects: reconnects)
                let wait = backoff.failed(connectedFor: connectedAt.map { now - $0 })
                let admitted = limiter.admit(at: now)
                if admitted.show || connectedAt != nil {
                    logger.log(.warning, device: name, "\(error); retrying in \(wait.value / 1000) ms")
                }
                sleep(wait)
            }
        }
    }

    private func deliver(_ batch: inout EventBatch, driver: any DeviceDriver, reconnects: UInt64) {
        var c = driver.counters
        c.reconnects = reconnects
        lock.lock(); countersSnapshot = c; lock.unlock()
        guard !batch.events.isEmpty else { batch.removeAll(); return }
        handler(config.name, batch)
        batch.removeAll()
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

    private func takeFeedback() -> [[UInt8]] {
        lock.lock(); defer { lock.unlock() }
        let q = feedbackQueue
        feedbackQueue.removeAll()
        return q
    }

    /// Waits `duration`, returning early when stopped.
    private func sleep(_ duration: Microseconds) {
        let deadline = Date(timeIntervalSinceNow: Double(duration.value) / 1e6)
        lock.lock()
        while !stopping && Date() < deadline { _ = lock.wait(until: deadline) }
        lock.unlock()
    }
}
