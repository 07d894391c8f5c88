import Foundation
import Testing
import CLinuxShims
import ScanModel
@testable import Devices

/// A pseudo-terminal standing in for a reader: the test holds the master.
/// Its number is never given back while the tests run: the slave end stays
/// open here (retired, never closed), so no later pty gets the same
/// `/dev/pts/N`. Before, a runner still retrying a hung-up reader's path
/// could open another test's new pty under that number and read its bytes
/// (tests in all suites share one process and the kernel reuses the lowest
/// free number).
final class FakeReader {
    let master: Int32
    let path: String
    private var hungUp = false

    init() throws {
        var m: Int32 = -1, s: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard CLinuxShims_openpty(&m, &s, &name, name.count) == 0 else { throw DeviceError.system(Errno(errno, call: "openpty")) }
        PtyNumbers.retire(s)   // the runner opens the slave by path, as it would a real port
        master = m
        path = String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    deinit { hangUp() }

    func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) } }

    /// Reads what the host wrote, until `count` bytes or the deadline.
    func receive(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1024)
        _ = waitUntil {
            let n = read(master, &buf, buf.count)
            if n > 0 { out += buf[0..<n] }
            return out.count >= count
        }
        return out
    }

    /// The device goes away: its node disappears and the runner's reads
    /// fail; the number stays taken (`PtyNumbers`).
    func hangUp() {
        guard !hungUp else { return }
        hungUp = true
        close(master)
    }
}

/// Polls `condition` until it holds or 15 s pass (a deadline against a hung
/// test, not a timing assertion).
func waitUntil(_ condition: () -> Bool) -> Bool {
    for _ in 0..<7500 {
        if condition() { return true }
        usleep(2000)
    }
    return condition()
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [DeviceEvent] = []
    func add(_ batch: EventBatch) { lock.lock(); events += batch.events; lock.unlock() }
    var all: [DeviceEvent] { lock.lock(); defer { lock.unlock() }; return events }
    var kinds: [String] {
        all.compactMap {
            switch $0 {
            case .connected: "connected"
            case .disconnected: "disconnected"
            case .tag(let t): "tag " + t.epc.hex
            default: nil
            }
        }
    }
}

@Suite(.serialized) struct DeviceRunnerTests {
    @Test func reconnectsAfterHangupThroughARepointedLink() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scanledger-runner-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("reader").path

        let first = try FakeReader()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: first.path)

        var config = DeviceConfig(name: "dock-1", driver: "mercury", port: .path(link), serial: try SerialSettings(parsing: "115200 8N1"))
        config.backoffInitial = .milliseconds(20)
        config.backoffMax = .milliseconds(100)
        config.pollMilliseconds = 20
        let log = EventLog()
        let runner = try DeviceRunner(config: config, logger: SilentLogger()) { _, batch in log.add(batch) }
        runner.start()
        defer { runner.stop() }

        // The runner sends the driver's init and start commands first.
        let driver = MercuryDriver(options: DriverOptions())
        let expected = (driver.initCommands + driver.startCommands).flatMap { $0 }
        #expect(first.receive(expected.count) == expected)

        let tag1 = MercuryTests.record(epc: MercuryTests.epc96)
        first.send(tag1)
        #expect(waitUntil { log.kinds.contains("tag 3074257BF7194E4000001A85") })

        #expect(runner.send(.good))
        let beep = driver.feedbackPlan(.good)?.steps.first?.bytes ?? []
        #expect(!beep.isEmpty)
        #expect(first.receive(beep.count) == beep)

        // Unplug: the pty disappears; the runner must notice and keep trying.
        first.hangUp()
        #expect(waitUntil { log.kinds.contains("disconnected") })

        // Replug as a different pty behind the same link (ttyUSB renumbering).
        let second = try FakeReader()
        try FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: second.path)
        #expect(second.receive(expected.count) == expected)
        second.send(MercuryTests.record(epc: [0xE2] + MercuryTests.epc96.dropFirst()))
        #expect(waitUntil { log.kinds.count >= 5 })
        #expect(log.kinds == ["connected", "tag 3074257BF7194E4000001A85", "disconnected", "connected", "tag E274257BF7194E4000001A85"])
        #expect(runner.counters.reconnects == 1)
        #expect(runner.counters.tagReads == 2)   // counters live as long as the device, across reconnects
        second.hangUp()
    }

    @Test func unknownDriverIsAConfigurationError() {
        #expect(throws: DeviceError.self) {
            try DeviceRunner(config: DeviceConfig(name: "x", driver: "nope", port: .path("/dev/null"))) { _, _ in }
        }
    }

    @Test func stopWhileBackingOffReturns() throws {
        var config = DeviceConfig(name: "ghost", driver: "line", port: .path("/nonexistent/tty"))
        config.backoffInitial = .seconds(30)
        let runner = try DeviceRunner(config: config, logger: SilentLogger()) { _, _ in }
        runner.start()
        runner.stop()   // must not wait out the 30 s backoff
        #expect(runner.isConnected == false)
    }
}

struct SilentLogger: DeviceLogger {
    func log(_ level: LogLevel, device: String, _ message: String) {}
}

final class RecordingLogger: DeviceLogger, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func log(_ level: LogLevel, device: String, _ message: String) {
        lock.lock(); lines.append("\(level) \(device): \(message)"); lock.unlock()
    }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}

@Suite(.serialized) struct DeviceRunnerLoggingTests {
    /// Bad input is logged with the device name and byte offset, at most
    /// five warnings a minute, while a healthy device next to it keeps going.
    @Test func problemsAreRateLimitedAndOtherDevicesUnaffected() throws {
        let noisy = try FakeReader(), healthy = try FakeReader()
        defer { noisy.hangUp(); healthy.hangUp() }
        let logger = RecordingLogger()
        var noisyConfig = DeviceConfig(name: "pack-2-scanner", driver: "line", port: .path(noisy.path))
        noisyConfig.pollMilliseconds = 20
        var healthyConfig = DeviceConfig(name: "dock-1", driver: "tsl", port: .path(healthy.path))
        healthyConfig.pollMilliseconds = 20
        let noisyEvents = EventLog(), healthyEvents = EventLog()
        let a = try DeviceRunner(config: noisyConfig, logger: logger) { _, b in noisyEvents.add(b) }
        let b = try DeviceRunner(config: healthyConfig, logger: logger) { _, b in healthyEvents.add(b) }
        a.start(); b.start()
        defer { a.stop(); b.stop() }
        #expect(waitUntil { a.isConnected && b.isConnected })
        _ = healthy.receive(TSLDriver(options: DriverOptions()).initCommands.joined().count)

        // Twenty lines of binary noise: twenty problem events, five log lines.
        var noise: [UInt8] = []
        for _ in 0..<20 { noise += [0x41, 0x00, 0x42, 0x0D] }
        noisy.send(noise)
        healthy.send(Array("EP: 3074257BF7194E4000001A85\r\nRI: -50\r\n".utf8))
        #expect(waitUntil { a.counters.binaryNoise == 20 })
        #expect(waitUntil { healthyEvents.kinds.contains("tag 3074257BF7194E4000001A85") })
        let warnings = logger.all.filter { $0.hasPrefix("warning pack-2-scanner: binary-noise") }
        #expect(warnings.count == 5)
        #expect(warnings.first?.contains("at byte 1") == true)
        #expect(noisyEvents.all.filter { if case .problem = $0 { true } else { false } }.count == 20)
    }

    /// A beep must reach the scanner as soon as the station answers, not
    /// when the read times out: with an hour-long read timeout the beep and
    /// the stop only arrive because they wake the read.
    @Test(.timeLimit(.minutes(1))) func feedbackAndStopWakeAWaitingRead() throws {
        let scanner = try FakeReader()
        var config = DeviceConfig(name: "pack-scanner", driver: "line", port: .path(scanner.path), serial: try SerialSettings(parsing: "115200 8N1"))
        config.pollMilliseconds = 3_600_000
        let runner = try DeviceRunner(config: config, logger: SilentLogger()) { _, _ in }
        runner.start()
        #expect(waitUntil { runner.isConnected })
        usleep(50_000)   // let the device thread settle into its read
        #expect(runner.send(.good))
        #expect(scanner.receive(1) == [0x07])
        // An error is three BELs, spaced so the ear tells them from one: the
        // runner writes them between reads, on time although the poll
        // interval is an hour.
        let start = Date()
        #expect(runner.send(.error))
        #expect(scanner.receive(3) == [0x07, 0x07, 0x07])
        #expect(Date().timeIntervalSince(start) >= 0.45, "the pauses between the BELs were skipped")
        runner.stop()
        #expect(!runner.isConnected)
    }
}
