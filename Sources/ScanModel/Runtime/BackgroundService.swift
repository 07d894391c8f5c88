import Foundation

/// Something that runs in the background for the life of the process: the
/// ledger writer, the checkpointer, a device runner, the forwarder, the
/// control server. `start` returns once it runs (or throws: then nothing was
/// left running); `stop` returns once it stopped and is idempotent.
/// swift-service-lifecycle's `Service` is the model, without async.
public protocol BackgroundService: AnyObject, Sendable {
    /// For logs: "ledger writer", "device dock-scanner", "control".
    var serviceName: String { get }
    func start() throws
    func stop()
}

/// Starts services in order and stops them in reverse order, like
/// swift-service-lifecycle's `ServiceGroup`: what started last (and may use
/// what started before it) stops first. A start that throws stops the ones
/// already started before the error is rethrown.
public final class Supervisor: Sendable {
    private let running = Locked<[any BackgroundService]>([])
    private let log: @Sendable (String) -> Void

    public init(log: @escaping @Sendable (String) -> Void = { _ in }) { self.log = log }

    /// Starts `service` and takes charge of stopping it.
    public func start(_ service: any BackgroundService) throws {
        do { try service.start() } catch {
            log("\(service.serviceName) did not start: \(error); stopping the others")
            stopAll()
            throw error
        }
        running.withLock { $0.append(service) }
    }

    /// Takes charge of a service that was started elsewhere.
    public func adopt(_ service: any BackgroundService) {
        running.withLock { $0.append(service) }
    }

    public var serviceNames: [String] { running.snapshot.map(\.serviceName) }

    /// Stops every service, last started first; each gets `stop()` once.
    public func stopAll() {
        let services = running.swap([])
        for service in services.reversed() {
            service.stop()
            log("\(service.serviceName) stopped")
        }
    }
}

/// One named thread running a loop until asked to stop: the shape every
/// background service here had written by hand (start a `Thread`, set a flag,
/// wake it, wait for it to finish).
///
/// `@unchecked Sendable`: `state` is guarded by `condition`.
public final class ServiceThread: @unchecked Sendable {
    public let name: String
    private let condition = NSCondition()
    private var state = State.idle
    private enum State { case idle, running, stopping, finished }

    public init(name: String) { self.name = name }

    /// Starts the thread. `body` runs once and should return when
    /// `shouldStop` becomes true (poll it, or wake a blocking wait from
    /// `onStop` in `stop`). Starting twice is a programming error.
    public func start(_ body: @escaping @Sendable (ServiceThread) -> Void) {
        condition.withLock {
            precondition(state == .idle, "ServiceThread \(name) started twice")
            state = .running
        }
        let thread = Thread { [self] in
            body(self)
            condition.withLock { state = .finished; condition.broadcast() }
        }
        thread.name = name
        thread.start()
    }

    /// True once `stop` was called.
    public var shouldStop: Bool { condition.withLock { state == .stopping || state == .finished } }

    /// Waits up to `seconds` for a stop request; true when stop was requested.
    /// Loops that sleep between rounds sleep here, so `stop` wakes them at once.
    public func waitForStop(seconds: Double) -> Bool {
        condition.withLock {
            let deadline = Date().addingTimeInterval(seconds)
            while state == .running { if !condition.wait(until: deadline) { break } }
            return state != .running
        }
    }

    /// Asks the loop to stop, calls `wake` (to interrupt a blocking read or
    /// wait the loop is in), and waits until the body returned. Idempotent;
    /// a thread never started counts as stopped.
    public func stop(wake: () -> Void = {}) {
        let wasRunning = condition.withLock { () -> Bool in
            guard state == .running else { return false }
            state = .stopping
            condition.broadcast()
            return true
        }
        if wasRunning { wake() }
        condition.withLock { while state == .stopping { condition.wait() } }
    }

    /// `stop` for a loop that sleeps on a condition of its own (waiting for
    /// work or for the time to pass) and checks `shouldStop` under it: the
    /// broadcast is made under that condition's lock, so a loop between its
    /// check and its wait cannot miss it.
    public func stop(waking condition: NSCondition) {
        stop { condition.withLock { condition.broadcast() } }
    }

    /// True until the body returned.
    public var isRunning: Bool { condition.withLock { state == .running || state == .stopping } }
}
