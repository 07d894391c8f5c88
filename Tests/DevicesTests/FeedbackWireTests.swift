import Foundation
import Testing
import ScanModel
@testable import Devices

/// Issue 14: every device family that can signal plays each outcome
/// differently on the wire. Serial families are run for real through a pty:
/// the runner writes, the test reads what a scanner or reader would get.
@Suite(.serialized) struct FeedbackWireTests {
    /// What arrived for one outcome: the bytes, and whether they took long
    /// (a long buzz is the only difference between some outcomes of a
    /// one-output device).
    struct Heard: Hashable, CustomStringConvertible {
        var bytes: [UInt8]
        var long: Bool
        var description: String { "\(bytes.map { String($0, radix: 16) }.joined(separator: " "))\(long ? " (long)" : "")" }
    }

    /// Starts a runner on a pty for `config`, drops its start-up commands,
    /// then plays each outcome and records what the device received.
    func hear(_ config: (String) -> DeviceConfig) throws -> [FeedbackOutcome: Heard] {
        let device = try FakeReader()
        let runner = try DeviceRunner(config: config(device.path), logger: SilentLogger()) { _, _ in }
        runner.start()
        defer { runner.stop(); device.hangUp() }
        #expect(waitUntil { runner.isConnected })
        usleep(100_000)
        device.drain()   // init and start commands, if the driver has any
        var heard: [FeedbackOutcome: Heard] = [:]
        for outcome in FeedbackOutcome.allCases {
            guard let plan = runner.feedbackPlans[outcome] else { Issue.record("no plan for \(outcome)"); continue }
            let expected = plan.steps.reduce(0) { $0 + $1.bytes.count }
            let start = Date()
            #expect(runner.send(outcome))
            let bytes = device.receive(expected)
            heard[outcome] = Heard(bytes: bytes, long: Date().timeIntervalSince(start) > 0.4)
        }
        return heard
    }

    func expectDistinct(_ heard: [FeedbackOutcome: Heard], _ family: String) {
        #expect(heard.count == 4, "\(family): not every outcome was heard")
        #expect(Set(heard.values).count == 4, "\(family) sounds two outcomes alike: \(heard)")
    }

    func lineConfig(_ profile: FeedbackProfile?) -> (String) -> DeviceConfig {
        { path in
            var c = DeviceConfig(name: "scanner", driver: "line", port: .path(path))
            if let profile { c.feedback = profile.plans }
            return c
        }
    }

    @Test(.timeLimit(.minutes(1))) func theGenericLineDefaultCountsBELs() throws {
        let heard = try hear(lineConfig(nil))
        expectDistinct(heard, "line")
        #expect(heard[.good]?.bytes == [0x07])
        #expect(heard[.warning]?.bytes == [0x07, 0x07])
        #expect(heard[.error]?.bytes == [0x07, 0x07, 0x07] && heard[.error]?.long == true, "three spaced BELs for an error")
        #expect(heard[.done]?.bytes == [0x07, 0x07, 0x07, 0x07])
    }

    @Test(.timeLimit(.minutes(1))) func honeywellGetsHostACKEscapes() throws {
        let heard = try hear(lineConfig(.honeywell))
        expectDistinct(heard, "honeywell")
        // [ESC]7, good-read tone; [ESC]8, razz.
        #expect(heard[.good]?.bytes == [0x1B, 0x37, 0x2C])
        #expect(heard[.error]?.bytes == [0x1B, 0x38, 0x2C])
        #expect(heard[.warning]?.bytes == [0x1B, 0x35, 0x2C, 0x1B, 0x35, 0x2C])
        #expect(heard[.done]?.bytes == [0x1B, 0x37, 0x2C, 0x1B, 0x36, 0x2C, 0x1B, 0x32, 0x2C])
    }

    @Test(.timeLimit(.minutes(1))) func datalogicGetsForcedGoodReadTones() throws {
        let heard = try hear(lineConfig(.datalogic))
        expectDistinct(heard, "datalogic")
        #expect(heard[.good]?.bytes == [0x01])
        #expect(heard[.error]?.bytes == [0x01, 0x01, 0x01])
        #expect(heard.values.allSatisfy { !$0.bytes.contains(UInt8(ascii: "F")) }, "'F' would disable the scanner")
    }

    @Test(.timeLimit(.minutes(1))) func zebraInSerialModeGetsBELs() throws {
        let heard = try hear(lineConfig(.zebra))
        expectDistinct(heard, "zebra")
        #expect(heard.values.allSatisfy { Set($0.bytes) == [0x07] })
    }

    @Test(.timeLimit(.minutes(1))) func tslGetsAlertCommands() throws {
        let heard = try hear { DeviceConfig(name: "tsl", driver: "tsl", port: .path($0)) }
        expectDistinct(heard, "tsl")
        #expect(String(decoding: heard[.error]?.bytes ?? [], as: UTF8.self) == ".al -b on -v on -t low -d lon\r\n")
    }

    @Test(.timeLimit(.minutes(1))) func mercuryPulsesTheConfiguredGPO() throws {
        let heard = try hear { path in
            var c = DeviceConfig(name: "m", driver: "mercury", port: .path(path), options: try! DriverOptions(parsing: "gpo=3", driver: "mercury"))
            c.options.mercury.silenceTimeout = .seconds(60)   // the pty never sends keepalives
            return c
        }
        expectDistinct(heard, "mercury")
        let on = MercuryProtocol.command(MercuryProtocol.Opcode.setUserGPIOOutputs, [3, 1])
        let off = MercuryProtocol.command(MercuryProtocol.Opcode.setUserGPIOOutputs, [3, 0])
        #expect(heard[.good] == Heard(bytes: on + off, long: false))
        #expect(heard[.error] == Heard(bytes: on + off, long: true), "an error is one long pulse")
        #expect(heard[.warning]?.bytes == on + off + on + off)
        #expect(heard[.done]?.bytes == on + off + on + off + on + off)
    }

    @Test func mercuryRefusesAGPOItDoesNotHave() {
        #expect(throws: DeviceError.self) { try DriverOptions(parsing: "gpo=5", driver: "mercury") }
        #expect(throws: DeviceError.self) { try DriverOptions(parsing: "gpo=x", driver: "mercury") }
    }

    @Test func gpoStepsRoundTripAndPulse() {
        #expect(LLRPGPOStep.decode(LLRPGPOStep.encode(port: 258, high: true))! == (258, true))
        #expect(LLRPGPOStep.decode([0x07]) == nil)
        let plan = LLRPGPOStep.pulses(port: 2, length: .milliseconds(200), count: 2, gap: .milliseconds(100))
        #expect(plan.steps.map { LLRPGPOStep.decode($0.bytes)!.high } == [true, false, true, false])
        #expect(plan.steps.map(\.pauseAfter) == [.milliseconds(200), .milliseconds(100), .milliseconds(200), .zero])
    }
}

extension FakeReader {
    /// Reads and drops whatever arrives for `seconds`.
    func drain(for seconds: Double = 0.2) {
        var buf = [UInt8](repeating: 0, count: 4096)
        let until = Date().addingTimeInterval(seconds)
        while Date() < until { if read(master, &buf, buf.count) <= 0 { usleep(5_000) } }
    }
}
