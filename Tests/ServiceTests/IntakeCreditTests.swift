import Devices
import Foundation
import Pipeline
import ScanModel
import Testing
@testable import Service

/// A device whose reads the router has not taken yet waits on its own
/// thread once it has `IntakeCredit.perDevice` of them queued, so one
/// flooding device can neither fill the shared intake nor put every other
/// device's scans behind thousands of its own.
@Suite struct IntakeCreditTests {
    @Test func aDeviceWithItsReadsQueuedWaitsUntilTheRouterTakesOne() throws {
        let inbox = BoundedQueue<Intake>(capacity: 4_096)
        let intake = DeviceIntake(name: "flooder", inbox: inbox, hub: EventHub(), logger: Logger(level: .error, sink: { _ in }))
        let batch = { () -> EventBatch in var b = EventBatch(); b.append(.trigger(pressed: true, time: .zero)); return b }()
        let reads = IntakeCredit.perDevice + 3
        let handled = Locked(0)
        Thread.detachNewThread {
            for _ in 0..<reads { intake.handle("flooder", batch); handled.withLock { $0 += 1 } }
        }
        try eventually("the device to queue its credit's worth") { inbox.snapshot.depth == IntakeCredit.perDevice }
        usleep(300_000)
        #expect(inbox.snapshot.depth == IntakeCredit.perDevice, "a device queued more reads than its credit")
        #expect(handled.withLock { $0 } == IntakeCredit.perDevice)
        // Another device is not held back by the first one's credit.
        let other = DeviceIntake(name: "operator", inbox: inbox, hub: EventHub(), logger: Logger(level: .error, sink: { _ in }))
        other.handle("operator", batch)
        #expect(inbox.snapshot.depth == IntakeCredit.perDevice + 1)
        // The router taking reads (and giving their credit back) lets the rest through, in order.
        var taken = 0
        while taken < reads + 1 {
            guard let item = inbox.pop(timeout: 5) else { break }
            if case .device(_, _, let credit) = item { credit?.give() }
            taken += 1
        }
        #expect(taken == reads + 1)
        // (The device thread counts a read after its push returns.)
        try eventually("the device to finish its reads") { handled.withLock { $0 } == reads }
    }
}
