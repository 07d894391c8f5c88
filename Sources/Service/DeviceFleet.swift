import Devices
import Foundation
import Pipeline
import ScanModel
import Stations

/// The running devices, each on its own runner thread, their numbers for the
/// life of the process, and the devices added over the socket. Starting and
/// stopping one device never waits for another.
final class DeviceFleet: BackgroundService {
    let serviceName = "devices"

    struct Running: Sendable {
        let spec: DeviceSpec
        let runner: any RunningDevice
    }

    struct State: Sendable {
        var running: [String: Running] = [:]
        var numbering = DeviceNumbering()
        /// Devices added over the socket (`device-add`): not in the file, so
        /// a reload keeps them running and keeps their station.
        var added: [String: AddedDevice] = [:]
    }

    struct AddedDevice: Sendable {
        var spec: DeviceSpec
        var station: String?
    }

    let state = Locked(State())
    private let inbox: BoundedQueue<Intake>
    private let hub: EventHub
    private let logger: Logger
    /// The devices to start with the service.
    private let initial: [DeviceSpec]

    /// Numbers `config`'s devices (and zone readers) for the life of the
    /// process; they start with the service.
    init(config: inout ServiceConfig, inbox: BoundedQueue<Intake>, hub: EventHub, logger: Logger) {
        var numbering = DeviceNumbering()
        numbering.apply(to: &config)
        initial = config.devices; self.inbox = inbox; self.hub = hub; self.logger = logger
        state.withLock { $0.numbering = numbering }
    }

    /// Starts the configured devices and gives them a moment to open, so
    /// READY means "reading"; a missing device keeps reconnecting in the
    /// background and does not hold the start up.
    func start() throws {
        for spec in initial { start(spec) }
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline, state.withLock({ $0.running.values.contains { !$0.runner.isConnected } }) {
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Stops every device in parallel: each LLRP reader waits for its CLOSE_CONNECTION_RESPONSE.
    func stop() {
        let all = state.withLock { s in defer { s.running = [:] }; return s.running.values.map(\.runner) }
        DispatchQueue.concurrentPerform(iterations: all.count) { all[$0].stop() }
    }

    /// Numbers a parsed config's devices for the life of the process.
    func number(_ config: inout ServiceConfig) {
        state.withLock { $0.numbering.apply(to: &config) }
    }

    /// Starts the device on its own thread; its events go through the shared `DeviceIntake` handler.
    func start(_ spec: DeviceSpec) {
        let intake = DeviceIntake(name: spec.name, inbox: inbox, hub: hub, logger: logger)
        do {
            let runner = try intake.makeRunner(for: spec)
            let replaced = state.withLock { $0.running.updateValue(Running(spec: spec, runner: runner), forKey: spec.name) }
            assert(replaced == nil, "device \(spec.name) started while it was running")
            runner.start()
        } catch {
            logger.error("device \(spec.name)", "\(error)")
        }
    }

    /// Stops and forgets a running device. `restarting` keeps a socket-added
    /// device's record (number, station) for the `start` that follows.
    @discardableResult
    func stop(_ name: String, restarting: Bool = false) -> Bool {
        guard let entry = state.withLock({ s -> Running? in
            if !restarting { s.added.removeValue(forKey: name) }
            return s.running.removeValue(forKey: name)
        }) else { return false }
        entry.runner.stop()
        return true
    }

    /// Adds a device over the socket: numbered, remembered, started.
    func add(_ spec: DeviceSpec, station: String?) throws -> DeviceSpec {
        var spec = spec
        try state.withLock { s in
            if s.running[spec.name] != nil { throw RequestError("device '\(spec.name)' already runs; remove it first") }
            guard let index = s.numbering.index(for: spec.name) else { throw RequestError("all 65535 device numbers are used; restart scanledgerd") }
            spec.index = index
            s.added[spec.name] = AddedDevice(spec: spec, station: station)
        }
        start(spec)
        return spec
    }

    var running: [Running] { state.withLock { Array($0.running.values) } }
    var added: [AddedDevice] { state.withLock { Array($0.added.values) } }
    func isAdded(_ name: String) -> Bool { state.withLock { $0.added[name] != nil } }
    func spec(_ name: String) -> DeviceSpec? { state.withLock { $0.running[name]?.spec } }

    /// Operator feedback to a device by name (no-op for devices that cannot signal).
    func signal(_ device: String, _ outcome: FeedbackOutcome) {
        guard let runner = state.withLock({ $0.running[device]?.runner }) else { return }
        _ = runner.feedback(outcome)
    }

    /// Configured devices whose port is `path` (or a link to the same node).
    func devices(at path: String) -> [String] {
        func resolved(_ p: String) -> String { URL(fileURLWithPath: p).resolvingSymlinksInPath().path }
        let target = resolved(path)
        return running.compactMap { entry -> String? in
            guard let port = entry.spec.port, port.hasPrefix("/") else { return nil }
            return resolved(port) == target ? entry.spec.name : nil
        }.sorted()
    }
}
