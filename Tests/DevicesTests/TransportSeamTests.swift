import Foundation
import Testing
import ScanModel
@testable import Devices

/// A HID POS scanner on the far side of the libusb seam: the test plays
/// libusb's event thread (reports, removal) and sees the feature reports.
final class FakeHIDPOSPort: HIDPOSUSBPort, @unchecked Sendable {
    private let lock = NSLock()
    private var onReport: (@Sendable ([UInt8]) -> Void)?
    private var onGone: (@Sendable (String) -> Void)?
    private var features: [[UInt8]] = []
    private var outputs: [[UInt8]] = []
    private var starts = 0
    /// Set to make SET_REPORT(Feature) fail, as a pure HID POS Honeywell may.
    var refuseFeatures = false
    /// Set to make output reports fail, as a scanner without them would.
    var refuseOutputs = false

    func start(onReport: @escaping @Sendable ([UInt8]) -> Void, onGone: @escaping @Sendable (String) -> Void) throws {
        lock.lock(); self.onReport = onReport; self.onGone = onGone; starts += 1; lock.unlock()
    }
    func sendFeatureReport(_ report: [UInt8]) throws {
        lock.lock(); defer { lock.unlock() }
        if refuseFeatures { throw DeviceError.hangup("SET_REPORT stalled") }
        features.append(report)
    }
    func sendOutputReport(_ report: [UInt8]) throws {
        lock.lock(); defer { lock.unlock() }
        if refuseOutputs { throw DeviceError.hangup("interrupt OUT stalled") }
        outputs.append(report)
    }
    var sentOutputs: [[UInt8]] { lock.lock(); defer { lock.unlock() }; return outputs }
    func close() { lock.lock(); onReport = nil; onGone = nil; lock.unlock() }

    func report(_ r: [UInt8]) { lock.lock(); let f = onReport; lock.unlock(); f?(r) }
    func remove() { lock.lock(); let g = onGone; lock.unlock(); g?("device removed") }
    var sentFeatures: [[UInt8]] { lock.lock(); defer { lock.unlock() }; return features }
    var startCount: Int { lock.lock(); defer { lock.unlock() }; return starts }
}

@Suite(.serialized) struct TransportSeamTests {
    /// A started runner for an `hidpos` device on `port`, logging its events.
    static func runner(_ port: FakeHIDPOSPort, vendor: UInt16, product: UInt16) throws -> (DeviceRunner, EventLog) {
        var config = DeviceConfig(name: "pack-1", driver: "hidpos", port: .usb(vendor: vendor, product: product, serial: nil))
        config.backoffInitial = .milliseconds(10)
        config.pollMilliseconds = 20
        let log = EventLog()
        let runner = try DeviceRunner(config: config, logger: SilentLogger(), opener: { (c) throws(DeviceError) in
            try HIDPOSTransport(port: port, vendorID: vendor, description: "fake HID POS")
        }) { _, batch in log.add(batch) }
        runner.start()
        return (runner, log)
    }

    /// HID POS under the runner: feature report on open, a multi-report scan
    /// reassembled, removal seen as a disconnect, and the runner reopens.
    @Test func hidposRunsUnderTheRunnerThroughTheUSBSeam() throws {
        let port = FakeHIDPOSPort()
        let (runner, log) = try Self.runner(port, vendor: 0x0C2E, product: 0x0B61)
        defer { runner.stop() }
        #expect(waitUntil { port.startCount == 1 })
        #expect(port.sentFeatures == [[0xFE, 0x01]])   // Honeywell: enable scanning

        port.report(hidposReport(aim: "]C1", data: Array("0109501101020917".utf8), more: true))
        port.report(Array(hidposReport(aim: "]C1", data: Array("10ABC".utf8)).prefix(40)))  // short transfer: padded
        #expect(waitUntil { log.all.contains { if case .scan = $0 { true } else { false } } })
        let scans = log.all.compactMap { if case .scan(let s) = $0 { String(decoding: s.data, as: UTF8.self) } else { nil } }
        #expect(scans == ["]C1010950110102091710ABC"])

        port.remove()
        #expect(waitUntil { log.kinds.contains("disconnected") })
        #expect(waitUntil { port.startCount == 2 })
        #expect(runner.counters.scans == 1)
    }

    /// Honeywell's manual: send the redirect report and ignore a refusal.
    /// A refused feature report used to fail the open, so the runner
    /// retried forever and the scanner never read.
    @Test func refusedFeatureReportDoesNotFailTheOpen() throws {
        let port = FakeHIDPOSPort()
        port.refuseFeatures = true
        let transport = try HIDPOSTransport(port: port, vendorID: 0x0C2E, description: "fake HID POS")
        defer { transport.close() }
        #expect(port.startCount == 1)
        #expect(transport.refusedFeatureReports.count == 1)
        port.report(hidposReport(aim: "]E0", data: Array("4006381333931".utf8)))
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = try buffer.withUnsafeMutableBytes { try transport.read(into: $0, timeoutMs: 1000) }
        #expect(n == 64 && buffer[0] == 2)
    }

    /// Feedback outcomes reach the scanner as output reports through the
    /// runner (the driver's plans from the documented report 4 layout); a
    /// scanner that refuses them stays connected.
    @Test func feedbackOutcomesBecomeOutputReports() throws {
        let port = FakeHIDPOSPort()
        let (runner, log) = try Self.runner(port, vendor: 0x05E0, product: 0x1300)
        defer { runner.stop() }
        #expect(waitUntil { runner.isConnected })
        #expect(runner.send(.error) && runner.send(.done))
        #expect(waitUntil { port.sentOutputs.count == 3 })
        #expect(port.sentOutputs == [[0x04, 0x20], [0x04, 0x40], [0x04, 0x40]])
        port.refuseOutputs = true
        #expect(runner.send(.good))
        usleep(100_000)
        #expect(!log.kinds.contains("disconnected") && port.startCount == 1)
    }

    @Test func evdevOpenerNeedsAnEventNodeAndSaysWhatFailed() {
        let wrong = DeviceConfig(name: "wedge", driver: "evdev", port: .usb(vendor: 1, product: 2, serial: nil))
        #expect(throws: DeviceError.self) { _ = try EvdevTransport.opener(wrong) }
        let null = DeviceConfig(name: "wedge", driver: "evdev", port: .path("/dev/null"))
        do {
            _ = try DeviceRunner.defaultOpener(for: "evdev")(null)
            Issue.record("EVIOCGRAB on /dev/null succeeded")
        } catch {
            #expect(error == .system(Errno(ENOTTY, call: "ioctl(EVIOCGRAB, \"/dev/null\")"))
                    || error.description.contains("EVIOCGRAB"))
        }
    }

    /// One runner for every kind: an LLRP reader is a TCP transport opened
    /// from its network address; a tty path is not one.
    @Test func llrpRunsOnTheDeviceRunnerOverTCP() throws {
        let opener = DeviceRunner.defaultOpener(for: "llrp")
        let onATty = DeviceConfig(name: "dock", driver: "llrp", port: .path("/dev/null"))
        #expect(throws: DeviceError.self) { _ = try opener(onATty) }
        // Nobody listens on port 1 of the loopback: the error names the call, the peer and errno.
        let refused = DeviceConfig(name: "dock", driver: "llrp", port: .network(host: "127.0.0.1", port: 1))
        do {
            _ = try opener(refused)
            Issue.record("connected to 127.0.0.1:1")
        } catch {
            #expect(error.description == "connect(127.0.0.1:1): ECONNREFUSED (Connection refused)")
        }
        _ = try DeviceRunner(config: refused) { _, _ in }
    }

    /// The llrp driver answers each KEEPALIVE through `EventBatch.outgoing`,
    /// however the bytes are split.
    @Test func llrpDriverQueuesKeepaliveAcks() {
        let keepalive = llrpHex("043e0000000a00000007")
        let driver = LLRPDriver()
        var batch = EventBatch()
        driver.feed(Array(keepalive.prefix(4)), time: Microseconds(1), into: &batch)
        #expect(batch.outgoing.isEmpty)
        driver.feed(Array(keepalive.dropFirst(4)), time: Microseconds(2), into: &batch)
        #expect(batch.outgoing == [LLRPClientMessage.keepaliveAck(messageID: 7)])
        #expect(batch.events == [.keepalive(time: Microseconds(2))])
        #expect(driver.counters.frames == 1 && driver.counters.bytes == 10)
    }
}
