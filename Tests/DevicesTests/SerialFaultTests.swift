import Foundation
import Testing
import ScanModel
@testable import Devices

/// Issue 18, "device misbehaviour": a device that vanishes mid-frame, comes
/// back under another tty name, or is read at the wrong line speed.
@Suite struct GarbleWatchTests {
    static func feed(_ driver: any DeviceDriver, _ bytes: [UInt8], chunk: Int = 64) -> [DeviceEvent] {
        var batch = EventBatch(), out: [DeviceEvent] = []
        var i = 0
        while i < bytes.count {
            driver.feed(Array(bytes[i..<min(bytes.count, i + chunk)]), time: Microseconds(Int64(i)), into: &batch)
            out += batch.events; batch.removeAll()
            i += chunk
        }
        return out
    }

    static func garbled(_ events: [DeviceEvent]) -> [DeviceProblem] {
        events.compactMap { if case .problem(let p) = $0, p.kind == .garbled { return p }; return nil }
    }

    static func scans(_ events: [DeviceEvent]) -> [String] {
        events.compactMap { if case .scan(let s) = $0 { return String(decoding: s.data, as: UTF8.self) }; return nil }
    }

    /// A 9600 scanner read at 115200: every frame the host samples lies in
    /// one low bit, so it reads NULs (Tests/Captures/tools/wrong_baud.py).
    @Test func nulsAtTheWrongSpeedAreReportedOnceAndAValidLineClearsThem() {
        let driver = LineDriver(options: DriverOptions())
        let events = Self.feed(driver, [UInt8](repeating: 0, count: 1200))
        let problems = Self.garbled(events)
        #expect(problems.count == 1)
        #expect(problems.first?.message == "no valid frame in 512 bytes, 100 % non-text: wrong baud rate?")
        #expect(problems.first?.offset == 0 && problems.first?.length == 512)
        #expect(driver.garbled == "no valid frame in 512 bytes, 100 % non-text")
        // The NULs held no line end: the first line at the right speed is
        // dropped with them, the next one counts and clears the verdict.
        let after = Self.feed(driver, Array("]E00614141999990\r\n]E00416000336108\r\n".utf8))
        #expect(Self.scans(events + after) == ["]E00416000336108"])
        #expect(driver.garbled == nil)
    }

    /// A line that happens to end between garbage bytes is not a scan while
    /// the stream looks garbled, even when it holds no control byte.
    @Test func aHighByteLineWhileGarbledIsDroppedAndAPlainOneIsAScan() {
        let driver = LineDriver(options: DriverOptions())
        _ = Self.feed(driver, [UInt8](repeating: 0xF8, count: 600) + [0x0D])
        #expect(driver.garbled != nil)
        let events = Self.feed(driver, [0xF8, 0xE0, 0x41, 0x0D] + Array("0614141000012\r".utf8))
        #expect(Self.scans(events) == ["0614141000012"])
        #expect(events.contains { if case .problem(let p) = $0 { return p.kind == .binaryNoise && p.message.contains("while the stream looks garbled") }; return false })
        #expect(driver.garbled == nil)
    }

    /// A 19200 scanner read at 9600 (wrong_baud.py's sampler): mostly
    /// printable bytes, but no line end for thousands of bytes.
    @Test func printableBytesWithoutALineEndAreGarbledOnceTheLineOverflows() {
        let pattern: [UInt8] = [0xDA, 0x6D, 0x6D, 0x4D, 0x9A, 0x9A, 0x7A, 0xDA, 0x6D, 0x6D, 0x4D, 0x9A, 0x9A, 0x3D, 0x49, 0x55, 0x51, 0x51, 0x51, 0x51, 0x51]
        let driver = LineDriver(options: DriverOptions())
        let events = Self.feed(driver, Array((0..<300).flatMap { _ in pattern }))
        #expect(Self.scans(events).isEmpty)
        let message = Self.garbled(events).first?.message ?? ""
        #expect(message.hasPrefix("no valid frame in ") && message.hasSuffix("% non-text, no line end: wrong baud rate?"), "\(message)")
    }

    /// Noise between valid scans is a noisy device, not a wrong speed.
    @Test func noiseBetweenValidLinesIsNotGarbled() {
        let driver = LineDriver(options: DriverOptions())
        let noisy = (0..<20).flatMap { _ in [UInt8](repeating: 0, count: 60) + [0x0D] + Array("0614141000012\r".utf8) }
        let events = Self.feed(driver, noisy)
        #expect(Self.garbled(events).isEmpty)
        #expect(Self.scans(events).count == 20)
    }

    @Test func mercuryWithOnlyChecksumFailuresIsGarbledUntilAGoodFrame() {
        let driver = MercuryDriver(options: DriverOptions())
        var bad = MercuryTests.record(epc: MercuryTests.epc96)
        bad[bad.count - 1] ^= 0xFF
        let events = Self.feed(driver, Array((0..<20).flatMap { _ in bad }))
        let message = Self.garbled(events).first?.message ?? ""
        #expect(message.hasPrefix("no valid frame in ") && message.contains("checksum failures): wrong baud rate?"), "\(message)")
        #expect(driver.garbled != nil)
        _ = Self.feed(driver, MercuryTests.record(epc: MercuryTests.epc96))
        #expect(driver.garbled == nil)
    }

    /// An SSI scanner at 9600 read at 115200: NULs, never a packet. Before,
    /// the scanner stayed "up" while every scan was lost; now it is
    /// degraded once, and the first valid packet clears it.
    @Test func ssiWithoutAValidPacketIsGarbledUntilOne() {
        let driver = SSIDriver(options: DriverOptions())
        let events = Self.feed(driver, [UInt8](repeating: 0, count: 1200))
        let problems = Self.garbled(events)
        #expect(problems.count == 1)
        #expect(problems.first?.message == "no valid frame in 512 bytes: wrong baud rate?")
        #expect(driver.garbled != nil)
        let after = Self.feed(driver, SSITests.decode(0x0B, "5901234123457"))
        #expect(after.contains { if case .scan = $0 { return true }; return false })
        #expect(driver.garbled == nil)
    }

    @Test func tslWithoutAReplyLineIsGarbled() {
        let driver = TSLDriver(options: DriverOptions())
        let events = Self.feed(driver, [UInt8](repeating: 0x80, count: 700))
        #expect(Self.garbled(events).count == 1)
        _ = Self.feed(driver, Array("\r\nOK:\r\n".utf8))
        #expect(driver.garbled == nil)
    }
}

@Suite struct SerialByIDTests {
    static func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scanledger-by-id-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// udev's 60-serial.rules: usb-$ID_VENDOR_$ID_MODEL_$ID_SERIAL_SHORT-if$ID_USB_INTERFACE_NUM[-port$N].
    @Test func udevLinkNamesAreMatchedByTheirSerialNumber() {
        #expect(SerialPorts.byIDName("usb-Honeywell_Imaging___Mobility_1900_12345678-if00", hasSerial: "12345678"))
        #expect(!SerialPorts.byIDName("usb-Honeywell_Imaging___Mobility_1900_12345678-if00", hasSerial: "2345678"))
        #expect(SerialPorts.byIDName("usb-FTDI_FT232R_USB_UART_A1B2C3-if00-port0", hasSerial: "A1B2C3"))
        #expect(SerialPorts.byIDName("usb-Acme_Scanner_SN_12_34-if00", hasSerial: "SN 12/34"))
        #expect(!SerialPorts.byIDName("pci-0000:00:14.0-usb-0:2:1.0", hasSerial: "0"))
    }

    @Test func aUSBSelectorIsFoundThroughTheByIDDirectoryAndFollowsItsLink() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("usb-Honeywell_Imaging___Mobility_1900_12345678-if00").path
        let a = try FakeReader(), b = try FakeReader()
        defer { a.hangUp(); b.hangUp() }
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: a.path)
        let selector = try PortSelector(parsing: "usb:0c2e:0b61+12345678")
        #expect(try SerialPorts.resolve(selector, byIDDirectory: dir.path) == a.path)
        try FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: b.path)
        #expect(try SerialPorts.resolve(selector, byIDDirectory: dir.path) == b.path)

        #expect(throws: DeviceError.notFound("usb:0c2e:0b61+87654321 (nor does any link in \(dir.path) end in _87654321-ifNN)")) {
            try SerialPorts.resolve(try PortSelector(parsing: "usb:0c2e:0b61+87654321"), byIDDirectory: dir.path)
        }
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("usb-Other_Scanner_12345678-if00").path, withDestinationPath: a.path)
        #expect(throws: DeviceError.self) { try SerialPorts.resolve(selector, byIDDirectory: dir.path) }
    }

    /// Issue 18, "plain-path devices found again only at the same path":
    /// a scanner configured as its tty (`/dev/ttyUSB0`) is replugged and
    /// comes back under another name while the old one is gone (or taken by
    /// another device). Before, the runner retried the old path for ever;
    /// now it follows the by-id link it saw at the first connection.
    @Test func aDeviceConfiguredByItsTTYIsFollowedThroughItsByIDLink() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("usb-Honeywell_Imaging___Mobility_1900_12345678-if00").path
        let a = try FakeReader()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: a.path)
        var config = DeviceConfig(name: "dock-scanner", driver: "line", port: .path(a.path))
        config.serialByIDDirectory = dir.path
        config.backoffInitial = .milliseconds(10)
        config.backoffMax = .milliseconds(50)
        config.pollMilliseconds = 20
        let events = EventLog(), log = MemoryDeviceLog()
        let runner = try DeviceRunner(config: config, logger: log) { _, b in events.add(b) }
        runner.start()
        defer { runner.stop() }
        #expect(waitUntil { runner.isConnected })
        #expect(log.lines.contains { $0.contains("is \(link): following the device") }, "\(log.lines)")
        // Replugged: the new tty exists before the old one is gone, so the
        // kernel cannot hand the old number out again during the test.
        let b = try FakeReader()
        defer { b.hangUp() }
        try FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: b.path)
        a.hangUp()
        #expect(waitUntil { events.kinds.filter { $0 == "connected" }.count == 2 }, "not found again: \(log.lines.suffix(3))")
        b.send(Array("0614141000012\r".utf8))
        #expect(waitUntil { events.all.contains { if case .scan(let s) = $0 { return s.data == Array("0614141000012".utf8) }; return false } })
        #expect(log.lines.contains { $0.contains("again at \(b.path)") }, "\(log.lines)")
    }

    /// The test double behind every pty test: a hung-up reader's number
    /// stays taken, so it is never the next pty's. Before, it was freed (the
    /// kernel then hands out the lowest free number), and a runner still
    /// retrying the old path opened the new pty of whatever test came next
    /// and took its bytes: the load-only "waited 30 s for an answer"
    /// failures. The kernel frees a number when no descriptor refers to the
    /// pty any more, so that is what is checked (other tests in this process
    /// open ptys at the same time, so which number comes next is not).
    @Test func aHungUpReadersNumberStaysTaken() throws {
        let a = try FakeReader()
        let old = a.path
        a.hangUp()
        #expect(PtyNumbers.held(old), "no descriptor holds \(old): its number goes to the next pty")
    }
}
