import CLinuxShims
import Foundation
import ScanModel

/// The daemon's control socket: a Unix stream socket speaking one JSON object
/// per line in both directions (docs/control-protocol.md). Each connection
/// gets its own thread, so a slow `watch` client never blocks another client
/// or the daemon; the handler decides what a request means. Requests are read
/// with the kernel's strict JSON reader, so a bad line is answered with where
/// it went wrong (`request 2:1:14: …`).
///
/// `@unchecked Sendable`: `listener`, `clients` and `stopped` are guarded by `lock`.
public final class ControlServer: BackgroundService, @unchecked Sendable {
    public typealias Handler = @Sendable (_ request: JSONCursor, _ reply: ControlReply) -> Void

    /// Longest request line accepted; a client sending more is told so and dropped.
    public static let maxRequestBytes = 1 << 20

    public let path: String
    public var serviceName: String { "control socket \(path)" }
    private let handler: Handler
    private let mode: mode_t
    private let group: String?
    private let acceptThread = ServiceThread(name: "control-accept")
    private let lock = NSLock()
    private var listener: FileDescriptor?
    private var clients: Set<Int32> = []
    private var stopped = false

    /// `group` (a group name) and `mode` are applied to the socket file.
    public init(path: String, mode: mode_t = 0o660, group: String? = nil, handler: @escaping Handler) {
        self.path = path; self.mode = mode; self.group = group
        self.handler = handler
    }

    /// Binds and listens, replacing a stale socket file left by a crash.
    public func start() throws {
        let fd = try FileDescriptor.socket(domain: AF_UNIX, type: Int32(SOCK_STREAM.rawValue), what: path)
        do {
            try bindAndListen(fd)
        } catch {
            fd.close()
            throw error
        }
        lock.withLock { listener = fd }
        acceptThread.start { [self] _ in acceptLoop(fd) }
    }

    private func bindAndListen(_ fd: FileDescriptor) throws {
        var storage = [UInt8](repeating: 0, count: CLinuxShims_sockaddr_un_size())
        let length = storage.withUnsafeMutableBytes { CLinuxShims_sockaddr_un($0.baseAddress!, path) }
        guard length > 0 else { throw ControlError.pathTooLong(path) }
        unlink(path)
        try valueOrErrno("bind(\"\(path)\")") {
            storage.withUnsafeBytes { bind(fd.rawValue, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(length)) }
        }
        try valueOrErrno("chmod(\"\(path)\")") { chmod(path, mode) }
        if let group {
            guard let entry = getgrnam(group) else { throw ControlError.unknownGroup(group) }
            try valueOrErrno("chown(\"\(path)\")") { chown(path, uid_t.max, entry.pointee.gr_gid) }
        }
        try fd.listen(backlog: 16, what: path)
    }

    /// Stops accepting, closes every client and removes the socket file.
    public func stop() {
        let (fd, open) = lock.withLock { () -> (FileDescriptor?, Set<Int32>) in
            stopped = true
            defer { listener = nil }
            return (listener, clients)
        }
        // shutdown(2) wakes the accept(2) the accept thread is blocked in.
        acceptThread.stop(wake: { if let fd { shutdown(fd.rawValue, Int32(SHUT_RDWR)) } })
        fd?.close()
        for client in open { shutdown(client, Int32(SHUT_RDWR)) }
        unlink(path)
    }

    private func acceptLoop(_ fd: FileDescriptor) {
        while true {
            let client: FileDescriptor
            do { client = try fd.accept(what: path) } catch {
                if error.code == ECONNABORTED { continue }
                return  // shut down by stop()
            }
            let accepted = lock.withLock { () -> Bool in
                if stopped { return false }
                clients.insert(client.rawValue)
                return true
            }
            guard accepted else { client.close(); return }
            let thread = Thread { [self] in serve(client.rawValue) }
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
                let request: JSONCursor
                do {
                    request = try JSONCursor.parse(bytes, file: "request \(lineNumber)", maxDepth: 32)
                    _ = try request.members()
                } catch {
                    reply.send(["ok": false, "error": "\(error)"])
                    continue
                }
                handler(request, reply)
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
            // Blocking socket: the timeout only matters if it ever turns non-blocking.
            do { try FileDescriptor(rawValue: fd).writeAll(Array(data), timeoutMs: 10_000, socket: true, what: "control client") } catch {
                closed = true
                return false
            }
            return true
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
    case pathTooLong(String)
    case unknownGroup(String)

    public var description: String {
        switch self {
        case .pathTooLong(let path): return "control socket \(path): the path is longer than a Unix socket address holds (108 bytes)"
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
            let n = (try? chunk.withUnsafeMutableBytes { try FileDescriptor(rawValue: fd).read(into: $0, what: "control client") }) ?? 0
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
