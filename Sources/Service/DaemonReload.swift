import Devices
import Forwarding
import Foundation
import ScanModel

extension Daemon {
    /// SIGHUP or the socket's `reload`: a new config that does not parse is
    /// rejected and logged; the running one stays. Applied live: log level,
    /// patterns, devices (added, removed, changed), zones (a new pipeline;
    /// open cycles end with reason shutdown) and stations (added, removed,
    /// changed; open sessions resume from the database). Ledger, control
    /// socket, `site`, `central` and `metrics` changes need a restart: they are kept as
    /// they were and named in the log and the socket's answer, never
    /// silently dropped. Reloads run one at a time.
    @discardableResult
    public func reload() -> Bool { reloadReport() != nil }

    /// The sections whose changes wait for a restart; nil when the new
    /// configuration was rejected.
    public func reloadReport() -> [String]? {
        changes.withLock { reloadSerialized() }
    }

    private func reloadSerialized() -> [String]? {
        let new: ServiceConfig
        do { new = try ServiceConfig.load(path: configPath) } catch {
            logger.error("reload", "rejected \(configPath): \(error); still running the previous configuration")
            return nil
        }
        let old = config
        var kept = new
        fleet.number(&kept)
        var restartNeeded: [String] = []
        if new.ledgerPath != old.ledgerPath || new.synchronous != old.synchronous {
            restartNeeded.append("ledger"); kept.ledgerPath = old.ledgerPath; kept.synchronous = old.synchronous
        }
        if new.controlSocket != old.controlSocket || new.controlGroup != old.controlGroup || new.controlMode != old.controlMode {
            restartNeeded.append("control"); kept.controlSocket = old.controlSocket; kept.controlGroup = old.controlGroup; kept.controlMode = old.controlMode
        }
        if new.boxID != old.boxID { restartNeeded.append("site"); kept.boxID = old.boxID }
        // The forwarder holds its connection and origin for its life: a new
        // server or password takes a restart, said here rather than ignored.
        if Self.forwardingIdentity(new.central) != Self.forwardingIdentity(old.central) {
            restartNeeded.append("central"); kept.central = old.central
        }
        // The writer keeps its file and interval for its life, like the forwarder.
        if new.metricsTextfile != old.metricsTextfile { restartNeeded.append("metrics"); kept.metricsTextfile = old.metricsTextfile }
        let context = kept.stationContext
        if new.stations != old.stations || context != old.stationContext {
            do {
                let (added, removed) = try stations.apply(kept.stations, context: context)
                if !removed.isEmpty { logger.notice("reload", "stations stopped: \(removed.joined(separator: ", "))") }
                if !added.isEmpty { logger.notice("reload", "stations started: \(added.joined(separator: ", "))") }
            } catch {
                logger.error("reload", "stations could not be created (\(error)); keeping the running stations")
                kept.stations = old.stations
            }
        }
        logger.level = kept.logLevel
        let oldDevices = Dictionary(old.devices.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newDevices = Dictionary(kept.devices.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, spec) in oldDevices where newDevices[name] != spec {
            if fleet.stop(name) { logger.notice("reload", "device \(name) stopped") }
        }
        publishRouting(kept)
        if kept.zones != old.zones || kept.devices.map(\.debounce) != old.devices.map(\.debounce) || kept.devices.map(\.index) != old.devices.map(\.index) {
            _ = inbox.push(.reconfigure(kept.pipeline))
        }
        for (name, spec) in newDevices.sorted(by: { $0.key < $1.key }) where oldDevices[name] != spec {
            // The file now defines a device that was added over the socket: the file's wins.
            if fleet.isAdded(name), fleet.stop(name) { logger.notice("reload", "device \(name) (added over the socket) replaced by the configured one") }
            fleet.start(spec)
            logger.notice("reload", "device \(name) started")
        }
        if restartNeeded.isEmpty {
            logger.notice("reload", "configuration \(configPath) applied")
        } else {
            logger.warning("reload", "configuration \(configPath) applied except \(restartNeeded.joined(separator: ", ")): restart scanledgerd for those")
        }
        return restartNeeded
    }

    /// What of a `central` section the running forwarder cannot change.
    static func forwardingIdentity(_ c: ForwarderConfig?) -> [String] {
        guard let c else { return [] }
        return [c.connection.conninfo, c.connection.passwordFile ?? "", c.origin, c.site, String(c.batchSize), String(c.pollIntervalSeconds),
                String(c.retryInitialSeconds), String(c.retryMaxSeconds), String(c.backlogAlarmBytes), String(c.backlogAlarmPostings)]
    }

    /// Builds the routing snapshot for `config` plus the socket-added devices
    /// and swaps it in. Callers hold `changes`.
    func publishRouting(_ config: ServiceConfig) {
        routing.swap(Routing(config: config, added: fleet.added.map { ($0.spec, $0.station) }))
    }
}
