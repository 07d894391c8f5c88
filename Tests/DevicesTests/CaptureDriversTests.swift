import Foundation
import Glibc
import Testing
import ScanModel
@testable import Devices

/// `scanledger capture` for devices that are not serial lines: LLRP readers
/// (recorded from the loopback emulator, then replayed), evdev keyboards
/// (under umockdev-run) and HID POS scanners (through the libusb seam).
@Suite struct CaptureDriversTests {
    static let epcs = ["3074257BF7194E4000001A85", "3074257BF7194E4000001A86", "300833B2DDD9014000000001"]

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `scanledger` with `args`; `whileRunning` is called once it started.
    static func scanledger(_ args: [String], under wrapper: [String] = [], whileRunning: (Process) throws -> Void = { _ in }) throws -> Run {
        let p = Process()
        let binary = try UmockdevTests.scanledger()
        p.executableURL = URL(fileURLWithPath: wrapper.first ?? binary)
        p.arguments = wrapper.isEmpty ? args : Array(wrapper.dropFirst()) + ["--", binary] + args
        let err = Pipe()
        p.standardError = err
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        var thrown: (any Error)? = nil
        do { try whileRunning(p) } catch { thrown = error; p.interrupt() }
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if let thrown { throw thrown }
        return Run(status: p.terminationStatus, stdout: printed, stderr: said)
    }

    static func temporaryLog(_ tag: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scanledger-capture-\(tag)-\(getpid()).log")
    }

    /// A session against the emulator, stopped with Ctrl-C: the log replays
    /// to exactly the tags the reader reported, the conversation replay
    /// finds every recorded message where the session sends it, and the
    /// clean stop (CLOSE_CONNECTION and its response) is in the log.
    @Test func llrpSessionFromTheEmulatorReplaysToTheSameReads() throws {
        let reader = try LLRPReaderEmulator()
        defer { reader.stop() }
        let out = Self.temporaryLog("llrp")
        defer { try? FileManager.default.removeItem(at: out) }
        let words = "preset=cycle-count antennas=1,2 report=tags:1"
        let run = try Self.scanledger(["capture", "--llrp", reader.address, "--options", words, "--name", "emulator",
                                       "--seconds", "50", "-o", out.path]) { p in
            try #require(reader.waitUntilInventorying(timeout: 40), "capture never started the ROSpec")
            #expect(reader.report([try #require(EPC(hex: Self.epcs[0])), try #require(EPC(hex: Self.epcs[1]))], antenna: 1, rssi: -50))
            #expect(reader.report([try #require(EPC(hex: Self.epcs[2]))], antenna: 2, rssi: -61))
            p.interrupt()
        }
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("\(reader.address)"))
        #expect(reader.snapshot.closeConnections == 1)

        let text = try String(contentsOf: out, encoding: .utf8)
        let log = try CaptureLog.parse(text, file: out.path)
        for key in CaptureLog.requiredKeys { #expect(log.value(key) != nil, "missing \(key)") }
        #expect(log.value("Name") == "emulator")
        #expect(log.value("Interface") == "TCP \(reader.port) (LLRP 1.0.1)")
        #expect(log.value("Driver") == "llrp")
        #expect(log.value("Config") == words)
        #expect(log.value("Source")?.hasPrefix("recorded on hardware from \(reader.address)") == true)

        // The clean stop: "! stop", then CLOSE_CONNECTION out, its response in.
        let stopAt = try #require(log.records.firstIndex { $0.direction == .event && $0.event == "stop" })
        let after = log.records[stopAt...]
        #expect(after.contains { $0.direction == .toDevice && Self.messageType($0.bytes) == LLRPMessageType.closeConnection })
        #expect(after.contains { $0.direction == .fromDevice && $0.bytes.count >= 2 && Self.containsMessage($0.bytes, LLRPMessageType.closeConnectionResponse) })
        #expect(log.records.filter { $0.direction == .event }.map(\.event) == ["stop"])

        // `scanledger replay FILE` (the CLI, `# Driver:` picks llrp): the reads.
        let replay = try Self.scanledger(["replay", out.path])
        #expect(replay.status == 0)
        let tags = replay.stdout.split(separator: "\n").compactMap { line -> [String: Any]? in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["type"] as? String == "tag" else { return nil }
            return o
        }
        #expect(tags.compactMap { $0["epc"] as? String } == Self.epcs)
        #expect(tags.compactMap { $0["antenna"] as? Int } == [1, 1, 2])
        #expect(tags.compactMap { $0["rssi"] as? Int } == [-50, -50, -61])

        // The session, replayed in the log's time, sends exactly the recorded messages.
        var conversation = LLRPConversationReplay(config: try llrpConfig(from: log))
        let steps = llrpSteps(log, lineNumbers: Array(1...log.records.count))
        conversation.run(steps)
        #expect(conversation.mismatches == [])
        let replayedTags = conversation.events.compactMap { if case .tag(let t) = $0 { t.epc.hex } else { nil } }
        #expect(replayedTags == Self.epcs)
    }

    static func messageType(_ b: [UInt8]) -> UInt16? { b.count >= 2 ? UInt16(b[0] & 3) << 8 | UInt16(b[1]) : nil }

    /// True when one of the LLRP messages packed into `bytes` has `type`.
    static func containsMessage(_ bytes: [UInt8], _ type: UInt16) -> Bool {
        var i = 0
        while i + 10 <= bytes.count {
            if UInt16(bytes[i] & 3) << 8 | UInt16(bytes[i + 1]) == type { return true }
            let length = Int(bytes[i + 2]) << 24 | Int(bytes[i + 3]) << 16 | Int(bytes[i + 4]) << 8 | Int(bytes[i + 5])
            guard length >= 10 else { return false }
            i += length
        }
        return false
    }

    @Test func unreachableReaderIsAnErrorNamingHostAndPort() throws {
        let reader = try LLRPReaderEmulator()
        let address = reader.address
        reader.stop() // nothing listens there any more
        let out = Self.temporaryLog("unreachable")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try Self.scanledger(["capture", "--llrp", address, "--seconds", "30", "-o", out.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains(address), "\(run.stderr)")
        #expect(run.stderr.contains("refused"), "\(run.stderr)")
        // The header is there for whoever reads the file; no connection, so no records (not even `! stop`).
        let log = try CaptureLog.parse(String(contentsOf: out, encoding: .utf8))
        #expect(log.value("Driver") == "llrp")
        #expect(log.records.isEmpty)
    }

    @Test(arguments: [
        (["--llrp", "127.0.0.1:1", "--options", "antennas=0"], "antennas"),
        (["--llrp", "127.0.0.1:1", "--options", "preset=fast"], "preset"),
        (["--driver", "llrp", "127.0.0.1", "--options", "speed=9"], "speed"),
        (["--driver", "evdev", "/dev/input/event0", "--options", "layout=xx"], "layout=xx"),
        (["--llrp", "not a host:x"], "not a host:x"),
        (["--driver", "tsl", "--llrp", "127.0.0.1"], "--llrp"),
    ])
    func badOptionsAreUsageErrorsNamingTheOption(_ args: [String], _ named: String) throws {
        let run = try Self.scanledger(["capture"] + args)
        #expect(run.status == 2)
        #expect(run.stderr.contains(named), "\(run.stderr)")
    }

    /// Which transport the CLI opened shows in how a wrong device fails:
    /// the HID POS opener wants usb:VID:PID, the evdev opener grabs the node.
    @Test func hidposAndEvdevOpenTheirOwnTransportNotASerialLine() throws {
        let hid = try Self.scanledger(["capture", "--driver", "hidpos", "/dev/null", "--seconds", "1"])
        #expect(hid.status == 1)
        #expect(hid.stderr.contains("hidpos device needs port usb:"), "\(hid.stderr)")
        let ev = try Self.scanledger(["capture", "--driver", "evdev", "/dev/null", "--seconds", "1"])
        #expect(ev.status == 1)
        #expect(ev.stderr.contains("ioctl(EVIOCGRAB, \"/dev/null\"): ENOTTY"), "\(ev.stderr)")
        let serial = try Self.scanledger(["capture", "--driver", "line", "/dev/null", "--seconds", "1"])
        #expect(serial.status == 1)
        #expect(!serial.stderr.contains("EVIOCGRAB") && !serial.stderr.contains("usb:"), "\(serial.stderr)")
    }

    /// HID POS through the USB seam: the header matches the HID POS logs in
    /// Tests/Captures, Honeywell's enable-scanning feature report is logged
    /// as sent on open, and the log replays to the scan.
    @Test func hidposCaptureHasTheHIDPOSHeaderAndReplays() throws {
        let port = FakeHIDPOSPort()
        let transport = try HIDPOSTransport(port: port, vendorID: HIDPOSCommands.honeywellVendorID, description: "fake HID POS")
        defer { transport.close() }
        let sink = TextSink()
        var tick: Int64 = 1_763_830_000_000_000
        let recorder = CaptureRecorder(clock: { tick += 1000; return Microseconds(tick) }) { sink.text += $0 }
        let given = CaptureHeaders.Given(name: nil, firmware: "unknown", driver: "hidpos", options: "", date: "2026-11-22T00:00:00Z")
        recorder.header(CaptureHeaders.hidpos(vendor: 0x0C2E, product: 0x0B87, reportSize: 64, given))
        port.report(hidposReport(aim: "]C1", data: Array("0109501101020917".utf8), more: true))
        port.report(hidposReport(aim: "]C1", data: Array("10ABC".utf8)))
        var polls = 0
        try recorder.run(transport: transport, sentOnOpen: HIDPOSCommands.featureReportsAfterOpen(vendorID: 0x0C2E), commands: []) {
            polls += 1
            // Both reports were queued before the first read: one read may take both.
            return ((try? CaptureLog.parse(sink.text))?.deviceBytes.count ?? 0) >= 128 || polls > 2000
        }
        let log = try CaptureLog.parse(sink.text)
        let built = try Captures.load("hidpos-honeywell-1950g-noisy")
        #expect(log.value("Interface") == built.value("Interface"))
        #expect(log.value("Serial") == "n/a")
        #expect(log.value("VID-PID") == "0c2e:0b87")
        #expect(log.value("Driver") == "hidpos")
        #expect(log.records.first?.event == "connect")
        #expect(log.records.dropFirst().first.map { $0.direction == .toDevice && $0.bytes == [0xFE, 0x01] } == true)
        let driver = try #require(DriverRegistry.make("hidpos"))
        let scans = Replay.events(log, driver: driver).compactMap { if case .scan(let s) = $0 { String(decoding: s.data, as: UTF8.self) } else { nil } }
        #expect(scans == ["]C1010950110102091710ABC"])
    }

    /// evdev end to end: `scanledger capture --driver evdev` under
    /// umockdev-run reads the fake keyboard node; the log has the evdev
    /// header (as the evdev logs in Tests/Captures) and replays to the scans.
    @Test(.enabled(if: EvdevUmockdevTests.umockdevRun != nil)) func evdevCaptureUnderUmockdevReplaysToTheScans() throws {
        let fixture = try Captures.load("evdev-us-honeywell-1250g-normal")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scanledger-capture-evdev-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try EvdevUmockdevTests.deviceDescription.write(to: dir.appendingPathComponent("kbd.umockdev"), atomically: true, encoding: .utf8)
        try EvdevUmockdevTests.evemu(fixture.deviceBytes).write(to: dir.appendingPathComponent("kbd.events"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("capture.log")
        let umockdev = try #require(EvdevUmockdevTests.umockdevRun)
        // Ctrl-C for scanledger (umockdev-run's child) once every record is
        // in the log; --seconds is only a backstop.
        let run = try Self.scanledger(["capture", "--driver", "evdev", EvdevUmockdevTests.node, "--options", "layout=us",
                                       "--firmware", "umockdev", "--seconds", "40", "-o", out.path],
                                      under: [umockdev, "-d", dir.appendingPathComponent("kbd.umockdev").path,
                                              "-e", "\(EvdevUmockdevTests.node)=\(dir.appendingPathComponent("kbd.events").path)"]) { p in
            let recorded = { ((try? String(contentsOf: out, encoding: .utf8)).flatMap { try? CaptureLog.parse($0) })?.deviceBytes.count ?? 0 }
            #expect(waitUntil(30) { recorded() >= fixture.deviceBytes.count })
            let pid = p.processIdentifier
            let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            let child = children.split(separator: " ").compactMap { Int32($0) }.first
            kill(child ?? pid, SIGINT)
        }
        #expect(run.status == 0, "\(run.stderr)")
        let log = try CaptureLog.parse(String(contentsOf: out, encoding: .utf8))
        for key in CaptureLog.requiredKeys { #expect(log.value(key) != nil, "missing \(key)") }
        #expect(log.value("Driver") == "evdev")
        #expect(log.value("Options") == "layout=us")
        #expect(log.value("Serial") == "n/a")
        #expect(log.value("Interface")?.hasPrefix("evdev keyboard (struct input_event, 24 bytes, ") == true)
        #if arch(x86_64)
        #expect(log.value("Interface") == fixture.value("Interface"))
        #endif
        let scans = { (l: CaptureLog) throws -> [String] in
            let driver = try #require(DriverRegistry.make("evdev", options: try DriverOptions(parsing: "layout=us")))
            return Replay.events(l, driver: driver).compactMap { if case .scan(let s) = $0 { s.data.map(hex2).joined() } else { nil } }
        }
        let expected = try scans(fixture)
        #expect(expected.count == 3)
        #expect(try scans(log) == expected)
    }
}
