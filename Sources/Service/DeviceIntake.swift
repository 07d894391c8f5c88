import Devices
import Foundation
import Pipeline
import ScanModel

/// The one handler every device's events go through, on the device's own
/// thread: tag reads and scans into the intake queue (blocking when the
/// pipeline is behind), triggers to the pipeline, connection changes and
/// problems to the log and the watch stream. The batch is reused after the
/// call returns, so everything kept is copied out.
struct DeviceIntake: Sendable {
    let name: String
    let inbox: BoundedQueue<Intake>
    let hub: EventHub
    let logger: Logger

    func handle(_ device: DeviceID, _ batch: EventBatch) {
        var tags: [TagRead] = [], scans: [Scan] = []
        for event in batch.events {
            switch event {
            case .tag(let t): tags.append(t)
            case .scan(let s): scans.append(s)
            case .trigger(let pressed, let time): _ = inbox.push(.trigger(device: name, pressed: pressed, time: time))
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
        if !tags.isEmpty { _ = inbox.push(.tags(tags)) }
        if !scans.isEmpty { _ = inbox.push(.scans(scans)) }
    }

    /// A runner for `spec`: every device kind, LLRP readers included, runs on `DeviceRunner`.
    func makeRunner(for spec: DeviceSpec) throws -> any RunningDevice {
        let intake = self
        return try DeviceRunner(config: try spec.deviceConfig(), logger: ServiceDeviceLogger(logger: logger)) { id, batch in
            intake.handle(id, batch)
        }
    }
}
