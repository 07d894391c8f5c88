import Foundation
import Glibc
import Testing
@testable import Devices
import ScanModel

/// The HID POS path below the decoder, for real: `umockdev-run` emulates a
/// Zebra DS4608 in HID POS mode (sysfs attributes and descriptors in
/// Fixtures/hidpos-zebra-ds4608.umockdev) and its usbdevfs node (interrupt-IN
/// URBs in Fixtures/hidpos-zebra-ds4608.ioctl, both from
/// Tests/Captures/tools/make_hidpos_umockdev.py). A child run of this test
/// binary runs the runner's default `hidpos` opener: libusb finds the device
/// by VID:PID through sysfs, opens and claims it, reads interrupt transfers
/// into the `hidpos` driver, sees the last URB fail with -ENODEV (the cable
/// pulled), reports the device disconnected and opens it again.
@Suite(.serialized) struct HIDPOSUmockdevTests {
    static let umockdevRun = EvdevUmockdevTests.umockdevRun
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let node = "/dev/bus/usb/001/007"
    static let outputVariable = "SCANLEDGER_HIDPOS_UMOCKDEV_OUTPUT"
    static let deviceVariable = "SCANLEDGER_HIDPOS_UMOCKDEV_DEVICE"

    /// Runs `filter` (a test of this suite) in a child of this test binary
    /// under umockdev-run with fixture `name` (.umockdev and .ioctl); the
    /// child opens `device` (VVVV:PPPP). Returns its status and the lines it wrote.
    static func runChild(_ filter: String, fixture name: String = "hidpos-zebra-ds4608", ioctl: String? = nil,
                         device: String = "05e0:1300") throws -> (status: Int32, lines: [String], said: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scanledger-hidpos-\(getpid())-\(filter)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.txt")
        let (status, said) = try runUnderUmockdev(
            ["-d", fixtures.appendingPathComponent(name + ".umockdev").path,
             "-i", "\(node)=\(fixtures.appendingPathComponent(ioctl ?? name + ".ioctl").path)"],
            test: "HIDPOSUmockdevTests/\(filter)", environment: [outputVariable: output.path, deviceVariable: device])
        let lines = ((try? String(contentsOf: output, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        return (status, lines, said)
    }

    /// The scans the capture holds, decoded without USB: what every
    /// connection under umockdev must deliver.
    static func expectedScans(_ capture: String = "hidpos-zebra-ds4608-normal") throws -> [String] {
        var d = HIDPOSDecoder()
        var c = EventCollector<DeviceEvent>()
        d.feed(stream: try Captures.load(capture).deviceBytes, time: .zero, into: &c)
        return c.events.compactMap { if case .scan(let s) = $0 { "scan " + s.data.map(hex2).joined() } else { nil } }
    }

    @Test(.enabled(if: umockdevRun != nil)) func libusbPathDecodesScansAndReconnectsAfterUnplug() throws {
        let (status, lines, said) = try Self.runChild("childRunsTheScannerThroughLibUSB")
        #expect(status == 0, "child under umockdev-run failed:\n\(said)")
        let scans = try Self.expectedScans()
        #expect(scans.count == 4)
        // Two whole connections: connected, the four scans, disconnected (the
        // ENODEV URB), and again after the runner reopened the device.
        let round = ["connected"] + scans + ["disconnected"]
        #expect(Array(lines.prefix(2 * round.count)) == round + round)
        // The runner said why: libusb's NO_DEVICE status reached it as a removal.
        #expect(lines.contains { $0.hasPrefix("log ") && $0.contains("device removed") })
    }

    /// A composite Honeywell 1950g (boot keyboard on interface 0, HID POS on
    /// interface 1 with IN 0x83): the opener must claim interface 1, send the
    /// redirect feature report there (the ioctl script only accepts that
    /// exact SET_REPORT) and read 0x83. The port used to claim interface 0:
    /// its SET_REPORT named interface 0 and its reads went to 0x81, neither
    /// of which the script (or a real composite scanner's HID POS side)
    /// answers, so the open failed every time.
    @Test(.enabled(if: umockdevRun != nil)) func compositeScannerIsReadOnItsHIDPOSInterface() throws {
        let (status, lines, said) = try Self.runChild("childRunsTheScannerThroughLibUSB", fixture: "hidpos-honeywell-1950g-composite", device: "0c2e:0b87")
        #expect(status == 0, "child under umockdev-run failed:\n\(said)")
        let scans = try Self.expectedScans("hidpos-honeywell-1950g-noisy")
        #expect(scans.count == 3)
        let round = ["connected"] + scans + ["disconnected"]
        let seen = lines.filter { $0 == "connected" || $0 == "disconnected" || $0.hasPrefix("scan ") }
        #expect(Array(seen.prefix(2 * round.count)) == round + round)
        // The noisy capture's broken reports arrive through libusb as problems, not crashes.
        #expect(lines.contains { $0.hasPrefix("problem ") && $0.contains("claims 60 data bytes") })
    }

    /// Feedback through libusb: the DS4608 has an interrupt-OUT endpoint, so
    /// the port writes output reports there; the script accepts exactly the
    /// good-read and error reports the driver's plans hold. (Only with reads
    /// stopped: umockdev's ioctl tree keeps one URB in flight, and a read is
    /// always queued while the device runs.) The rescan fallback
    /// (`isPresent`) finds the device by VID:PID on the same fake bus.
    @Test(.enabled(if: umockdevRun != nil)) func outputReportsGoOutOnTheInterruptEndpoint() throws {
        let (status, lines, said) = try Self.runChild("childSendsOutputReports", ioctl: "hidpos-zebra-ds4608-feedback.ioctl")
        #expect(status == 0, "child under umockdev-run failed:\n\(said)")
        let driver = try #require(DriverRegistry.make("hidpos"))
        let expected = [FeedbackOutcome.good, .error].compactMap { driver.feedbackPlan($0)?.steps.first?.bytes.map(hex2).joined() }
        #expect(lines == expected.map { "sent " + $0 } + ["refused 047F", "present true false"])
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[outputVariable] != nil))
    func childSendsOutputReports() throws {
        let out = try #require(ProcessInfo.processInfo.environment[Self.outputVariable])
        let port = try LibUSBHIDPOSPort(vendorID: 0x05E0, productID: 0x1300)
        defer { port.close() }
        try #require(port.endpoints.output == 0x02)
        var lines: [String] = []
        for report: [UInt8] in [[0x04, 0x40], [0x04, 0x20], [0x04, 0x7F]] {
            let hex = report.map(hex2).joined()
            do { try port.sendOutputReport(report); lines.append("sent " + hex) } catch { lines.append("refused " + hex) }
        }
        // The rescan fallback enumerates the same fake bus by VID:PID.
        let present = [0x1300, 0x9999].map { HIDPOSHotplugWatcher.isPresent(vendorID: 0x05E0, productID: UInt16($0)) }
        lines.append("present \(present[0]) \(present[1])")
        try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
    }

    /// Runs only inside umockdev-run, started by the tests above.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[outputVariable] != nil))
    func childRunsTheScannerThroughLibUSB() throws {
        let out = try #require(ProcessInfo.processInfo.environment[Self.outputVariable])
        let ids = try #require(ProcessInfo.processInfo.environment[Self.deviceVariable]).split(separator: ":").compactMap { UInt16($0, radix: 16) }
        try #require(ids.count == 2)
        var config = DeviceConfig(name: "pack-hidpos", driver: "hidpos", port: .usb(vendor: ids[0], product: ids[1], serial: nil))
        config.backoffInitial = .milliseconds(20)
        config.backoffMax = .milliseconds(100)
        config.pollMilliseconds = 20
        let log = EventLog()
        let messages = MessageLog()
        let runner = try DeviceRunner(config: config, logger: messages) { _, batch in log.add(batch) }
        runner.start()
        let disconnects = { log.all.filter { if case .disconnected = $0 { true } else { false } }.count }
        let finished = waitUntil { disconnects() >= 2 }
        runner.stop()
        #expect(finished, "saw \(log.all.count) events; log: \(messages.lines)")
        let lines = log.all.compactMap { e -> String? in
            switch e {
            case .connected: "connected"
            case .disconnected: "disconnected"
            case .scan(let s): "scan " + s.data.map(hex2).joined()
            case .problem(let p): "problem \(p.message)"
            default: nil
            }
        } + messages.lines.map { "log " + $0 }
        try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
    }
}

/// Keeps what the runner logs, so the child can show why it reconnected.
final class MessageLog: DeviceLogger, @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [String] = []
    func log(_ level: LogLevel, device: String, _ message: String) { lock.lock(); kept.append("\(level) \(message)"); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return kept }
}
