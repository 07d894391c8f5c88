import Devices
import Forwarding
import Foundation
import Ledger
import Pipeline
import ScanModel
import Stations

/// What device threads hand to the pipeline thread.
enum Intake: Sendable {
    case tags([TagRead])
    case scans([Scan])
    case trigger(device: String, pressed: Bool, time: Microseconds)
    /// Reloaded zones: the pipeline thread ends the old pipeline's cycles and starts a new one.
    case reconfigure(PipelineConfig)
}

/// The running service. One direction of flow: device threads → intake queue
/// → pipeline thread (Pipeline, advanced on a clock tick) → station queues →
/// ledger (synchronous commits through the gateway). Feedback goes back to
/// the device that caused an input. See docs/config.md and
/// docs/control-protocol.md.
public final class Daemon: @unchecked Sendable {
    public let configPath: String
    public let logger: Logger
    let notify: SDNotify
    let lock = NSLock()
    private(set) var config: ServiceConfig
    public let ledger: Ledger
    let gateway: LedgerStationGateway
    let stores: LedgerStationStores
    let hub = EventHub()
    let stations: StationHost
    private var translatorStorage: ScanTranslator
    var translator: ScanTranslator { lock.withLock { translatorStorage } }
    let inbox = BoundedQueue<Intake>(capacity: 4_096)
    let started = Date()

    // Guarded by `lock`.
    var runners: [String: (spec: DeviceSpec, runner: any RunningDevice)] = [:]
    var numbering = DeviceNumbering()
    /// Devices added over the socket (`device-add`): not in the file, so a
    /// reload keeps them running and keeps their routing.
    var addedDevices: [String: (spec: DeviceSpec, station: String?)] = [:]
    var deviceByIndex: [UInt16: String] = [:]
    var stationByDevice: [String: String] = [:]
    var stationByZone: [String: String] = [:]
    var zonesByStation: [String: [String]] = [:]
    var heartbeat = Date()
    var pipelineCounters = PipelineCounters()
    var zoneCounters: [ZoneCounters] = []
    var scansIn = 0

    private let pipelineDone = DispatchSemaphore(value: 0)
    private var control: ControlServer?
    /// Set once in start(), before any control request can read it.
    nonisolated(unsafe) var forwarder: Forwarder?
    private var timers: [DispatchSourceTimer] = []
    private let timerQueue = DispatchQueue(label: "daemon.timers")

    public init(configPath: String, config parsed: ServiceConfig, logger: Logger, notify: SDNotify = SDNotify()) throws {
        var config = parsed
        numbering.apply(to: &config)
        self.configPath = configPath
        self.config = config
        self.logger = logger
        self.notify = notify
        ledger = try Ledger(path: config.ledgerPath, options: LedgerOptions(synchronous: config.synchronous))
        gateway = LedgerStationGateway(ledger: ledger)
        stores = LedgerStationStores(ledger: ledger)
        translatorStorage = ScanTranslator(decoder: config.scanDecoder)
        let deps = StationDependencies(ledger: gateway, stock: gateway, master: gateway, expected: stores, sessions: stores)
        let hub = self.hub
        var signalTarget: (@Sendable (String, DeviceSignal) -> Void)? = nil
        let box = SignalBox()
        stations = try StationHost(specs: config.stations, dependencies: deps, reviews: stores, hub: hub) { device, signal in box.send(device, signal) }
        signalTarget = { [weak self] device, signal in self?.signal(device, signal) }
        box.target = signalTarget
        applyRouting(config)
        for spec in config.stations where try stores.loadSession(station: spec.name) != nil {
            logger.notice("station \(spec.name)", "resumed the open session saved in the ledger database")
        }
    }

    /// Routing tables from a config (device index → name, device/zone → station).
    func applyRouting(_ c: ServiceConfig) {
        lock.withLock {
            let added = addedDevices.values.filter { a in !c.devices.contains { $0.name == a.spec.name } }
            deviceByIndex = Dictionary((c.devices + added.map(\.spec)).map { ($0.index.value, $0.name) }, uniquingKeysWith: { a, _ in a })
            stationByDevice = [:]; stationByZone = [:]; zonesByStation = [:]
            for a in added { if let s = a.station, c.stations.contains(where: { $0.name == s }) { stationByDevice[a.spec.name] = s } }
            for s in c.stations {
                for d in s.devices { stationByDevice[d] = s.name }
                for z in s.zones { stationByZone[z] = s.name }
                zonesByStation[s.name] = s.zones
            }
        }
    }

    // MARK: lifecycle

    /// Starts everything and tells systemd READY=1. Throws when the control
    /// socket cannot be created (the daemon must not run unreachable).
    public func start() throws {
        let pipelineConfig = config.pipeline
        let thread = Thread { [self] in runPipeline(pipelineConfig) }
        thread.name = "pipeline"
        thread.start()
        for spec in config.devices { startDevice(spec) }
        // Give devices a moment to open so READY means "reading"; a missing
        // device keeps reconnecting in the background and does not block startup.
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline, lock.withLock({ runners.values.contains { !$0.runner.isConnected } }) { Thread.sleep(forTimeInterval: 0.02) }
        let server = ControlServer(path: config.controlSocket) { [weak self] request, reply in self?.handle(request, reply) }
        try server.start(mode: mode_t(config.controlMode), group: config.controlGroup)
        control = server
        startTimers()
        if let central = config.central {
            let logger = self.logger
            let f = Forwarder(config: central, ledger: ledger) { level, message in
                switch level {
                case .error: logger.error("central", message)
                case .warning: logger.warning("central", message)
                case .info: logger.info("central", message)
                case .debug: logger.debug("central", message)
                }
            }
            f.start()
            forwarder = f
        }
        notify.send("READY=1")
        notify.send("STATUS=\(statusLine())")
        logger.notice("scanledgerd", "ready: \(statusLine())")
    }

    /// Orderly shutdown in bounded time: stop intake, drain the pipeline,
    /// finish the stations' queued work, close the ledger, stop devices.
    public func stop() {
        notify.send("STOPPING=1")
        logger.notice("scanledgerd", "stopping")
        for t in timers { t.cancel() }
        timers.removeAll()
        inbox.close()
        if pipelineDone.wait(timeout: .now() + 10) == .timedOut { logger.error("pipeline", "did not drain within 10 s") }
        stations.drain()
        control?.stop()
        hub.close()
        forwarder?.stop()   // finishes its current batch; the rest goes next start
        ledger.close()
        // In parallel: each LLRP reader waits for its CLOSE_CONNECTION_RESPONSE.
        let all = lock.withLock { runners.values.map(\.runner) }
        DispatchQueue.concurrentPerform(iterations: all.count) { all[$0].stop() }
        logger.notice("scanledgerd", "stopped")
    }

    // MARK: devices

    /// Starts the device on its own thread (a serial/USB `DeviceRunner` or an
    /// LLRP reader); its events go through the shared `DeviceIntake` handler.
    func startDevice(_ spec: DeviceSpec) {
        let intake = DeviceIntake(name: spec.name, inbox: inbox, hub: hub, logger: logger)
        do {
            let runner = try intake.makeRunner(for: spec)
            lock.withLock { runners[spec.name] = (spec, runner) }
            runner.start()
        } catch {
            logger.error("device \(spec.name)", "\(error)")
        }
    }

    /// Stops and forgets a running device. `restarting` keeps a socket-added
    /// device's record (number, station) for the `startDevice` that follows.
    func stopDevice(_ name: String, restarting: Bool = false) -> Bool {
        guard let entry = lock.withLock({ () -> (spec: DeviceSpec, runner: any RunningDevice)? in
            if !restarting { addedDevices.removeValue(forKey: name) }
            return runners.removeValue(forKey: name)
        }) else { return false }
        entry.runner.stop()
        return true
    }

    func signal(_ device: String, _ signal: DeviceSignal) {
        guard let runner = lock.withLock({ runners[device]?.runner }) else { return }
        switch signal {
        case .good: _ = runner.feedback(.success)
        case .attention: _ = runner.feedback(.beep)
        case .bad: _ = runner.feedback(.failure)
        }
    }

    // MARK: pipeline thread

    func runPipeline(_ config: PipelineConfig) {
        defer { pipelineDone.signal() }
        var pipeline: Pipeline
        do { pipeline = try Pipeline(config: config, startTime: DeviceRunner.wallClock()) } catch {
            logger.error("pipeline", "\(error)")
            return
        }
        func take(_ item: Intake) {
            guard case .reconfigure(let newConfig) = item else { ingest(item, pipeline); return }
            do {
                let replacement = try Pipeline(config: newConfig, startTime: DeviceRunner.wallClock())
                pipeline.finish()
                route(pipeline)
                pipeline = replacement
                logger.notice("pipeline", "zones reconfigured")
            } catch {
                logger.error("pipeline", "new zones refused, keeping the old ones: \(error)")
            }
        }
        while true {
            let item = inbox.pop(timeout: 0.05)
            if let item { take(item) }
            while let more = inbox.tryPop() { take(more) }
            while !pipeline.advance(to: DeviceRunner.wallClock()) { route(pipeline) }
            route(pipeline)
            let counters = pipeline.counters, zones = pipeline.zoneCounters
            lock.withLock { heartbeat = Date(); pipelineCounters = counters; zoneCounters = zones }
            if item == nil && inbox.snapshot.closed && inbox.snapshot.depth == 0 { break }
        }
        pipeline.finish()
        route(pipeline)
    }

    private func ingest(_ item: Intake, _ pipeline: Pipeline) {
        switch item {
        case .tags(let tags):
            var rest = tags[...]
            while !rest.isEmpty {
                rest = rest.dropFirst(pipeline.ingest(batch: rest))
                route(pipeline)
            }
        case .scans(let scans):
            lock.withLock { scansIn += scans.count }
            var rest = scans
            while !rest.isEmpty {
                let n = pipeline.ingest(scans: rest)
                rest.removeFirst(min(n, rest.count))
                route(pipeline)
            }
        case .trigger(let device, let pressed, let time):
            guard let station = lock.withLock({ stationByDevice[device] }) else { return }
            if pressed { stations.deliver(.command(CommandNames().trigger), to: station, at: time, from: device) }
            for zone in lock.withLock({ zonesByStation[station] ?? [] }) {
                if let id = pipeline.zone(named: zone) { _ = pipeline.command(pressed ? .start : .stop, zone: id, at: time) }
            }
            route(pipeline)
        case .reconfigure:
            break // handled by the loop, which owns the pipeline variable
        }
    }

    private func route(_ pipeline: Pipeline) {
        // Zone cycle commands caused by scanned COUNT-START/COUNT-STOP, applied
        // after the drain (the pipeline is not re-entered while it is drained).
        var cycleCommands: [(CycleCommand, [String], Microseconds)] = []
        pipeline.drainEvents { event in
            switch event {
            case .scan(let scan):
                let device = lock.withLock { deviceByIndex[scan.device.value] }
                let input = translator.input(for: scan.data)
                let station = device.flatMap { d in lock.withLock { stationByDevice[d] } }
                hub.publish(["type": "scan", "device": ServiceJSON.null(device), "station": ServiceJSON.null(station),
                             "kind": ServiceJSON.inputName(input), "data": ScanTranslator.printable(scan.data), "time": scan.time.value])
                let cycled = station.map { cycleZones(of: $0) } ?? []
                if case .command(let c) = input, c == CommandNames().countStart, !cycled.isEmpty {
                    cycleCommands.append((.start, cycled, scan.time))
                }
                if case .command(let c) = input, c == CommandNames().countStop, !cycled.isEmpty {
                    // The sweep's cycle report ends the count; the station gets it instead of the command.
                    cycleCommands.append((.stop, cycled, scan.time))
                    if let device { signal(device, .good) }
                    return
                }
                if let station { stations.deliver(input, to: station, at: scan.time, from: device) } else {
                    logger.warning("device \(device ?? "#\(scan.device.value)")", "scan ignored: the device belongs to no station")
                    if let device { signal(device, .bad) }
                }
            case .arrived(let a):
                if let s = lock.withLock({ stationByZone[a.zone.name] }) {
                    stations.deliver(.tagArrived(zone: a.zone.name, tag: ScanTranslator.tag(a.epc)), to: s, at: a.time, from: nil)
                }
            case .departed(let d):
                if let s = lock.withLock({ stationByZone[d.zone.name] }) {
                    stations.deliver(.tagDeparted(zone: d.zone.name, tag: ScanTranslator.tag(d.epc)), to: s, at: d.time, from: nil)
                }
            case .cycleReport(let r):
                if let s = lock.withLock({ stationByZone[r.zone.name] }) {
                    stations.deliver(.cycleReport(Self.stationReport(r)), to: s, at: r.endedAt, from: nil)
                }
            case .alarm(let a):
                logger.warning("zone \(a.zone.name)", a.message)
                hub.publish(["type": "alarm", "zone": a.zone.name, "kind": "\(a.kind)", "message": a.message, "time": a.time.value])
            }
        }
        guard !cycleCommands.isEmpty else { return }
        for (command, zones, time) in cycleCommands {
            for zone in zones { if let id = pipeline.zone(named: zone) { _ = pipeline.command(command, zone: id, at: time) } }
        }
        route(pipeline)
    }

    /// The station's zones that run event cycles (their reports carry sweeps).
    func cycleZones(of station: String) -> [String] {
        lock.withLock {
            let names = zonesByStation[station] ?? []
            return config.zones.filter { $0.cycle != nil && names.contains($0.name) }.map(\.name)
        }
    }

    static func stationReport(_ r: PipelineCycleReport) -> ScanModel.CycleReport {
        ScanModel.CycleReport(zone: r.zone.name,
                             current: r.current.map { CycleTag(tag: ScanTranslator.tag($0.epc), count: $0.reads, peakRSSI: $0.peakRSSI, firstSeen: $0.firstSeen, lastSeen: $0.lastSeen) },
                             additions: r.additions.map(\.epc), deletions: r.deletions.map(\.epc))
    }

    // MARK: timers, watchdog, status

    private func startTimers() {
        let tick = DispatchSource.makeTimerSource(queue: timerQueue)
        tick.schedule(deadline: .now() + 1, repeating: 1)
        tick.setEventHandler { [weak self] in self?.stations.tick(at: DeviceRunner.wallClock()) }
        tick.resume()
        timers.append(tick)
        let status = DispatchSource.makeTimerSource(queue: timerQueue)
        status.schedule(deadline: .now() + 10, repeating: 10)
        status.setEventHandler { [weak self] in guard let self else { return }; notify.send("STATUS=\(statusLine())") }
        status.resume()
        timers.append(status)
        if let interval = SDNotify.watchdogInterval() {
            let dog = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "daemon.watchdog"))
            let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
            dog.schedule(deadline: .now() + seconds, repeating: seconds)
            dog.setEventHandler { [weak self] in
                guard let self else { return }
                if let problem = livenessProblem() { logger.error("watchdog", "not petting the watchdog: \(problem)") } else { notify.send("WATCHDOG=1") }
            }
            dog.resume()
            timers.append(dog)
        }
    }

    /// Nil when the pipeline thread ticked recently and the ledger writer commits.
    public func livenessProblem() -> String? {
        let age = Date().timeIntervalSince(lock.withLock { heartbeat })
        if age > 5 { return "the pipeline thread has not ticked for \(Int(age)) s" }
        do { try ledger.putDocuments([]) } catch { return "the ledger writer failed: \(error)" }
        return nil
    }

    public func statusLine() -> String {
        let (connected, total) = lock.withLock { (runners.values.filter { $0.runner.isConnected }.count, runners.count) }
        let c = gateway.counters
        let open = (try? stores.openSessions().count) ?? 0
        return "\(connected)/\(total) devices connected, \(config.stations.count) stations (\(open) open), \(c.posted) postings, \(c.rejected) rejected"
    }

    // MARK: reload

    /// SIGHUP: a new config that does not parse is rejected and logged; the
    /// running one stays. Applied live: log level, patterns, devices (added,
    /// removed, changed), zones (a new pipeline; open cycles end with reason
    /// shutdown) and stations (added, removed, changed; open sessions resume
    /// from the database). Ledger and control socket changes need a restart.
    @discardableResult
    public func reload() -> Bool {
        let new: ServiceConfig
        do { new = try ServiceConfig.load(path: configPath) } catch {
            logger.error("reload", "rejected \(configPath): \(error); still running the previous configuration")
            return false
        }
        let old = lock.withLock { config }
        var kept = new
        lock.withLock { numbering.apply(to: &kept) }
        var restartNeeded: [String] = []
        if new.ledgerPath != old.ledgerPath || new.synchronous != old.synchronous {
            restartNeeded.append("ledger"); kept.ledgerPath = old.ledgerPath; kept.synchronous = old.synchronous
        }
        if new.controlSocket != old.controlSocket || new.controlGroup != old.controlGroup || new.controlMode != old.controlMode {
            restartNeeded.append("control"); kept.controlSocket = old.controlSocket; kept.controlGroup = old.controlGroup; kept.controlMode = old.controlMode
        }
        if new.stations != old.stations {
            do {
                let (added, removed) = try stations.apply(new.stations)
                if !removed.isEmpty { logger.notice("reload", "stations stopped: \(removed.joined(separator: ", "))") }
                if !added.isEmpty { logger.notice("reload", "stations started: \(added.joined(separator: ", "))") }
            } catch {
                logger.error("reload", "stations could not be created (\(error)); keeping the running stations")
                kept.stations = old.stations
            }
        }
        logger.level = kept.logLevel
        if kept.patterns != old.patterns { lock.withLock { translatorStorage = ScanTranslator(decoder: kept.scanDecoder) } }
        let oldDevices = Dictionary(old.devices.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newDevices = Dictionary(kept.devices.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, spec) in oldDevices where newDevices[name] != spec {
            if stopDevice(name) { logger.notice("reload", "device \(name) stopped") }
        }
        lock.withLock { config = kept }
        applyRouting(kept)
        if kept.zones != old.zones || kept.devices.map(\.debounce) != old.devices.map(\.debounce) || kept.devices.map(\.index) != old.devices.map(\.index) {
            _ = inbox.push(.reconfigure(kept.pipeline))
        }
        for (name, spec) in newDevices where oldDevices[name] != spec {
            // The file now defines a device that was added over the socket: the file's wins.
            if lock.withLock({ addedDevices[name] != nil }), stopDevice(name) { logger.notice("reload", "device \(name) (added over the socket) replaced by the configured one") }
            startDevice(spec)
            logger.notice("reload", "device \(name) started")
        }
        if !restartNeeded.isEmpty { logger.warning("reload", "changes to \(restartNeeded.joined(separator: ", ")) take effect at the next restart") }
        logger.notice("reload", "configuration \(configPath) applied")
        return true
    }
}

/// Breaks the init-time cycle between the station host and the daemon.
final class SignalBox: @unchecked Sendable {
    var target: (@Sendable (String, DeviceSignal) -> Void)?
    func send(_ device: String, _ signal: DeviceSignal) { target?(device, signal) }
}

/// Device problems and state changes into the service log.
struct ServiceDeviceLogger: DeviceLogger {
    let logger: Logger
    func log(_ level: DeviceLogLevel, device: String, _ message: String) {
        switch level {
        case .info: logger.info("device \(device)", message)
        case .warning: logger.warning("device \(device)", message)
        case .error: logger.error("device \(device)", message)
        }
    }
}
