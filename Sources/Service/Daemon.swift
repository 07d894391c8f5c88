import Devices
import Forwarding
import Foundation
import Ledger
import Pipeline
import ScanModel
import Stations

/// The running service: a supervisor over its parts and the wiring between
/// them. One direction of flow: device threads → intake queue → router thread
/// (Pipeline, advanced on the wall clock) → station queues → ledger
/// (synchronous commits through the gateway). Feedback goes back to the
/// device that caused an input; station effects (start/stop a sweep) go back
/// through the intake queue. See docs/ARCHITECTURE.md, docs/config.md and
/// docs/control-protocol.md.
public final class Daemon: Sendable {
    public let configPath: String
    public let logger: Logger
    let notify: SDNotify
    public let ledger: Ledger
    let gateway: LedgerStationGateway
    let stores: LedgerStationStores
    let hub = EventHub()
    let inbox = BoundedQueue<Intake>(capacity: 4_096)
    /// Who gets what; a reload swaps in a new snapshot whole.
    let routing: Locked<Routing>
    let fleet: DeviceFleet
    let stations: StationHost
    let router: Router
    let supervisor: Supervisor
    let forwarder = Locked<Forwarder?>(nil)
    let started = Date()
    /// Serializes every change of configuration: reloads (SIGHUP and the
    /// socket's `reload` may arrive together) and devices added or removed
    /// over the socket. Each change reads the configuration the previous one left.
    let changes = NSLock()
    /// Held for the daemon's life: `scanledger restore` refuses while it is (LedgerLock).
    let ledgerLock: LedgerLock
    /// A full disk under the ledger: logged once per episode, journal held back, probed for liveness.
    let storage: StorageHealth

    public init(configPath: String, config parsed: ServiceConfig, logger: Logger, notify: SDNotify = SDNotify()) throws {
        var config = parsed
        self.configPath = configPath
        self.logger = logger
        self.notify = notify
        fleet = DeviceFleet(config: &config, inbox: inbox, hub: hub, logger: logger)
        switch try LedgerLock.acquire(ledger: config.ledgerPath) {
        case .success(let lock): ledgerLock = lock
        case .failure(let holder):
            throw LedgerError.masterData("ledger \(config.ledgerPath) is in use by another scanledgerd or a `scanledger restore` (\(holder)); not starting")
        }
        // A damaged file is refused before anything reads or writes it (docs/operations.md, Corruption).
        if let check = config.startupCheck, FileManager.default.fileExists(atPath: config.ledgerPath) {
            let started = Date()
            try LedgerIntegrity.checkBeforeOpening(path: config.ledgerPath, check: check)
            logger.info("scanledgerd", "ledger \(check.rawValue)_check ok in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        }
        ledger = try Ledger(path: config.ledgerPath, options: LedgerOptions(synchronous: config.synchronous))
        gateway = LedgerStationGateway(ledger: ledger)
        storage = StorageHealth(ledger: ledger, logger: logger, journal: gateway)
        stores = LedgerStationStores(ledger: ledger)
        let routing = Routing(config: config, added: [])
        self.routing = Locked(routing)
        let deps = StationDependencies(ledger: gateway, stock: gateway, master: gateway, expected: stores, sessions: stores,
                                       shipments: gateway, history: ledger, lotHolds: ledger, clocks: .system)
        let (fleet, inbox) = (self.fleet, self.inbox)
        stations = try StationHost(specs: config.stations, context: config.stationContext, dependencies: deps, reviews: stores,
                                   journal: StorageAwareJournal(gateway, health: storage), hub: hub,
                                   signal: { device, signal in fleet.signal(device, signal) },
                                   effects: { station, effects, time in _ = inbox.push(.effects(station: station, effects, time: time)) },
                                   log: { station, line in logger.warning("station \(station)", line) })
        router = Router(inbox: inbox, routing: self.routing, stations: stations, hub: hub, logger: logger,
                        clocks: .system, signal: { device, signal in fleet.signal(device, signal) })
        supervisor = Supervisor(log: { logger.info("scanledgerd", $0) })
        for spec in config.stations where try stores.loadSession(station: spec.name) != nil {
            logger.notice("station \(spec.name)", "resumed the open session saved in the ledger database")
        }
    }

    var config: ServiceConfig { routing.snapshot.config }

    // MARK: lifecycle

    /// Starts every part in order and tells systemd READY=1; `stop` stops
    /// them in reverse. Throws when a part cannot start (the control socket
    /// above all: the daemon must not run unreachable); what started is stopped.
    public func start() throws {
        let (ledger, stations, hub) = (self.ledger, self.stations, self.hub)
        supervisor.adopt(ClosureService("ledger", stop: { ledger.close() }))     // opened by init, closed last
        try supervisor.start(ClosureService("stations", stop: { stations.drain() }))
        try supervisor.start(router)
        try supervisor.start(fleet)
        let c = config
        try supervisor.start(ControlServer(path: c.controlSocket, mode: mode_t(c.controlMode), group: c.controlGroup) { [weak self] request, reply in
            self?.handle(request, reply)
        })
        // Watch streams end when the control socket has gone.
        supervisor.adopt(ClosureService("event hub", stop: { hub.close() }))
        if let central = c.central {
            let logger = self.logger
            let f = Forwarder(config: central, ledger: ledger) { level, message in logger.log(level, "central", message) }
            forwarder.swap(f)
            try supervisor.start(f)
            // Every commit wakes the forwarder: a posting goes central at once,
            // and the poll interval is only the fallback for other writers.
            gateway.onCommit { f.wake() }
        }
        try supervisor.start(DaemonTimers(daemon: self))
        // Started last, stopped first: its final write sees the daemon as it was asked to stop.
        if let textfile = c.metricsTextfile {
            try supervisor.start(MetricsTextfileWriter(config: textfile, logger: logger) { [weak self] in self?.metricsText() ?? "" })
        }
        notify.send("READY=1")
        notify.send("STATUS=\(statusLine())")
        logger.notice("scanledgerd", "ready: \(statusLine())")
    }

    /// Orderly shutdown in bounded time, in reverse start order: timers,
    /// forwarder (finishes its batch), control socket, devices, the router
    /// (drains the intake), the stations' queued work, the ledger.
    public func stop() {
        notify.send("STOPPING=1")
        logger.notice("scanledgerd", "stopping")
        supervisor.stopAll()
        logger.notice("scanledgerd", "stopped")
    }
}

extension Forwarder: BackgroundService {
    public var serviceName: String { "central forwarder" }
}

/// A part whose start and stop are a call each (the ledger, the control
/// socket, the stations' queues).
final class ClosureService: BackgroundService {
    let serviceName: String
    private let starting: @Sendable () throws -> Void
    private let stopping: @Sendable () -> Void
    init(_ name: String, start: @escaping @Sendable () throws -> Void = {}, stop: @escaping @Sendable () -> Void) {
        serviceName = name; starting = start; stopping = stop
    }
    func start() throws { try starting() }
    func stop() { stopping() }
}

/// Device problems and state changes into the service log.
struct ServiceDeviceLogger: DeviceLogger {
    let logger: Logger
    func log(_ level: LogLevel, device: String, _ message: String) {
        logger.log(level, "device \(device)", message)
    }
}
