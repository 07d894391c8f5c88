import Foundation
import Glibc
import Testing
@testable import Devices
import ScanModel

/// What the runner handed over and what it sent, for a loopback conversation.
final class LLRPLoopbackRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var events: [DeviceEvent] = []
    private(set) var sent: [[UInt8]] = []
    func add(_ batch: EventBatch) { lock.lock(); events += batch.events; lock.unlock() }
    func add(_ wire: LLRPWireEvent) { lock.lock(); if case .sent(let b) = wire { sent.append(b) }; lock.unlock() }
    var eventCount: Int { lock.lock(); defer { lock.unlock() }; return events.count }
    /// True once the runner has reported the connection gone after event `index`.
    func disconnected(after index: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return events.dropFirst(index).contains { if case .disconnected = $0 { true } else { false } }
    }
    func snapshot() -> ([DeviceEvent], [[UInt8]]) { lock.lock(); defer { lock.unlock() }; return (events, sent) }
}

extension ManualClock {
    /// The capture logs' times are LLRP milliseconds.
    func set(milliseconds ms: Int64) { set(.milliseconds(ms)) }
}

/// The daemon's runner for an LLRP reader at 127.0.0.1:`config.port`,
/// timed by `clock`, its wire seen by `recorder`.
func loopbackRunner(_ config: LLRPReaderConfig, name: String, clock: ManualClock, recorder: LLRPLoopbackRecorder,
                    logger: any DeviceLogger = SilentLogger(), feedback: [FeedbackOutcome: FeedbackPlan] = [:]) throws -> DeviceRunner {
    var options = DriverOptions(device: DeviceIndex(0))
    options.reader = config
    options.reconnect = config.backoff
    var device = DeviceConfig(name: DeviceID(name), driver: "llrp", port: .network(host: "127.0.0.1", port: config.port), options: options)
    device.pollMilliseconds = 5
    device.feedback = feedback
    return try DeviceRunner(config: device, logger: logger, clock: clock, opener: { (c) throws(DeviceError) in
        WireTapTransport(try TCPTransport.opener(c)) { recorder.add($0) }
    }, handler: { _, batch in recorder.add(batch) })
}

/// Plays the reader side of a capture over loopback TCP: '<' lines are sent,
/// '>' lines are read from the client and must match byte for byte,
/// "! close" closes the connection, "! stop" asks the client to shut down.
struct LLRPLoopbackReader {
    let listenFD: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard fd >= 0, ok == 0, listen(fd, 8) == 0 else { throw LoopbackError(description: "cannot listen on loopback: \(String(cString: strerror(errno)))") }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        listenFD = fd
        port = UInt16(bigEndian: bound.sin_port)
    }

    /// Accepts the client's next connection, stepping virtual time so its timers can fire.
    func accept(clock: ManualClock) -> Int32 {
        for _ in 0..<3000 {
            var p = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 10) > 0 { return Glibc.accept(listenFD, nil, nil) }
            clock.advance(by: .milliseconds(250))
        }
        return -1
    }

    /// Reads exactly one LLRP message (5 s real-time limit).
    func readMessage(_ fd: Int32) -> [UInt8]? {
        func readExactly(_ n: Int) -> [UInt8]? {
            var out: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: n)
            while out.count < n {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 5_000) > 0 else { return nil }
                let r = recv(fd, &buf, n - out.count, 0)
                guard r > 0 else { return nil }
                out += buf[0..<r]
            }
            return out
        }
        guard let head = readExactly(10) else { return nil }
        let length = Int(head[2]) << 24 | Int(head[3]) << 16 | Int(head[4]) << 8 | Int(head[5])
        guard length >= 10, let body = readExactly(length - 10) else { return nil }
        return head + body
    }

    /// Runs the script; returns problems found.
    func play(_ log: CaptureLog, lineNumbers: [Int], clock: ManualClock, requestStop: () -> Void, recorder: LLRPLoopbackRecorder,
              writeGPO: (UInt16, Bool) -> Void = { _, _ in }) -> [String] {
        var problems: [String] = []
        var conn: Int32 = -1
        var closedAt = -1
        for (line, number) in zip(log.records, lineNumbers) {
            let ms = llrpMilliseconds(line.time)
            switch line.direction {
            case .fromDevice:
                if conn < 0 { clock.set(milliseconds: ms); conn = accept(clock: clock) }
                clock.set(milliseconds: ms)
                _ = line.bytes.withUnsafeBytes { send(conn, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            case .toDevice:
                if conn < 0 { conn = accept(clock: clock) }
                guard let got = readMessage(conn) else { problems.append("line \(number): client sent nothing"); continue }
                if got != line.bytes { problems.append("line \(number): client sent \(got.map(hex2).joined())") }
            case .event:
                clock.set(milliseconds: ms)
                if let gpo = line.gpoWrite { writeGPO(gpo.port, gpo.high); continue }
                if line.event == "stop" { requestStop() } else if conn >= 0 {
                    closedAt = recorder.eventCount
                    close(conn); conn = -1
                }
            }
        }
        // A log ending in "! close": let the client see the close before asking it to stop.
        if log.records.last?.event == "close" {
            for _ in 0..<500 where !recorder.disconnected(after: closedAt) { usleep(2_000) }
        }
        requestStop()
        if conn >= 0 { close(conn) }
        return problems
    }
}

@Suite(.serialized) struct LLRPLoopbackTests {
    @Test(arguments: LLRPCaptureTests.logs) func conversationOverLoopbackTCP(_ name: String) throws {
        let log = try Captures.load(name)
        let reader = try LLRPLoopbackReader()
        defer { close(reader.listenFD) }
        var config = try llrpConfig(from: log)
        config.port = reader.port
        let clock = ManualClock()
        clock.set(milliseconds: log.records.first.map { llrpMilliseconds($0.time) } ?? 0)
        let recorder = LLRPLoopbackRecorder()
        // The log's GPO writes become feedback outcomes of one step each (a
        // runner plays outcomes; four are enough for the logs' distinct writes).
        let writes = log.records.compactMap(\.gpoWrite).map { LLRPGPOStep.encode(port: $0.port, high: $0.high) }
        var outcomeOf: [[UInt8]: FeedbackOutcome] = [:]
        for w in writes where outcomeOf[w] == nil {
            guard outcomeOf.count < FeedbackOutcome.allCases.count else { Issue.record("\(name): more distinct GPO writes than outcomes"); break }
            outcomeOf[w] = FeedbackOutcome.allCases[outcomeOf.count]
        }
        let plans = Dictionary(uniqueKeysWithValues: outcomeOf.map { ($1, FeedbackPlan.bytes($0)) })
        let runner = try loopbackRunner(config, name: name, clock: clock, recorder: recorder, feedback: plans)
        let done = DispatchSemaphore(value: 0)
        let stopOnce = NSLock()
        nonisolated(unsafe) var stopping = false
        // stop() waits for the goodbye, which the script below has to answer: ask from another thread.
        let requestStop = {
            stopOnce.lock(); defer { stopOnce.unlock() }
            guard !stopping else { return }
            stopping = true
            Thread.detachNewThread { runner.stop(); done.signal() }
        }
        runner.start()
        let problems = reader.play(log, lineNumbers: try Captures.recordLineNumbers(name), clock: clock, requestStop: requestStop, recorder: recorder) { port, high in
            // The session writes GPOs only while it runs: let it take in the setup's last response first.
            #expect(waitUntil { runner.isConnected })
            if let outcome = outcomeOf[LLRPGPOStep.encode(port: port, high: high)] { #expect(runner.send(outcome)) }
        }
        // Let the runner finish its shutdown; virtual time moves so close timeouts can fire.
        var finished = false
        for _ in 0..<2000 where !finished {
            finished = done.wait(timeout: .now() + .milliseconds(10)) == .success
            clock.advance(by: .milliseconds(500))
        }
        #expect(finished, "runner did not stop")
        #expect(problems.isEmpty, "\(problems)")

        // The handler's events equal those of the in-process conversation
        // replay (.session), apart from the times the client stamps itself
        // and the reconnect it may make after the log has ended.
        let replay = try Captures.conversation(name)
        let (events, sent) = recorder.snapshot()
        let expected = replay.events.map(untimed)
        let got = Array(events.map(untimed).prefix(expected.count))
        if let i = (0..<min(got.count, expected.count)).first(where: { got[$0] != expected[$0] }) ?? (got.count == expected.count ? nil : min(got.count, expected.count)) {
            Issue.record("\(name): event \(i) of \(expected.count): got \(got.count > i ? EventJSON.line(got[i]) : "nothing"), expected \(expected.count > i ? EventJSON.line(expected[i]) : "nothing")")
        }
        #expect(events.dropFirst(expected.count).allSatisfy { e in
            switch e { case .tag, .gpi, .scan, .trigger: false; default: true }
        }, "events after the log ended")
        // Everything the log expects, in order; after the log ends the client may
        // only have reconnected and said CLOSE_CONNECTION on shutdown.
        let want = log.records.filter { $0.direction == .toDevice }.map(\.bytes)
        #expect(Array(sent.prefix(want.count)) == want)
        #expect(sent.dropFirst(want.count).allSatisfy { $0.count >= 2 && $0[1] == 14 },
                "unexpected extra messages: \(sent.dropFirst(want.count).map { LLRPMessageType.name(UInt16($0.count >= 2 ? Int($0[0] & 0x03) << 8 | Int($0[1]) : 0)) }), events after the log: \(events.dropFirst(expected.count).map { EventJSON.line($0) })")
    }
}

@Suite struct LLRPClientConnectTests {
    /// Nobody listening: each attempt fails with a typed reason naming the
    /// peer and is retried with the reader's backoff, until stopped.
    @Test func refusedConnectionsAreRetriedWithBackoffUntilStopped() throws {
        let reader = try LLRPLoopbackReader()
        let port = reader.port
        close(reader.listenFD) // the port is now closed: connect gets ECONNREFUSED
        var config = LLRPReaderConfig(host: "127.0.0.1")
        config.port = port
        config.backoff = Backoff(initial: .milliseconds(10), maximum: .milliseconds(40))
        let log = MemoryDeviceLog()
        let runner = try loopbackRunner(config, name: "refused", clock: ManualClock(), recorder: LLRPLoopbackRecorder(), logger: log)
        runner.start()
        #expect(waitUntil { log.lines.filter { $0.contains("retrying in") }.count >= 4 })
        runner.stop()
        let failures = log.lines.filter { $0.contains("retrying in") }
        #expect(failures.allSatisfy { $0.contains("connect(127.0.0.1:\(port)): ECONNREFUSED") }, "\(failures)")
        #expect(Array(failures.prefix(4).map { $0.components(separatedBy: "retrying in ").last ?? "" }) == ["10 ms", "20 ms", "40 ms", "40 ms"])
        if case .llrp(let s)? = runner.protocolStatus { #expect(s.connectFailures >= 4) } else { Issue.record("no LLRP status") }
    }
}

struct LoopbackError: Error, CustomStringConvertible { let description: String }
