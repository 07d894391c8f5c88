import Foundation
import Testing
import ScanModel
@testable import Devices

@Suite struct CaptureLogTests {
    @Test func roundTripsRecordsAndHeader() throws {
        let text = """
        # Name: X
        # Serial: 9600 8N1
        1763830000.5 ! connect
        1763830000.250000 < FF 00 22 04 00 84 E0 # keepalive
        1763830001.000001 > "CS: .iv\\r\\n\\x1b\\"q\\\\"

        """
        let log = try CaptureLog.parse(text)
        #expect(log.value("Name") == "X")
        #expect(log.records.count == 3)
        #expect(log.records[0].time == Microseconds(1763830000_500000))
        #expect(log.records[1].bytes == [0xFF, 0x00, 0x22, 0x04, 0x00, 0x84, 0xE0])
        #expect(log.records[2].bytes == Array("CS: .iv\r\n\u{1B}\"q\\".utf8))
        #expect(try CaptureLog.parse(log.render()) == log)
    }

    @Test(arguments: [
        ("abc < FF", 1, "timestamp"),
        ("1.0 ? FF", 1, "direction"),
        ("1.0 < FG", 1, "payload"),
        ("1.0 < \"unterminated", 1, "payload"),
        ("1.0 ! reboot", 1, "event"),
        ("# Name: a\n1.1234567 < 00", 2, "timestamp"),
    ])
    func reportsFileAndLine(text: String, line: Int, mentions: String) {
        #expect {
            try CaptureLog.parse(text, file: "t.log")
        } throws: { error in
            guard case DeviceError.captureFormat(let file, let l, let message) = error else { return false }
            return file == "t.log" && l == line && message.contains(mentions)
        }
    }
}

@Suite struct SerialSettingsTests {
    @Test func parsesCommonForms() throws {
        #expect(try SerialSettings(parsing: "9600") == SerialSettings(baud: 9600))
        #expect(try SerialSettings(parsing: "115200 7E2 rtscts") == SerialSettings(baud: 115200, dataBits: 7, parity: .even, stopBits: 2, flow: .rtscts))
        #expect(try SerialSettings(parsing: "57600 8n1").description == "57600 8N1")
        #expect(SerialSettings(baud: 115200).bytesPerSecond == 11520)
    }

    @Test(arguments: ["", "9601", "fast", "9600 9N1", "9600 8X1", "9600 8N3", "9600 8N1 carrier-pigeon"])
    func rejectsNonsense(text: String) {
        #expect(throws: DeviceError.self) { try SerialSettings(parsing: text) }
    }
}

@Suite struct PortSelectorTests {
    let ports = [
        SerialPortInfo(path: "/dev/ttyACM0", transport: "usb", usbVendorID: 0x0c2e, usbProductID: 0x0b61, serialNumber: "A1"),
        SerialPortInfo(path: "/dev/ttyACM1", transport: "usb", usbVendorID: 0x0c2e, usbProductID: 0x0b61, serialNumber: "B2"),
        SerialPortInfo(path: "/dev/ttyUSB0", transport: "usb", usbVendorID: 0x0403, usbProductID: 0x6015, serialNumber: "FT1"),
    ]

    @Test func matchesByVidPidAndSerial() throws {
        #expect(try PortSelector(parsing: "usb:0403:6015").resolve(in: ports) == "/dev/ttyUSB0")
        #expect(try PortSelector(parsing: "usb:0C2E:0B61+B2").resolve(in: ports) == "/dev/ttyACM1")
    }

    @Test func ambiguousOrMissingMatchesAreErrors() throws {
        #expect(throws: DeviceError.self) { try PortSelector(parsing: "usb:0c2e:0b61").resolve(in: ports) }
        #expect(throws: DeviceError.notFound("usb:1234:5678")) { try PortSelector(parsing: "usb:1234:5678").resolve(in: ports) }
        #expect(throws: DeviceError.notFound("usb:0c2e:0b61+ZZ")) { try PortSelector(parsing: "usb:0c2e:0b61+ZZ").resolve(in: ports) }
    }

    @Test(arguments: ["ttyUSB0", "usb:0c2e", "usb:c2e:b61", "usb:0c2e:0bXY", "usb:"])
    func rejectsMalformedSelectors(text: String) {
        #expect(throws: DeviceError.self) { try PortSelector(parsing: text) }
    }

    @Test func driverOptionsParse() throws {
        let o = try DriverOptions(parsing: "stx-etx strip-prefix=2A max-line=100 read-rate=300")
        #expect(o.line.stxEtx && o.line.stripPrefix == [0x2A] && o.line.maxLength == 100 && o.mercury.expectedReadRate == 300)
        #expect(throws: DeviceError.self) { try DriverOptions(parsing: "strip-prefix=2") }
        #expect(throws: DeviceError.self) { try DriverOptions(parsing: "turbo") }
    }
}

@Suite struct ByIDLinkTests {
    /// /dev/serial/by-id entries are symlinks; the listing maps each real
    /// device to the links that name it, and a path selector resolves a link
    /// to its target at every (re)connect.
    @Test func mapsLinksToTheirTargets() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scanledger-byid-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("usb-Honeywell_Xenon_1900g_18296B4A21-if00").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/null")
        #expect(SerialPorts.byIDLinks(in: dir.path) == ["/dev/null": [link]])
        #expect(try PortSelector(parsing: link).resolve(in: []) == "/dev/null")
        #expect(SerialPorts.byIDLinks(in: "/nonexistent").isEmpty)
    }
}

/// Each driver takes its own options: a word another driver takes is an
/// error naming the option, the driver and what it does take.
@Suite struct DriverOptionsPerDriverTests {
    @Test func aMercuryReaderRejectsAKeyboardLayout() {
        do {
            _ = try DriverOptions(parsing: "layout=de", driver: "mercury")
            Issue.record("mercury accepted layout=de")
        } catch {
            #expect(error.description == "unknown option 'layout' for driver mercury (known: read-rate=N, gpo=N)")
        }
    }

    @Test func eachDriverAcceptsItsOwnOptions() throws {
        #expect(try DriverOptions(parsing: "layout=de gs-substitute=7C", driver: "evdev").evdev.gsSubstitute == 0x7C)
        #expect(try DriverOptions(parsing: "read-rate=300", driver: "mercury").mercury.expectedReadRate == 300)
        #expect(try DriverOptions(parsing: "max-line=100", driver: "tsl").tsl.maxLineLength == 100)
        #expect(try DriverOptions(parsing: "stx-etx strip-prefix=2A", driver: "line").line.stripPrefix == [0x2A])
        #expect(try DriverOptions(parsing: "keepalive=2000", driver: "llrp").reader.keepaliveMilliseconds == 2000)
        #expect(throws: DeviceError.self) { try DriverOptions(parsing: "stx-etx", driver: "hidpos") }
        #expect(throws: DeviceError.self) { try DriverOptions(parsing: "read-rate=300", driver: "line") }
        #expect(throws: DeviceError.self) { try DriverOptions(parsing: "layout=xx", driver: "evdev") }
        #expect(throws: DeviceError.self) { try DriverOptions(parsing: "", driver: "nope") }
    }

    @Test func everyDriverIsOneRegistryEntryWithItsTransport() {
        #expect(DriverRegistry.names == ["line", "mercury", "tsl", "hidpos", "evdev", "llrp", "ssi"])
        #expect(DriverRegistry.entry("llrp")?.transport == .tcp)
        #expect(DriverRegistry.entry("evdev")?.transport == .evdev)
        #expect(DriverRegistry.entry("hidpos")?.transport == .hidpos)
        #expect(DriverRegistry.entry("mercury")?.transport == .serial)
    }
}
