import CLinuxShims
import Foundation
import Testing
@testable import Service

/// A blocking test client for the control socket.
final class ControlClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var storage = [UInt8](repeating: 0, count: CLinuxShims_sockaddr_un_size())
        let length = storage.withUnsafeMutableBytes { CLinuxShims_sockaddr_un($0.baseAddress!, path) }
        let rc = storage.withUnsafeBytes { connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(length)) }
        try #require(rc == 0, "connect: \(String(cString: strerror(errno)))")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
    deinit { close(fd) }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// The next reply as a JSON object, or nil on EOF/timeout.
    func readReply() -> [String: Any]? {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<nl]); buffer.removeFirst(nl + 1)
                return (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[..<n])
        }
    }
}

@Suite(.serialized) struct ControlServerTests {
    func withServer(_ body: (String) throws -> Void) throws {
        let path = NSTemporaryDirectory() + "control-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let server = ControlServer(path: path, mode: 0o660) { request, reply in
            switch try? request.optional("request")?.string() {
            case "status":
                reply.send(["ok": true, "devices": 2])
            case "watch":
                // Streams until the client goes away.
                var n = 0
                while reply.send(["event": "tick", "n": n]) { n += 1; usleep(1000) }
            case "bye":
                reply.send(["ok": true]); reply.close()
            default:
                reply.send(["ok": false, "error": "unknown request"])
            }
        }
        try server.start()
        defer { server.stop() }
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        try body(path)
    }

    @Test func answersOneLinePerRequest() throws {
        try withServer { path in
            let client = try ControlClient(path: path)
            client.write("{\"request\":\"status\"}\n{\"request\":\"nope\"}\n")
            #expect(client.readReply()?["devices"] as? Int == 2)
            #expect(client.readReply()?["error"] as? String == "unknown request")
        }
    }

    @Test func badJSONIsAnsweredAndTheConnectionSurvives() throws {
        try withServer { path in
            let client = try ControlClient(path: path)
            client.write("{not json\n[1,2]\n\n{\"request\":\"status\"}\n")
            // Said where, the way the config file's errors are.
            #expect((client.readReply()?["error"] as? String ?? "").hasPrefix("request 1:1:2: "))
            #expect(client.readReply()?["error"] as? String == "request 2:1:1: expected an object, got an array")
            #expect(client.readReply()?["ok"] as? Bool == true)
        }
    }

    @Test func oversizedRequestIsRefused() throws {
        try withServer { path in
            let client = try ControlClient(path: path)
            client.write(String(repeating: "x", count: ControlServer.maxRequestBytes + 10))
            let reply = client.readReply()
            #expect((reply?["error"] as? String)?.contains("longer than") == true)
            #expect(client.readReply() == nil)  // dropped
        }
    }

    @Test func aStreamingClientDoesNotBlockOthers() throws {
        try withServer { path in
            let watcher = try ControlClient(path: path)
            watcher.write("{\"request\":\"watch\"}\n")
            #expect(watcher.readReply()?["event"] as? String == "tick")
            // The watcher stops reading; another client is still served.
            let other = try ControlClient(path: path)
            other.write("{\"request\":\"status\"}")   // no trailing newline, then EOF
            shutdown(other.fd, Int32(SHUT_WR))
            #expect(other.readReply()?["devices"] as? Int == 2)
        }
    }

    @Test func handlerCanCloseTheConversation() throws {
        try withServer { path in
            let client = try ControlClient(path: path)
            client.write("{\"request\":\"bye\"}\n{\"request\":\"status\"}\n")
            #expect(client.readReply()?["ok"] as? Bool == true)
            #expect(client.readReply() == nil)
        }
    }

    /// A client that leaves a `watch` stream makes `send` fail; the reply must
    /// still release its descriptor, or a daemon loses one fd per watcher that
    /// disconnects (found by the `soak` benchmark: 19 fds in 40 s).
    @Test func aReplyWhoseClientWentAwayStillClosesItsDescriptor() throws {
        var pair: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        var before = stat()
        try #require(fstat(pair[0], &before) == 0)
        let reply = ControlReply(fd: pair[0])
        close(pair[1])                                   // the watcher hangs up
        #expect(reply.send(["type": "heartbeat"]) == false)
        #expect(reply.isClosed)
        reply.close()                                    // what the server does next
        // Closed means EBADF, or the number already reused by another test for a different file.
        var after = stat()
        let stillOurs = fstat(pair[0], &after) == 0 && after.st_ino == before.st_ino && after.st_dev == before.st_dev
        #expect(!stillOurs, "the socket is still open after close()")
        if stillOurs { close(pair[0]) }
    }

    @Test func replacesAStaleSocketFile() throws {
        let path = NSTemporaryDirectory() + "stale-\(getpid()).sock"
        FileManager.default.createFile(atPath: path, contents: Data("old".utf8))
        let server = ControlServer(path: path) { _, reply in reply.send(["ok": true]) }
        try server.start()
        defer { server.stop() }
        let client = try ControlClient(path: path)
        client.write("{}\n")
        #expect(client.readReply()?["ok"] as? Bool == true)
    }

    @Test func unknownGroupIsAClearError() {
        let server = ControlServer(path: NSTemporaryDirectory() + "g-\(getpid()).sock", group: "no-such-group-scanledger") { _, _ in }
        #expect(throws: ControlError.self) { try server.start() }
    }
}
