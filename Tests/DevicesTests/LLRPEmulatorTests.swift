import Foundation
import Testing
@testable import Devices
import ScanModel

/// The LLRP option words of a config and the reader emulator, driven by the
/// real TCP client and runner over loopback in real time.
@Suite struct LLRPOptionsTests {
    @Test func optionWordsSetTheReaderConfig() throws {
        let c = try LLRPReaderConfig.parsing(options: "preset=cycle-count antennas=1,3 report=sweep:1500 keepalive=2000 tag-population=200 reconnect-max=5000",
                                             host: "10.0.4.21", port: 5085)
        #expect(c.host == "10.0.4.21" && c.port == 5085)
        #expect(c.gen2 == LLRPGen2Settings(preset: .cycleCount, tagPopulation: 200))
        #expect(c.antennas == [1, 3])
        #expect(c.reportTrigger == .endOfSweep(milliseconds: 1500))
        #expect(c.keepaliveMilliseconds == 2000)
        #expect(c.backoff.maximum == .milliseconds(5000))
        let d = try LLRPReaderConfig.parsing(options: "", host: "r")
        #expect(d == LLRPReaderConfig(host: "r"))
        #expect(try LLRPReaderConfig.parsing(options: "antennas= report=tags:16", host: "r").antennas == [])
        #expect(try LLRPReaderConfig.parsing(options: "report=tags:16", host: "r").reportTrigger == .everyNTags(16))
    }

    @Test(arguments: [
        ("preset=fast", "preset"), ("antennas=1,x", "antennas"), ("antennas=0", "antennas"), ("antennas=1,1", "antennas"),
        ("report=tags:0", "report"), ("report=sweep", "report"), ("report=every:5", "report"), ("keepalive=-1", "keepalive"),
        ("keepalive=9999999", "keepalive"), ("tag-population=0", "tag-population"), ("reconnect-max=10", "reconnect-max"),
        ("session=2", "session"), ("stx-etx", "stx-etx"), ("keepalive=1 keepalive=2", "keepalive"),
    ])
    func badOptionsNameTheOption(_ words: String, _ option: String) {
        #expect(throws: LLRPOptionError.self) { try LLRPReaderConfig.parsing(options: words, host: "r") }
        do { _ = try LLRPReaderConfig.parsing(options: words, host: "r") } catch {
            #expect(error.option == option)
            #expect(error.description.contains(option))
        }
    }

    @Test func addresses() {
        func text(_ s: String) -> String? { LLRPReaderConfig.parseAddress(s).map { "\($0.host) \($0.port)" } }
        #expect(text("10.0.4.21") == "10.0.4.21 5084")
        #expect(text("reader-3.dock:5085") == "reader-3.dock 5085")
        #expect(text("[fe80::1]:5084") == "fe80::1 5084")
        #expect(text("[::1]") == "::1 5084")
        #expect(text("fe80::1") == "fe80::1 5084")
        for bad in ["", "host:", "host:0", "host:70000", ":5084", "[::1", "[]:1", "a b", "[::1]x"] {
            #expect(LLRPReaderConfig.parseAddress(bad) == nil, "\(bad)")
        }
    }
}

/// Collects what the client hands its handler, across threads.
final class EmulatorEventBox: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [DeviceEvent] = []
    func add(_ b: EventBatch) { lock.lock(); events += b.events; lock.unlock() }
    var tags: [TagRead] { lock.lock(); defer { lock.unlock() }; return events.compactMap { if case .tag(let t) = $0 { t } else { nil } } }
    func count(_ match: (DeviceEvent) -> Bool) -> Int { lock.lock(); defer { lock.unlock() }; return events.filter(match).count }
}

/// Waits (not a timed assertion: a generous limit only so a broken build ends).
func waitUntil(_ limit: TimeInterval = 20, _ condition: () -> Bool) -> Bool {
    let deadline = Date(timeIntervalSinceNow: limit)
    while Date() < deadline { if condition() { return true }; usleep(5_000) }
    return condition()
}

@Suite(.serialized) struct LLRPEmulatorTests {
    let epcA = EPC(hex: "3074257BF7194E4000001A85")!
    let epcB = EPC(hex: "3074257BF7194E4000001A86")!

    /// The daemon's runner on the emulator, with the test's short keepalive and backoff.
    func runner(_ emulator: LLRPReaderEmulator, box: EmulatorEventBox, log: MemoryDeviceLog = MemoryDeviceLog(), device: UInt16 = 7,
                longestWait: Microseconds = .milliseconds(100)) throws -> DeviceRunner {
        var options = DriverOptions(device: DeviceIndex(device))
        options.reader = LLRPReaderConfig(host: "127.0.0.1")
        options.reader.port = emulator.port
        options.reader.keepaliveMilliseconds = 200
        var config = DeviceConfig(name: "dock-door", driver: "llrp", port: .network(host: "127.0.0.1", port: emulator.port), options: options)
        config.backoffInitial = .milliseconds(20)
        config.backoffMax = longestWait
        config.pollMilliseconds = 20
        return try DeviceRunner(config: config, logger: log) { _, b in box.add(b) }
    }

    func llrp(_ r: DeviceRunner) -> LLRPClientStatus? { if case .llrp(let s)? = r.protocolStatus { s } else { nil } }

    @Test func reportsReachTheClientAndStopSendsCloseConnection() throws {
        let emulator = try LLRPReaderEmulator()
        defer { emulator.stop() }
        let box = EmulatorEventBox(), log = MemoryDeviceLog()
        let c = try runner(emulator, box: box, log: log)
        #expect(!emulator.report([epcA]), "nothing is sent before a client runs an ROSpec")
        c.start()
        #expect(emulator.waitUntilInventorying(timeout: 20))
        #expect(emulator.report([epcA, epcB], antenna: 2, rssi: -61, count: 3))
        #expect(waitUntil { box.tags.count == 2 && c.counters.tagReads == 2 })
        #expect(box.tags.map(\.epc) == [epcA, epcB])
        #expect(box.tags.allSatisfy { $0.antenna == 2 && $0.rssi == -61 && $0.count == 3 && $0.device == DeviceIndex(7) })
        // The reader's keepalives (period set by the client) are acknowledged.
        #expect(waitUntil { emulator.snapshot.keepaliveAcks >= 1 })
        let status = try #require(llrp(c))
        #expect(status.isRunning && c.counters.reconnects == 0 && status.driverCounters.tagReads == 2)
        // The setup the session sends, answered one by one.
        #expect(Array(emulator.snapshot.requests.prefix(7)) == [1, 3, 41, 21, 20, 24, 22])
        c.stop()
        let s = emulator.snapshot
        #expect(s.closeConnections == 1)
        #expect(s.requests.contains(LLRPMessageType.stopROSpec))
        #expect(llrp(c)?.state == .stopped)
        #expect(log.lines.contains { $0.contains("LLRP session with 127.0.0.1:\(emulator.port) closed") })
        #expect(!log.lines.contains { $0.contains("timed out waiting") }, "CLOSE_CONNECTION_RESPONSE came back")
        #expect(box.count { if case .disconnected = $0 { true } else { false } } == 1, "a clean stop ends the connection too")
    }

    @Test func aReaderThatDiesAndComesBackIsReconnectedAndCounted() throws {
        let emulator = try LLRPReaderEmulator()
        defer { emulator.stop() }
        let box = EmulatorEventBox()
        let c = try runner(emulator, box: box)
        c.start()
        #expect(emulator.waitUntilInventorying(timeout: 20))
        emulator.stop()                                   // power loss: no goodbye
        #expect(waitUntil { (llrp(c)?.connectFailures ?? 0) >= 1 }, "connects are refused while it is down")
        #expect(box.count { if case .disconnected = $0 { true } else { false } } == 1)
        try emulator.start()                              // same port
        #expect(emulator.waitUntilInventorying(timeout: 20))
        #expect(waitUntil { c.isConnected })
        #expect(c.counters.reconnects == 1)
        #expect(emulator.report([epcA]))
        #expect(waitUntil { box.tags.count == 1 })
        c.stop()
        #expect(emulator.snapshot.connections == 2 && emulator.snapshot.closeConnections == 1)
    }

    /// A reader that finished its setup was a good connection, however short:
    /// when it drops, the next wait starts over from the first (as the LLRP
    /// session's own backoff did), not from where the failed connects left it.
    @Test func aReaderThatFinishedItsSetupStartsTheBackoffOver() throws {
        let emulator = try LLRPReaderEmulator()
        defer { emulator.stop() }
        emulator.stop()                                   // down at start: the waits grow
        let box = EmulatorEventBox(), log = MemoryDeviceLog()
        let c = try runner(emulator, box: box, log: log, longestWait: .milliseconds(640))
        c.start()
        defer { c.stop() }
        #expect(waitUntil { log.lines.contains { $0.hasSuffix("retrying in 160 ms") } })
        try emulator.start()
        #expect(emulator.waitUntilInventorying(timeout: 20))
        #expect(waitUntil { log.lines.contains { $0.contains("configured and inventorying") } })
        emulator.stop()                                   // it ran, then dropped
        #expect(waitUntil { box.count { if case .disconnected = $0 { true } else { false } } == 1 })
        let lines = log.lines
        let ran = try #require(lines.firstIndex { $0.contains("configured and inventorying") })
        let next = try #require(lines[ran...].first { $0.contains("retrying in") })
        #expect(next.hasSuffix("retrying in 20 ms"), "\(next)")
    }

    @Test func aSecondClientIsRefusedLikeAReaderDoes() throws {
        let emulator = try LLRPReaderEmulator()
        defer { emulator.stop() }
        let first = EmulatorEventBox(), second = EmulatorEventBox(), secondLog = MemoryDeviceLog()
        let a = try runner(emulator, box: first), b = try runner(emulator, box: second, log: secondLog)
        a.start()
        #expect(emulator.waitUntilInventorying(timeout: 20))
        b.start()
        #expect(waitUntil { secondLog.lines.contains { $0.contains("refused the connection: client-initiated-connection-exists") } },
                "\(secondLog.lines)")
        #expect(emulator.snapshot.refusedConnections >= 1)
        #expect(waitUntil { (llrp(b)?.sessionFailures ?? 0) >= 1 })
        #expect(a.isConnected && !b.isConnected)
        a.stop(); b.stop()
    }

    /// The runner the daemon uses for every device, the serial ones' type:
    /// own thread, the session's setup, tags, and stop sends STOP_ROSPEC +
    /// CLOSE_CONNECTION and joins.
    @Test func anLLRPReaderRunsOnTheSameDeviceRunnerAsSerialDevices() throws {
        let emulator = try LLRPReaderEmulator()
        defer { emulator.stop() }
        var options = DriverOptions(device: DeviceIndex(3))
        options.reader = LLRPReaderConfig(host: "127.0.0.1")
        options.reader.port = emulator.port
        options = try Self.parsed("keepalive=500 reconnect-max=200", options)
        let config = DeviceConfig(name: "portal", driver: "llrp", port: .network(host: "127.0.0.1", port: emulator.port), options: options)
        #expect(config.backoffMax == .milliseconds(200), "reconnect-max sets the runner's backoff")
        let log = MemoryDeviceLog()
        let box = EmulatorEventBox()
        let runner: any RunningDevice = try DeviceRunner(config: config, logger: log) { _, b in box.add(b) }
        #expect(runner is DeviceRunner)
        runner.start()
        #expect(waitUntil { runner.isConnected })
        guard case .llrp(let running)? = runner.protocolStatus else { Issue.record("no LLRP status"); return }
        #expect(running.state == .running)
        #expect(runner.health.state == .up)
        #expect(emulator.report([epcB]))
        #expect(waitUntil { runner.counters.tagReads == 1 })
        #expect(box.tags.map(\.device) == [DeviceIndex(3)])
        #expect(waitUntil { emulator.snapshot.keepaliveAcks >= 1 })
        runner.stop()
        #expect(emulator.snapshot.closeConnections == 1)
        #expect(emulator.snapshot.requests.contains(LLRPMessageType.stopROSpec))
        #expect(!runner.isConnected)
        #expect(runner.health.state == .down && runner.health.reason == "stopped")
        if case .llrp(let stopped)? = runner.protocolStatus { #expect(stopped.state == .stopped) } else { Issue.record("no LLRP status") }
        runner.stop() // again: returns at once
        #expect(log.lines.contains { $0.contains("configured and inventorying") })
        #expect(runner.feedback(.good) == false, "a reader without a GPO mapping has no way to signal")
    }

    static func parsed(_ words: String, _ base: DriverOptions) throws -> DriverOptions {
        var options = base
        try #require(DriverRegistry.entry("llrp")).parse(words, into: &options)
        return options
    }
}

final class MemoryDeviceLog: DeviceLogger, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func log(_ level: LogLevel, device: String, _ message: String) { lock.lock(); stored.append("\(device): \(message)"); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}
