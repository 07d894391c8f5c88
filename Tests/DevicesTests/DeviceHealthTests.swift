import Foundation
import Testing
import ScanModel
@testable import Devices

/// What a runner says about its device when the device misbehaves: down
/// with the likely cause when it vanishes (mid-frame), up again where it
/// comes back, degraded while it is read at the wrong speed.
@Suite(.serialized) struct DeviceHealthTests {
    static func runner(_ port: PortSelector, serial: String = "115200 8N1", log: EventLog, logger: RecordingLogger) throws -> DeviceRunner {
        var config = DeviceConfig(name: "dock-1", driver: "line", port: port, serial: try SerialSettings(parsing: serial))
        config.backoffInitial = .milliseconds(20)
        config.backoffMax = .milliseconds(100)
        config.pollMilliseconds = 20
        return try DeviceRunner(config: config, logger: logger) { _, batch in log.add(batch) }
    }

    static func scans(_ log: EventLog) -> [String] {
        log.all.compactMap { if case .scan(let s) = $0 { return String(decoding: s.data, as: UTF8.self) }; return nil }
    }

    @Test func vanishingMidFrameIsDownWithTheCutAndUpAgainAtTheNewPath() throws {
        let dir = try SerialByIDTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("usb-Honeywell_Imaging___Mobility_1900_12345678-if00").path
        let first = try FakeReader()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: first.path)
        let log = EventLog(), logger = RecordingLogger()
        let runner = try Self.runner(.path(link), log: log, logger: logger)
        #expect(runner.health.state == .down && runner.health.reason == "not opened yet")
        runner.start()
        defer { runner.stop() }
        #expect(waitUntil { runner.health.state == .up })

        first.send(Array("ASN-10".utf8))             // no terminator: a frame cut short
        #expect(waitUntil { runner.counters.bytes == 6 })
        let second = try FakeReader()                // opened first, so its name differs
        try FileManager.default.removeItem(atPath: link)   // as udev does when the device goes
        first.hangUp()
        #expect(waitUntil { runner.health.state == .down })
        // Retries that find nothing keep the cause and add what they found.
        let reason = runner.health.reason ?? ""
        #expect(reason.hasPrefix("device vanished (") && reason.contains(") mid-frame, 6 bytes of an unfinished frame discarded"), "\(reason)")
        #expect(logger.all.contains { $0.contains(": device vanished (") && $0.contains(" mid-frame, 6 bytes of an unfinished frame discarded; retrying in ") })
        #expect(waitUntil { runner.health.reason?.contains("; not back yet: ") == true })

        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: second.path)
        #expect(waitUntil { runner.health.state == .up })
        #expect(logger.all.contains { $0.hasSuffix("found \(link) again at \(second.path) (was \(first.path))") }, "\(logger.all)")
        second.send(Array("0614141000012\r".utf8))
        #expect(waitUntil { runner.counters.scans == 1 })
        #expect(Self.scans(log) == ["0614141000012"])   // "ASN-10" never became a scan
        second.hangUp()
    }

    @Test func wrongSpeedIsDegradedNamingTheSettingsAndAValidLineRecovers() throws {
        let reader = try FakeReader()
        let log = EventLog(), logger = RecordingLogger()
        let runner = try Self.runner(.path(reader.path), serial: "9600 8N1", log: log, logger: logger)
        runner.start()
        defer { runner.stop(); reader.hangUp() }
        #expect(waitUntil { runner.health.state == .up })
        reader.send([UInt8](repeating: 0, count: 600))
        #expect(waitUntil { runner.health.state == .degraded })
        let reason = runner.health.reason ?? ""
        #expect(reason.hasPrefix("no valid frame in ") && reason.hasSuffix(" % non-text: wrong baud rate? configured 9600 8N1"), "\(reason)")
        #expect(logger.all.contains { $0.contains("degraded: " + reason) })
        reader.send(Array("\r0614141000012\r".utf8))
        #expect(waitUntil { runner.health.state == .up })
        #expect(Self.scans(log) == ["0614141000012"])
        #expect(runner.isConnected)
    }
}
