import Foundation
import Testing
import ScanModel
@testable import Devices

/// The simulator is what the demo and the daemon tests stand on: what it
/// writes must be what the real drivers parse, through a real pty.
@Suite(.serialized) struct SimulatedDeviceTests {
    /// Reads from the slave side through the field transport until `events`
    /// has `expected` tags/scans or two seconds pass.
    func collect(_ sim: SimulatedDevice, driver name: String, expected: Int,
                 _ act: () throws -> Void) throws -> [DeviceEvent] {
        let transport = try TermiosTransport(path: sim.path, settings: try SerialSettings(parsing: "115200 8N1"))
        defer { transport.close() }
        let driver = try #require(DriverRegistry.make(name))
        try act()
        var batch = EventBatch()
        var found: [DeviceEvent] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + .seconds(2)
        while found.count < expected && ContinuousClock.now < deadline {
            let n = try buffer.withUnsafeMutableBytes { try transport.read(into: $0, timeoutMs: 50) }
            guard n > 0 else { continue }
            driver.feed(Array(buffer[0..<n]), time: .zero, into: &batch)
            found += batch.events.filter { if case .tag = $0 { true } else if case .scan = $0 { true } else { false } }
            batch.removeAll()
        }
        return found
    }

    @Test func mercuryRecordsDecodeToTheSameTags() throws {
        let sim = try SimulatedDevice(name: "shelf", kind: .mercury)
        let epcs = ["3074257BF7194E4000001A85", "E28011606000020D4A6A1C35"].compactMap { EPC(hex: $0) }
        let events = try collect(sim, driver: "mercury", expected: 2) {
            try sim.keepalive()
            try sim.tags(epcs, antenna: 2, rssi: -61, count: 3)
        }
        let reads = events.compactMap { if case .tag(let t) = $0 { t } else { nil } }
        #expect(reads.map(\.epc) == epcs)
        #expect(reads.allSatisfy { $0.antenna == 2 && $0.rssi == -61 && $0.count == 3 })
    }

    @Test func tslInventoryAndBarcode() throws {
        let sim = try SimulatedDevice(name: "handheld", kind: .tsl)
        let epc = try #require(EPC(hex: "3074257BF7194E4000001A85"))
        let events = try collect(sim, driver: "tsl", expected: 2) {
            try sim.tags([epc], rssi: -48)
            try sim.scan(Array("]C100106141411234567897".utf8))
        }
        let reads = events.compactMap { if case .tag(let t) = $0 { t } else { nil } }
        let scans = events.compactMap { if case .scan(let s) = $0 { String(decoding: s.data, as: UTF8.self) } else { nil } }
        #expect(reads.map(\.epc) == [epc])
        #expect(reads.first?.rssi == -48)
        #expect(scans == ["]C100106141411234567897"])
    }

    @Test func lineScannerSendsOneScanPerBarcode() throws {
        let sim = try SimulatedDevice(name: "dock", kind: .line)
        let events = try collect(sim, driver: "line", expected: 2) {
            try sim.scan(Array("ASN:ASN-1001".utf8))
            try sim.scan(Array("]C10109501101020917\u{1D}10LOT7".utf8))
        }
        let scans = events.compactMap { if case .scan(let s) = $0 { s.data } else { nil } }
        #expect(scans == [Array("ASN:ASN-1001".utf8), Array("]C10109501101020917\u{1D}10LOT7".utf8)])
    }

    @Test func knowsWhenTheHostHasThePortOpen() throws {
        let sim = try SimulatedDevice(name: "dock", kind: .line)
        #expect(sim.waitUntilOpened(timeout: .milliseconds(100)) == false)
        let transport = try TermiosTransport(path: sim.path, settings: try SerialSettings(parsing: "9600 8N1"))
        defer { transport.close() }
        #expect(sim.waitUntilOpened(timeout: .seconds(2)))
    }

    @Test func refusesWhatTheDeviceCannotDo() throws {
        let scanner = try SimulatedDevice(name: "dock", kind: .line)
        #expect(throws: SimulationError.self) { try scanner.tags([EPC(hex: "30")!]) }
        let reader = try SimulatedDevice(name: "shelf", kind: .mercury)
        #expect(throws: SimulationError.self) { try reader.scan([0x31]) }
        #expect(throws: SimulationError.self) { try reader.trigger(pressed: true) }
    }
}

@Suite struct ScenarioTests {
    @Test func parsesEveryStep() throws {
        let s = try Scenario.parse("""
        # a comment
        device dock line
        device shelf mercury
        open dock 2.5
        scan dock ]C10109501101020917\\x1d10LOT 7
        tags shelf 3074257BF7194E4000001A85,3000 antenna=2 rssi=-70 count=4 repeat=3
        keepalive shelf
        sleep 0.25
        say Receiving ASN-1001
        """, file: "day.txt")
        #expect(s.lines.map(\.number) == [2, 3, 4, 5, 6, 7, 8, 9])
        #expect(s.lines[2].step == .open("dock", seconds: 2.5))
        #expect(s.lines[3].step == .scan("dock", Array("]C10109501101020917\u{1D}10LOT 7".utf8)))
        #expect(s.lines[4].step == .tags("shelf", [EPC(hex: "3074257BF7194E4000001A85")!, EPC(hex: "3000")!],
                                          antenna: 2, rssi: -70, count: 4, repeats: 3))
        #expect(s.lines[7].step == .say("Receiving ASN-1001"))
    }

    @Test(arguments: [
        ("scan dock X", "day.txt:1: device 'dock' is not declared above"),
        ("device dock printer", "day.txt:1: device NAME line|mercury|tsl, or device NAME llrp [PORT]"),
        ("device dock line 5084", "day.txt:1: only an llrp device takes a port (1…65535)"),
        ("device r llrp 70000", "day.txt:1: only an llrp device takes a port (1…65535)"),
        ("device a line\ndevice a tsl", "day.txt:2: device 'a' declared twice"),
        ("device a mercury\ntags a 3074 rssi=loud", "day.txt:2: rssi is a dBm value such as -55"),
        ("device a mercury\ntags a 307", "day.txt:2: '307' is not an EPC in whole hex bytes"),
        ("device a line\nscan a bad\\q", "day.txt:2: unknown escape \\q"),
        ("sleep forever", "day.txt:1: 'forever' is not a number of seconds (0…3600)"),
        ("dance", "day.txt:1: unknown step 'dance' (device, open, scan, tags, trigger, keepalive, sleep, say)"),
    ])
    func errorsNameFileAndLine(text: String, message: String) {
        #expect(throws: SimulationError(message)) { try Scenario.parse(text, file: "day.txt") }
    }

    /// `device NAME llrp`: an emulated reader on loopback; `open` waits for a
    /// client's ROSpec, `tags` become RO_ACCESS_REPORTs the real client decodes.
    @Test func anLLRPReaderInAScenarioFeedsARealClient() throws {
        let s = try Scenario.parse("device portal llrp\nopen portal 20\ntags portal 3074257BF7194E4000001A85 antenna=2 repeat=2", file: "t")
        #expect(s.lines[0].step == .device("portal", .llrp, port: 0))
        let box = EmulatorEventBox()
        let started = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var runner: DeviceRunner?
        let player = ScenarioPlayer(file: "t", created: { device in
            #expect(device.kind == .llrp && device.path.hasPrefix("127.0.0.1:"))
            let address = try #require(LLRPReaderConfig.parseAddress(device.path))
            var options = DriverOptions(device: DeviceIndex(1))
            options.reader = LLRPReaderConfig(host: address.host)
            options.reader.port = address.port
            let config = DeviceConfig(name: "portal", driver: "llrp", port: .network(host: address.host, port: address.port), options: options)
            let r = try DeviceRunner(config: config, logger: SilentLogger()) { _, b in box.add(b) }
            runner = r
            r.start()
            started.signal()
        }, say: { _ in })
        for line in s.lines { try player.perform(line) }
        _ = started.wait(timeout: .now() + 5)
        #expect(waitUntil { box.tags.count == 2 })
        #expect(box.tags.allSatisfy { $0.antenna == 2 && $0.epc == EPC(hex: "3074257BF7194E4000001A85") })
        runner?.stop()
        // Barcodes and triggers are not an RFID reader's.
        let reader = try SimulatedDevice(name: "r", kind: .llrp)
        #expect(throws: SimulationError.self) { try reader.scan(Array("X".utf8)) }
        #expect(throws: SimulationError.self) { try reader.tags([EPC(hex: "3000")!]) } // nobody inventorying
    }

    @Test func openTimesOutWithAClearError() throws {
        let s = try Scenario.parse("device a line\nopen a 0.1", file: "t")
        #expect(throws: SimulationError.self) { try s.run(created: { _ in }, say: { _ in }) }
    }
}

extension SimulationError: Equatable {
    public static func == (a: SimulationError, b: SimulationError) -> Bool { a.description == b.description }
}
