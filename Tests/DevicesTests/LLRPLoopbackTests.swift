import Foundation
import Glibc
import Testing
@testable import Devices
import ScanModel

/// A virtual clock the peer advances and the client reads.
final class LLRPVirtualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var ms: Int64 = 0
    func now() -> Int64 { lock.lock(); defer { lock.unlock() }; return ms }
    func set(_ v: Int64) { lock.lock(); if v > ms { ms = v }; lock.unlock() }
    func advance(_ d: Int64) { lock.lock(); ms += d; lock.unlock() }
}

final class LLRPLoopbackRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var events: [DeviceEvent] = []
    private(set) var sent: [[UInt8]] = []
    private var outputs: [LLRPSessionOutput] = []
    func add(_ batch: EventBatch) { lock.lock(); events += batch.events; lock.unlock() }
    func add(_ o: LLRPSessionOutput) { lock.lock(); outputs.append(o); if case .send(let b, _, _) = o { sent.append(b) }; lock.unlock() }
    var outputCount: Int { lock.lock(); defer { lock.unlock() }; return outputs.count }
    /// True once the client has gone to wait for a reconnect after output `index`.
    func waitingToReconnect(after index: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return outputs.dropFirst(index).contains(.note(.state(.waitingToReconnect)))
    }
    func snapshot() -> ([DeviceEvent], [[UInt8]]) { lock.lock(); defer { lock.unlock() }; return (events, sent) }
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

    /// Accepts the client's next connection, stepping virtual time so its backoff can expire.
    func accept(clock: LLRPVirtualClock) -> Int32 {
        for _ in 0..<3000 {
            var p = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 10) > 0 { return Glibc.accept(listenFD, nil, nil) }
            clock.advance(250)
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
    func play(_ log: CaptureLog, lineNumbers: [Int], clock: LLRPVirtualClock, client: LLRPTCPClient, recorder: LLRPLoopbackRecorder) -> [String] {
        var problems: [String] = []
        var conn: Int32 = -1
        var closedAt = -1
        for (line, number) in zip(log.records, lineNumbers) {
            let ms = llrpMilliseconds(line.time)
            switch line.direction {
            case .fromDevice:
                if conn < 0 { clock.set(ms); conn = accept(clock: clock) }
                clock.set(ms)
                _ = line.bytes.withUnsafeBytes { send(conn, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            case .toDevice:
                if conn < 0 { conn = accept(clock: clock) }
                guard let got = readMessage(conn) else { problems.append("line \(number): client sent nothing"); continue }
                if got != line.bytes { problems.append("line \(number): client sent \(got.map(hex2).joined())") }
            case .event:
                clock.set(ms)
                if line.event == "stop" { client.requestStop() } else if conn >= 0 {
                    closedAt = recorder.outputCount
                    close(conn); conn = -1
                }
            }
        }
        // A log ending in "! close": let the client see the close before asking it to stop.
        if log.records.last?.event == "close" {
            for _ in 0..<500 where !recorder.waitingToReconnect(after: closedAt) { usleep(2_000) }
        }
        client.requestStop()
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
        let clock = LLRPVirtualClock()
        clock.set(log.records.first.map { llrpMilliseconds($0.time) } ?? 0)
        let recorder = LLRPLoopbackRecorder()
        let client = LLRPTCPClient(config: config, name: DeviceID(name), device: DeviceIndex(0), clock: { clock.now() },
                                   stamp: { Microseconds(clock.now() &* 1000) },
                                   handler: { _, batch in recorder.add(batch) }, onOutput: { recorder.add($0) })
        client.pollIntervalMilliseconds = 5
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread { client.run(); done.signal() }
        let problems = reader.play(log, lineNumbers: try Captures.recordLineNumbers(name), clock: clock, client: client, recorder: recorder)
        // Let the client finish its shutdown; virtual time moves so close timeouts can fire.
        var finished = false
        for _ in 0..<2000 where !finished {
            finished = done.wait(timeout: .now() + .milliseconds(10)) == .success
            clock.advance(500)
        }
        #expect(finished, "client did not stop")
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
        #expect(sent.dropFirst(want.count).allSatisfy { $0.count >= 2 && $0[1] == 14 }, "unexpected extra messages")
    }
}

@Suite struct LLRPClientConnectTests {
    /// Nobody listening: each attempt fails with a typed reason and is retried with backoff.
    @Test func refusedConnectionsAreRetriedWithBackoffUntilStopped() throws {
        let reader = try LLRPLoopbackReader()
        let port = reader.port
        close(reader.listenFD) // the port is now closed: connect gets ECONNREFUSED
        var config = LLRPReaderConfig(host: "127.0.0.1")
        config.port = port
        let clock = LLRPVirtualClock()
        let notes = LLRPNoteBox()
        let client = LLRPTCPClient(config: config, name: "refused", device: DeviceIndex(0), clock: { clock.now() },
                                   handler: { _, _ in }, onOutput: { if case .note(let n) = $0 { notes.add(n) } })
        client.pollIntervalMilliseconds = 5
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread { client.run(); done.signal() }
        for _ in 0..<1000 where notes.failures() < 3 { usleep(2_000); clock.advance(1000) }
        client.requestStop()
        var finished = false
        for _ in 0..<500 where !finished { finished = done.wait(timeout: .now() + .milliseconds(10)) == .success }
        #expect(finished)
        #expect(notes.failures() >= 3)
        let all = notes.all()
        #expect(all.contains { if case .transportFailed(let r) = $0 { return r.contains("127.0.0.1:\(port)") && r.contains("refused") } else { return false } })
        let delays = all.compactMap { n -> Int64? in if case .reconnectScheduled(_, let d) = n { return d } else { return nil } }
        #expect(Array(delays.prefix(3)) == [1000, 2000, 4000])
    }
}

struct LoopbackError: Error, CustomStringConvertible { let description: String }

final class LLRPNoteBox: @unchecked Sendable {
    private let lock = NSLock()
    private var notes: [LLRPSessionNote] = []
    func add(_ n: LLRPSessionNote) { lock.lock(); notes.append(n); lock.unlock() }
    func all() -> [LLRPSessionNote] { lock.lock(); defer { lock.unlock() }; return notes }
    func failures() -> Int { all().filter { if case .transportFailed = $0 { return true } else { return false } }.count }
}
