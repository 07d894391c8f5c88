import Foundation
import Testing
@testable import Devices

/// libserialport enumeration and USB matching against a fake sysfs: the
/// real `scanledger ports` binary runs under `umockdev-run` with two USB
/// serial devices (an FTDI adapter and a CDC-ACM scanner) described in
/// Fixtures/usb-serial.umockdev.
@Suite struct UmockdevTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/usb-serial.umockdev").path

    static func scanledger() throws -> String {
        // Next to the test binary first: `make tsan` builds its own scanledger
        // in .build-tsan, and that is the one its tests must run.
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let beside = exe.deletingLastPathComponent().appendingPathComponent("scanledger").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        for config in ["debug", "release"] {
            let path = root.appendingPathComponent(".build/\(config)/scanledger").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw Failure("scanledger binary not built: run `swift build --build-tests` first")
    }

    struct Failure: Error, CustomStringConvertible { let description: String; init(_ d: String) { description = d } }

    static func run(_ args: [String]) throws -> (status: Int32, out: String) {
        let umockdev = ["/usr/bin/umockdev-run", "/usr/local/bin/umockdev-run"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let umockdev else { throw Failure("umockdev-run not installed (Debian package umockdev, listed in the Makefile)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: umockdev)
        p.arguments = ["-d", fixture, "--", try scanledger()] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func listsUSBPortsWithMetadata() throws {
        let (status, out) = try Self.run(["ports", "--json"])
        #expect(status == 0)
        let rows = try out.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let byPath = Dictionary(uniqueKeysWithValues: rows.map { ($0["path"] as? String ?? "", $0) })
        let ftdi = try #require(byPath["/dev/ttyUSB0"])
        #expect(ftdi["vid_pid"] as? String == "0403:6015")
        #expect(ftdi["serial"] as? String == "DN0ABC12")
        #expect(ftdi["manufacturer"] as? String == "FTDI")
        #expect(ftdi["transport"] as? String == "usb")
        let scanner = try #require(byPath["/dev/ttyACM0"])
        #expect(scanner["vid_pid"] as? String == "0c2e:0b61")
        #expect(scanner["product"] as? String == "Xenon 1900g")
        #expect(scanner["serial"] as? String == "18296B4A21")
    }

    @Test(arguments: [
        ("usb:0403:6015", Int32(0), "/dev/ttyUSB0"),
        ("usb:0c2e:0b61+18296B4A21", 0, "/dev/ttyACM0"),
        ("usb:0c2e:0b61+WRONG", 1, ""),
        ("usb:1234:5678", 1, ""),
        ("usb:12:34", 2, ""),
    ])
    func resolvesSelectors(selector: String, status: Int32, path: String) throws {
        let (s, out) = try Self.run(["ports", "--resolve", selector])
        #expect(s == status)
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == path)
    }
}

/// `scanledger replay FILE` prints exactly the .chk for every capture.
@Suite struct ReplayCommandTests {
    @Test(arguments: Captures.logNames)
    func replayCommandPrintsTheChk(name: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try UmockdevTests.scanledger())
        p.arguments = ["replay", Captures.directory.appendingPathComponent(name + ".log").path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let chk = try String(contentsOf: Captures.directory.appendingPathComponent(name + ".chk"), encoding: .utf8)
        #expect(out == chk)
    }

    /// `replay --raw` takes the bare device stream (HID POS reports, evdev
    /// records, the LLRP reader→client bytes) and prints the same vocabulary.
    @Test(arguments: Captures.logNames(where: { ["hidpos", "evdev", "llrp"].contains($0.value("Driver") ?? "") }))
    func rawReplayOfTheNewDrivers(name: String) throws {
        let log = try Captures.load(name)
        let driverName = try #require(log.value("Driver"))
        let options = log.value("Options") ?? ""
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try UmockdevTests.scanledger())
        p.arguments = ["replay", "--driver", driverName, "--raw"] + (options.isEmpty ? [] : ["--options", options]) + ["-"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(log.deviceBytes))
        try input.fileHandleForWriting.close()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let driver = try #require(DriverRegistry.make(driverName, options: try DriverOptions(parsing: options)))
        let expected = Replay.events(raw: log.deviceBytes, driver: driver)
        #expect(out == expected.map { EventJSON.line($0) + "\n" }.joined())
        // The same reads as the timed replay (.chk), whatever the times.
        let reads = { (events: [DeviceEvent]) in events.compactMap { e -> String? in
            switch e { case .tag(let t): t.epc.hex; case .scan(let s): s.data.map(hex2).joined(); default: nil } } }
        #expect(reads(expected) == reads(Replay.events(log, driver: try Captures.driver(for: log))))
        #expect(!reads(expected).isEmpty)
    }

    @Test func usageErrorsExitTwo() throws {
        for args in [["replay", "--driver", "nope", "-"], ["replay", "--bogus"], ["ports", "--bogus"], ["capture"]] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: try UmockdevTests.scanledger())
            p.arguments = args
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 2, "\(args)")
        }
    }
}
