import Foundation
import ScanModel
import Testing
@testable import Service

final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ s: String) { lock.withLock { items.append(s) } }
    var all: [String] { lock.withLock { items } }
}

@Suite struct LogTests {
    @Test func prefixesPriorityAndFiltersByLevel() {
        let lines = Lines()
        let log = Logger(level: .info, sink: { lines.append($0) })
        log.error("dock-3", "CRC mismatch at byte 17")
        log.debug("dock-3", "hidden")
        log.info("ledger", "two\nlines")
        #expect(lines.all == ["<3>dock-3: CRC mismatch at byte 17\n", "<6>ledger: two ⏎ lines\n"])
        log.level = .debug
        log.debug("x", "shown")
        #expect(lines.all.last == "<7>x: shown\n")
    }
}

/// A datagram socket standing in for systemd's notify socket.
struct NotifyListener {
    let fd: Int32
    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            if path.hasPrefix("@") { raw[0] = 0 }
        }
        let len = MemoryLayout<sa_family_t>.size + bytes.count + (path.hasPrefix("@") ? 0 : 1)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(len)) } }
        try #require(rc == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }
}

@Suite struct SDNotifyTests {
    @Test func sendsToFilesystemSocket() throws {
        let path = NSTemporaryDirectory() + "notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path) }
        let listener = try NotifyListener(path: path)
        defer { close(listener.fd) }
        let notify = SDNotify(environment: ["NOTIFY_SOCKET": path])
        #expect(notify.send("READY=1"))
        #expect(listener.receive() == "READY=1")
        #expect(notify.send("STATUS=3 devices, 0 errors"))
        #expect(listener.receive() == "STATUS=3 devices, 0 errors")
    }

    @Test func sendsToAbstractSocket() throws {
        let name = "@scanledger-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifyListener(path: name)
        defer { close(listener.fd) }
        #expect(SDNotify(environment: ["NOTIFY_SOCKET": name]).send("WATCHDOG=1"))
        #expect(listener.receive() == "WATCHDOG=1")
    }

    @Test func withoutSystemdIsANoOp() {
        #expect(SDNotify(environment: [:]).send("READY=1") == false)
        #expect(SDNotify(environment: ["NOTIFY_SOCKET": "/nonexistent/dir/sock"]).send("READY=1") == false)
    }

    @Test func watchdogIntervalIsHalfAndOnlyForUs() {
        #expect(SDNotify.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"], pid: 42) == .seconds(15))
        #expect(SDNotify.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], pid: 42) == .seconds(15))
        #expect(SDNotify.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "7"], pid: 42) == nil)
        #expect(SDNotify.watchdogInterval(environment: ["WATCHDOG_USEC": "abc"], pid: 42) == nil)
        #expect(SDNotify.watchdogInterval(environment: [:], pid: 42) == nil)
    }
}
