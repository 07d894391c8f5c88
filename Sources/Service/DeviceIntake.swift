import Devices
import Foundation
import Pipeline
import ScanModel

/// The one handler every device's events go through, on the device's own
/// thread. Tag reads, scans and triggers go to the router as one intake item
/// per read, in the order the device sent them (blocking when the router is
/// behind); connection changes and problems go to the log and the watch
/// stream. The batch is reused after the call returns, so everything kept is
/// copied out.
struct DeviceIntake: Sendable {
    let name: String
    let inbox: BoundedQueue<Intake>
    let hub: EventHub
    let logger: Logger
    /// How many of this device's reads may wait for the router at once.
    let credit = IntakeCredit(IntakeCredit.perDevice)

    func handle(_ device: DeviceID, _ batch: EventBatch) {
        // At most one of `tags` and `scans` holds a run at a time: a run ends
        // where an event of another kind starts.
        var inputs: [DeviceInput] = [], tags: [TagRead] = [], scans: [Scan] = []
        func endRuns() {
            if !tags.isEmpty { inputs.append(.tags(tags)); tags = [] }
            if !scans.isEmpty { inputs.append(.scans(scans)); scans = [] }
        }
        for event in batch.events {
            switch event {
            case .tag(let t):
                if !scans.isEmpty { endRuns() }
                tags.append(t)
            case .scan(let s):
                if !tags.isEmpty { endRuns() }
                scans.append(s)
            case .trigger(let pressed, let time):
                endRuns()
                inputs.append(.trigger(pressed: pressed, time: time))
            case .connected(let time):
                logger.info("device \(name)", "connected")
                hub.publish(["type": "device", "device": name, "event": "connected", "time": time.value])
            case .disconnected(let time):
                logger.warning("device \(name)", "disconnected")
                hub.publish(["type": "device", "device": name, "event": "disconnected", "time": time.value])
            case .problem(let p):
                hub.publish(["type": "device", "device": name, "event": "problem", "kind": p.kind.rawValue, "message": p.message, "time": p.time.value])
            case .gpi(let port, let high, let time):
                hub.publish(["type": "device", "device": name, "event": "gpi", "port": Int(port), "high": high, "time": time.value])
            case .reader(let event, let detail, let time):
                hub.publish(["type": "device", "device": name, "event": "reader", "kind": event, "message": detail, "time": time.value])
            case .keepalive, .commandDone: break
            }
        }
        endRuns()
        guard !inputs.isEmpty, credit.take(unless: { inbox.snapshot.closed }) else { return }
        _ = inbox.push(.device(name, inputs, credit: credit))
    }

    /// A runner for `spec`: every device kind, LLRP readers included, runs on `DeviceRunner`.
    func makeRunner(for spec: DeviceSpec) throws -> any RunningDevice {
        let intake = self
        return try DeviceRunner(config: try spec.deviceConfig(), logger: ServiceDeviceLogger(logger: logger)) { id, batch in
            intake.handle(id, batch)
        }
    }
}

/// Per-device credit for the router's intake: a device with this many reads
/// waiting blocks on its own thread (its tty or socket buffer then fills and
/// the device itself is held back) instead of filling the shared queue.
/// Without it one flooding scanner queued 4,096 reads of ~240 scans each:
/// gigabytes of memory, and every other device's scans waited seconds behind
/// them (`scanledger-bench flood`).
final class IntakeCredit: Sendable {
    static let perDevice = 2
    private let semaphore: DispatchSemaphore
    init(_ count: Int) { semaphore = DispatchSemaphore(value: count) }

    /// Waits for a credit; false when `abandon` says to give up (shutdown).
    func take(unless abandon: () -> Bool) -> Bool {
        while semaphore.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if abandon() { return false }
        }
        return true
    }

    func give() { semaphore.signal() }
}
