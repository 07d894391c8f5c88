import Foundation
import Testing
@testable import Devices
import ScanModel

/// The real wall clock, moved by `step` (NTP's first sync on a box without
/// a real-time clock, an operator's `date -s`), while time runs on.
final class SteppedWallClock: MicrosecondClock {
    private let offset = Locked<Int64>(0)
    func now() -> Microseconds { WallClock().now() + Microseconds(offset.snapshot) }
    func step(by delta: Microseconds) { offset.withLock { $0 += delta.value } }
}

/// Issue 18, clock jumps at the device edge: a device's timers (LLRP
/// keepalive deadlines, Mercury's silence timeout, SSI's ACK wait, feedback
/// pauses) run in the wall time its events are stamped in. A step must
/// neither fire them at once (a session dropped for nothing) nor hold them
/// off until the wall clock catches up (a dead reader unnoticed for an hour).
@Suite(.serialized) struct WallClockStepTests {
    let epc = EPC(hex: "3074257BF7194E4000001A85")!

    func llrpRunner(_ emulator: LLRPReaderEmulator, wall: SteppedWallClock, box: EmulatorEventBox,
                    log: MemoryDeviceLog) throws -> DeviceRunner {
        var options = DriverOptions(device: DeviceIndex(4))
        options.reader = LLRPReaderConfig(host: "127.0.0.1")
        options.reader.port = emulator.port
        options.reader.keepaliveMilliseconds = 300
        var config = DeviceConfig(name: "portal", driver: "llrp", port: .network(host: "127.0.0.1", port: emulator.port), options: options)
        config.backoffInitial = .milliseconds(20)
        config.backoffMax = .milliseconds(100)
        config.pollMilliseconds = 20
        return try DeviceRunner(config: config, logger: log, clock: wall, monotonic: MonotonicClock()) { _, b in box.add(b) }
    }

    /// An emulated reader and the runner on it, its session running.
    func withConnectedReader(_ body: (LLRPReaderEmulator, SteppedWallClock, EmulatorEventBox, MemoryDeviceLog, DeviceRunner) throws -> Void) throws {
        let emulator = try LLRPReaderEmulator()
        defer { emulator.stop() }
        let wall = SteppedWallClock(), box = EmulatorEventBox(), log = MemoryDeviceLog()
        let runner = try llrpRunner(emulator, wall: wall, box: box, log: log)
        runner.start()
        defer { runner.stop() }
        try #require(waitUntil { runner.isConnected })
        try body(emulator, wall, box, log, runner)
    }

    func disconnects(_ box: EmulatorEventBox) -> Int { box.count { if case .disconnected = $0 { true } else { false } } }

    /// Before: the first tick after the step counted an hour of missed
    /// keepalives, declared the link dead and reconnected.
    @Test func aStepForwardKeepsTheLLRPSession() throws {
        try withConnectedReader { emulator, wall, box, log, runner in
            wall.step(by: .seconds(3600))
            let acks = emulator.snapshot.keepaliveAcks
            #expect(waitUntil { emulator.snapshot.keepaliveAcks >= acks + 3 }, "three keepalive periods after the step")
            #expect(emulator.report([epc]))
            #expect(waitUntil { runner.counters.tagReads == 1 })
            #expect(disconnects(box) == 0 && emulator.snapshot.connections == 1 && runner.counters.reconnects == 0, "\(log.lines)")
            #expect(log.lines.contains { $0.contains("wall clock stepped by +3600.000 s") }, "\(log.lines)")
        }
    }

    /// Before: the reader's last keepalive was stamped an hour ahead of the
    /// stepped-back clock, so its silence went unnoticed for that hour.
    @Test func aStepBackStillFindsAHungReader() throws {
        try withConnectedReader { emulator, wall, box, log, _ in
            emulator.holdKeepalives(true)
            wall.step(by: .seconds(-3600))
            #expect(waitUntil { disconnects(box) >= 1 }, "the hung reader was never given up: \(log.lines)")
            #expect(log.lines.contains { $0.contains("wall clock stepped by -3600.000 s") }, "\(log.lines)")
        }
    }

    func silentMercury(_ reader: FakeReader, wall: SteppedWallClock, log: MemoryDeviceLog, events: EventLog) throws -> DeviceRunner {
        var options = DriverOptions()
        options.mercury.silenceTimeout = .seconds(2)
        var config = DeviceConfig(name: "quiet", driver: "mercury", port: .path(reader.path), options: options)
        config.backoffInitial = .milliseconds(10)
        config.pollMilliseconds = 20
        return try DeviceRunner(config: config, logger: log, clock: wall, monotonic: MonotonicClock()) { _, b in events.add(b) }
    }

    /// The silence that drops a streaming Mercury reader is measured across
    /// a step either way: never an hour long, never an hour short.
    @Test(arguments: [Int64(3600), -3600])
    func mercurySilenceIsMeasuredAcrossAStep(_ seconds: Int64) throws {
        let reader = try FakeReader()
        defer { reader.hangUp() }
        let wall = SteppedWallClock(), log = MemoryDeviceLog(), events = EventLog()
        let runner = try silentMercury(reader, wall: wall, log: log, events: events)
        runner.start()
        defer { runner.stop() }
        #expect(waitUntil { events.kinds.first == "connected" })
        wall.step(by: .seconds(seconds))
        #expect(waitUntil { events.kinds.contains("disconnected") }, "never dropped: \(log.lines)")
        let silent = try #require(log.lines.first { $0.contains("silent for") })
        let ms = try #require(Int(silent.split(separator: "silent for ").last?.split(separator: " ").first ?? ""))
        #expect((2_000..<10_000).contains(ms), "the silence measured across a \(seconds) s step: \(silent)")
    }
}
