import CLinuxShims
import Foundation

/// The daemon's control socket: a Unix stream socket speaking one JSON object
/// per line in both directions (docs/control-protocol.md). Each connection
/// gets its own thread, so a slow `watch` client never blocks another client
/// or the daemon; the handler decides what a request means.
///
/// `@unchecked Sendable`: `listenFD`, `clients` and `stopped` are guarded by `lock`.
public final class ControlServer: @unchecked Sendable {
    public typealias Handler = @Sendable (_ request: [String: Any], _ reply: ControlReply) -> Void

    /// Longest request line accepted; a client sending more is told so and dropped.
    public static let maxRequestBytes = 1 << 20

    public let path: String
    private let handler: Handler
    private var listenFD: Int32 = -1
    private let lock = NSLock()
    private var clients: Set<Int32> = []
    private var stopped = false

    public init(path: String, handler: @escaping Handler) {
        self.path = path
        self.handler = handler
    }

    /// Binds and listens, replacing a stale socket file left by a crash.
    /// `group` (a group name) and `mode` are applied to the socket file.
    public func start(mode: mode_t = 0o660, group: String? = nil) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ControlError.system("socket", errno, path) }
        var storage = [UInt8](repeating: 0, count: CLinuxShims_sockaddr_un_size())
        let length = storage.withUnsafeMutableBytes { CLinuxShims_sockaddr_un($0.baseAddress!, path) }
        guard length > 0 else { close(fd); throw ControlError.system("sockaddr_un", errno, path) }
        unlink(path)
        let bound = storage.withUnsafeBytes { bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(length)) }
        guard bound == 0 else { let e = errno; close(fd); throw ControlError.system("bind", e, path) }
        guard chmod(path, mode) == 0 else { let e = errno; close(fd); throw ControlError.system("chmod", e, path) }
        if let group {
            guard let entry = getgrnam(group) else { close(fd); throw ControlError.unknownGroup(group) }
            guard chown(path, uid_t.max, entry.pointee.gr_gid) == 0 else {
                let e = errno; close(fd); throw ControlError.system("chown", e, path)
            }
        }
        guard listen(fd, 16) == 0 else { let e = errno; close(fd); throw ControlError.system("listen", e, path) }
        listenFD = fd
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "control-accept"
        thread.start()
    }

    /// Stops accepting, closes every client and removes the socket file.
    public func stop() {
        let (fd, open) = lock.withLock { () -> (Int32, Set<Int32>) in
            stopped = true
            return (listenFD, clients)
        }
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
        for client in open { shutdown(client, Int32(SHUT_RDWR)) }
        unlink(path)
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // closed by stop()
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let accepted = lock.withLock { () -> Bool in
                if stopped { return false }
                clients.insert(client)
                return true
            }
            guard accepted else { close(client); return }
            let thread = Thread { [self] in serve(client) }
            thread.name = "control-client"
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        let reply = ControlReply(fd: fd)
        var reader = LineReader(fd: fd, maxLine: ControlServer.maxRequestBytes)
        var lineNumber = 0
        defer {
            reply.close()
            lock.withLock { _ = clients.remove(fd) }
        }
        while let line = reader.next() {
            lineNumber += 1
            switch line {
            case .tooLong:
                reply.send(["ok": false, "error": "request \(lineNumber): longer than \(ControlServer.maxRequestBytes) bytes"])
                return
            case .line(let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
                    reply.send(["ok": false, "error": "request \(lineNumber): not a JSON object"])
                    continue
                }
                handler(object, reply)
                if reply.isClosed { return }
            }
        }
    }
}

/// Where a handler writes its answer: one JSON object per `send`. A streaming
/// request (`watch`) keeps sending until `send` returns false (client gone).
///
/// `@unchecked Sendable`: `closed` and `released` are guarded by `lock`.
public final class ControlReply: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    /// No more sends: the handler closed the conversation or the client went away.
    private var closed = false
    /// The descriptor itself, released exactly once by `close()` whatever
    /// ended the conversation (a failed send must not leak it).
    private var released = false

    init(fd: Int32) { self.fd = fd }

    public var isClosed: Bool { lock.withLock { closed } }

    @discardableResult
    public func send(_ object: [String: Any]) -> Bool {
        guard JSONSerialization.isValidJSONObject(object),
              var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return send(["ok": false, "error": "internal: response is not JSON-serialisable"])
        }
        data.append(0x0A)
        return lock.withLock {
            guard !closed else { return false }
            let ok = data.withUnsafeBytes { buffer -> Bool in
                var offset = 0
                while offset < buffer.count {
                    let n = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return false }
                    offset += n
                }
                return true
            }
            if !ok { closed = true }
            return ok
        }
    }

    /// Ends the conversation after this reply (the server closes the socket).
    public func close() {
        lock.withLock {
            closed = true
            guard !released else { return }
            released = true
            Glibc.close(fd)
        }
    }
}

public enum ControlError: Error, CustomStringConvertible {
    case system(String, Int32, String)
    case unknownGroup(String)

    public var description: String {
        switch self {
        case .system(let call, let code, let path): return "control socket \(path): \(call): \(String(cString: strerror(code)))"
        case .unknownGroup(let group): return "control socket: group '\(group)' does not exist (create it or set control.group)"
        }
    }
}

/// Splits a stream socket into lines, with a cap so a client cannot make the
/// daemon buffer without bound.
struct LineReader {
    enum Item { case line([UInt8]), tooLong }
    let fd: Int32
    let maxLine: Int
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes before this index hold no newline: each byte is searched once,
    /// so a long line costs linear time, not quadratic.
    private var searched = 0

    init(fd: Int32, maxLine: Int) { self.fd = fd; self.maxLine = maxLine }

    mutating func next() -> Item? {
        while true {
            if let newline = buffer[max(start, searched)...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                searched = start
                return .line(line)
            }
            searched = buffer.count
            if buffer.count - start > maxLine { return .tooLong }
            if start > 0 { buffer.removeFirst(start); searched -= start; start = 0 }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                // A final request without a newline still counts.
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                buffer.removeAll(); start = 0; searched = 0
                return .line(line)
            }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}
