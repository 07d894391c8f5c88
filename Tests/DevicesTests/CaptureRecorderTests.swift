import Foundation
import Testing
import ScanModel
@testable import Devices

final class TextSink: @unchecked Sendable {
    var text = ""
}

/// `scanledger capture` records through the same transport the runner
/// uses; what it writes must parse back and replay to the device's events.
@Suite struct CaptureRecorderTests {
    @Test func recordsAPtyAndReplaysIt() throws {
        let reader = try FakeReader()
        let transport = try TermiosTransport(path: reader.path, settings: SerialSettings(baud: 115200))
        defer { transport.close(); reader.hangUp() }
        let sink = TextSink()
        var tick: Int64 = 1_763_830_000_000_000
        let recorder = CaptureRecorder(clock: { tick += 1000; return Microseconds(tick) }) { sink.text += $0 }
        recorder.header([("Name", "test reader"), ("Interface", "pty"), ("VID-PID", "none"), ("Firmware", "n/a"),
                         ("Serial", "115200 8N1"), ("Source", "recorded by CaptureRecorderTests"), ("Driver", "tsl")])
        let reply = Array("CS: .iv\r\nEP: 3074257BF7194E4000001A85\r\nRI: -50\r\nOK:\r\n\r\n".utf8)
        var sent = false
        var polls = 0
        try recorder.run(transport: transport, commands: [Array(".iv\r\n".utf8)]) {
            if !sent { reader.send(reply); sent = true }
            polls += 1
            return sink.text.filter { $0 == "<" }.count > 0 && sink.text.contains("\\r\\n\\r\\n\"") || polls > 2000
        }
        #expect(reader.receive(5) == Array(".iv\r\n".utf8))
        let log = try CaptureLog.parse(sink.text)
        #expect(log.value("Source") == "recorded by CaptureRecorderTests")
        #expect(log.records.first?.event == "connect")
        #expect(log.records.filter { $0.direction == .toDevice }.flatMap(\.bytes) == Array(".iv\r\n".utf8))
        #expect(log.deviceBytes == reply)
        let events = Replay.events(log, driver: TSLDriver(options: DriverOptions()))
        let tags = events.compactMap { if case .tag(let t) = $0 { t } else { nil } }
        #expect(tags.map(\.epc.hex) == ["3074257BF7194E4000001A85"])
        #expect(tags.first?.rssi == -50)
    }
}

/// The `scanledger capture` command end to end on a pseudo-terminal.
@Suite struct CaptureCommandTests {
    @Test func capturesFromAPtyIntoAReplayableLog() throws {
        let reader = try FakeReader()
        defer { reader.hangUp() }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("scanledger-capture-\(getpid()).log")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try UmockdevTests.scanledger())
        p.arguments = ["capture", reader.path, "--driver", "tsl", "--serial", "115200 8N1", "--name", "TSL 1128 test",
                       "--seconds", "3", "-o", out.path]
        p.standardError = FileHandle.nullDevice
        try p.run()
        let driver = TSLDriver(options: DriverOptions())
        let commands = (driver.initCommands + driver.startCommands).flatMap { $0 }
        #expect(reader.receive(commands.count) == commands)
        reader.send(Array("CS: .iv\r\nEP: 300833B2DDD9014000000001\r\nRI: -47\r\nOK:\r\n\r\n".utf8))
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let log = try CaptureLog.parse(String(contentsOf: out, encoding: .utf8))
        for key in CaptureLog.requiredKeys { #expect(log.value(key) != nil, "missing \(key)") }
        #expect(log.value("Name") == "TSL 1128 test")
        #expect(log.value("Source")?.hasPrefix("recorded on hardware") == true)
        let tags = Replay.events(log, driver: TSLDriver(options: DriverOptions())).compactMap { if case .tag(let t) = $0 { t } else { nil } }
        #expect(tags.map(\.epc.hex) == ["300833B2DDD9014000000001"])
    }
}
