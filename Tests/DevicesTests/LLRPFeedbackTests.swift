import Foundation
import Testing
import ScanModel
@testable import Devices

/// Issue 14: an LLRP reader signals outcomes on its GPOs. Each GPO write is
/// a SET_READER_CONFIG of its own in the running session; its response is
/// consumed without disturbing the session, and a refused write is logged,
/// not fatal.
@Suite(.serialized) struct LLRPFeedbackTests {
    typealias Write = LLRPReaderEmulator.GPOWrite
    let epc = EPC(hex: "3074257BF7194E4000001A85")!

    func runner(_ emulator: LLRPReaderEmulator, log: any DeviceLogger, box: EmulatorEventBox) throws -> DeviceRunner {
        var options = DriverOptions(device: DeviceIndex(4))
        options.reader = LLRPReaderConfig(host: "127.0.0.1")
        options.reader.port = emulator.port
        options.reader.keepaliveMilliseconds = 200
        var config = DeviceConfig(name: "dock-door", driver: "llrp", port: .network(host: "127.0.0.1", port: emulator.port), options: options)
        config.pollMilliseconds = 20
        // The `feedback.gpo` mapping a config would give: lamp on 1, horn on 2, beacon on 3.
        config.feedback = [
            .good: LLRPGPOStep.pulses(port: 1, length: .milliseconds(30), gap: .milliseconds(30)),
            .warning: LLRPGPOStep.pulses(port: 1, length: .milliseconds(30), count: 2, gap: .milliseconds(30)),
            .error: LLRPGPOStep.pulses(port: 2, length: .milliseconds(100), gap: .milliseconds(30)),
            .done: LLRPGPOStep.pulses(port: 3, length: .milliseconds(30), gap: .milliseconds(30)),
        ]
        return try DeviceRunner(config: config, logger: log) { _, b in box.add(b) }
    }

    @Test(.timeLimit(.minutes(1))) func eachOutcomeWritesItsGPOsAndTheSessionRunsOn() throws {
        let emulator = try LLRPReaderEmulator()
        defer { emulator.stop() }
        let log = MemoryDeviceLog(), box = EmulatorEventBox()
        let reader = try runner(emulator, log: log, box: box)
        reader.start()
        defer { reader.stop() }
        #expect(waitUntil { reader.isConnected })
        let expected: [FeedbackOutcome: [Write]] = [
            .good: [Write(port: 1, high: true), Write(port: 1, high: false)],
            .warning: [Write(port: 1, high: true), Write(port: 1, high: false), Write(port: 1, high: true), Write(port: 1, high: false)],
            .error: [Write(port: 2, high: true), Write(port: 2, high: false)],
            .done: [Write(port: 3, high: true), Write(port: 3, high: false)],
        ]
        var seen: [FeedbackOutcome: [Write]] = [:]
        for outcome in FeedbackOutcome.allCases {
            let before = emulator.snapshot.gpoWrites.count
            #expect(reader.feedback(outcome))
            #expect(waitUntil { emulator.snapshot.gpoWrites.count >= before + (expected[outcome]?.count ?? 0) })
            seen[outcome] = Array(emulator.snapshot.gpoWrites.dropFirst(before))
        }
        #expect(seen == expected)
        #expect(Set(seen.values.map(\.description)).count == 4, "two outcomes light the same")
        // The responses were taken as answers to nothing the session waits for:
        // it still runs, reports still arrive, no problem was logged.
        if case .llrp(let s)? = reader.protocolStatus { #expect(s.state == .running) } else { Issue.record("no LLRP status") }
        #expect(emulator.report([epc]))
        #expect(waitUntil { box.tags.count == 1 })
        #expect(reader.counters.deviceErrors == 0)
        #expect(emulator.snapshot.connections == 1, "the session was restarted")
    }

    /// Before: `isConnected` held from the TCP connect until the first batch
    /// was handed over (no session status yet), so feedback sent in that
    /// moment went to a session still setting up and its first GPO write was
    /// dropped (seen under TSan: a pulse with only its "off"). The runner's
    /// own "connected to" line is logged inside that moment.
    @Test func anLLRPReaderIsNotConnectedBeforeItsSessionRuns() throws {
        let emulator = try LLRPReaderEmulator()
        defer { emulator.stop() }
        let probe = ConnectedProbe()
        let reader = try runner(emulator, log: probe, box: EmulatorEventBox())
        probe.runner = reader
        reader.start()
        defer { reader.stop() }
        #expect(waitUntil { reader.isConnected })
        #expect(probe.seen == [false], "isConnected when the TCP connection opened, before the LLRP session ran")
    }

    @Test(.timeLimit(.minutes(1))) func aRefusedGPOWriteIsLoggedNotFatal() throws {
        let emulator = try LLRPReaderEmulator()
        defer { emulator.stop() }
        emulator.answerGPOWrites(status: 101)   // M_FieldError: no such port
        let log = MemoryDeviceLog(), box = EmulatorEventBox()
        let reader = try runner(emulator, log: log, box: box)
        reader.start()
        defer { reader.stop() }
        #expect(waitUntil { reader.isConnected })
        #expect(reader.feedback(.error))
        #expect(waitUntil { reader.counters.deviceErrors == 2 },
                "both writes of the pulse were answered with a failure: \(reader.counters.deviceErrors), \(emulator.snapshot.gpoWrites), \(log.lines)")
        #expect(log.lines.contains { $0.contains("SET_READER_CONFIG") && $0.contains("failed") }, "\(log.lines)")
        #expect(emulator.report([epc]))
        #expect(waitUntil { box.tags.count == 1 })
        #expect(emulator.snapshot.connections == 1, "a refused GPO write dropped the session")
    }

    @Test func gpoWritesWaitForARunningSession() {
        var session = LLRPSession(config: LLRPReaderConfig(host: "r"))
        var out: [LLRPSessionOutput] = []
        #expect(!session.writeGPO(port: 1, high: true, into: &out), "written before the reader was set up")
        #expect(out.isEmpty)
    }

    @Test func theGPOMessageIsGPOWriteData() {
        let m = LLRPClientMessage.setReaderConfigGPO(messageID: 0x01020304, writes: [(port: 2, high: true)])
        // Header (type 3, id), ResetToFactoryDefault 0, then TLV 219 of 7 bytes: port 2, data bit set.
        #expect(m == [0x04, 0x03, 0, 0, 0, 18, 1, 2, 3, 4, 0x00, 0x00, 219, 0, 7, 0, 2, 0x80])
        #expect(LLRPReaderEmulator.gpoWrites(m) == [Write(port: 2, high: true)])
    }
}

/// Records `isConnected` at the moment the runner logs "connected to …".
final class ConnectedProbe: DeviceLogger, @unchecked Sendable {
    // @unchecked Sendable: both fields are only touched under `lock`.
    private let lock = NSLock()
    private weak var current: DeviceRunner?
    private var values: [Bool] = []
    var runner: DeviceRunner? {
        get { lock.lock(); defer { lock.unlock() }; return current }
        set { lock.lock(); current = newValue; lock.unlock() }
    }
    var seen: [Bool] { lock.lock(); defer { lock.unlock() }; return values }
    func log(_ level: LogLevel, device: String, _ message: String) {
        guard message.hasPrefix("connected to ") else { return }
        let connected = runner?.isConnected ?? true
        lock.lock(); values.append(connected); lock.unlock()
    }
}
