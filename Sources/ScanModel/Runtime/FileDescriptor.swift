#if canImport(Glibc)
import Glibc
#endif

/// An open file descriptor (device node, socket, pipe, eventfd) as a type,
/// not a bare `Int32`, with its calls made through `valueOrErrno`. Owners
/// keep it as `FileDescriptor?` and release it with `closeOnce()`, so a
/// descriptor number (which the kernel reuses at once) is never closed twice.
public struct FileDescriptor: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// open(2). `O_CLOEXEC` is added: a descriptor must not leak into children.
    public static func open(_ path: String, _ flags: Int32, permissions: mode_t = 0) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try valueOrErrno("open(\"\(path)\")") { Glibc.open(path, flags | O_CLOEXEC, permissions) })
    }

    /// Reads what is there. Throws `Errno` with `wouldBlock` when a
    /// non-blocking descriptor has nothing; returns 0 at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, what: @autoclosure () -> String = "") throws(Errno) -> Int {
        try valueOrErrno(Self.name("read", what())) { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// One write(2); may write less than asked (see `writeAll`).
    public func write(_ bytes: UnsafeRawBufferPointer, what: @autoclosure () -> String = "") throws(Errno) -> Int {
        try valueOrErrno(Self.name("write", what())) { Glibc.write(rawValue, bytes.baseAddress, bytes.count) }
    }

    /// Writes every byte, waiting up to `timeoutMs` each time a non-blocking
    /// descriptor is full. Sockets use send(MSG_NOSIGNAL), so a peer that went
    /// away is EPIPE, not a SIGPIPE that kills the daemon.
    public func writeAll(_ bytes: [UInt8], timeoutMs: Int32, socket: Bool = false, what: @autoclosure () -> String = "") throws(Errno) {
        var done = 0
        while done < bytes.count {
            do throws(Errno) {
                done += try valueOrErrno(Self.name(socket ? "send" : "write", what())) {
                    bytes.withUnsafeBytes { raw in
                        let rest = UnsafeRawBufferPointer(rebasing: raw[done...])
                        return socket ? Glibc.send(rawValue, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL))
                            : Glibc.write(rawValue, rest.baseAddress, rest.count)
                    }
                }
            } catch where error.wouldBlock {
                if try poll(events: Int16(POLLOUT), timeoutMs: timeoutMs) == 0 {
                    throw Errno(ETIMEDOUT, call: Self.name(socket ? "send" : "write", what()))
                }
            }
        }
    }

    /// close(2), not retried: on Linux the descriptor is gone even when close
    /// reports EINTR, and a retry could close a descriptor another thread just got.
    public func close() { _ = Glibc.close(rawValue) }

    public func setNonBlocking(what: @autoclosure () -> String = "") throws(Errno) {
        let flags = try valueOrErrno(Self.name("fcntl(F_GETFL)", what())) { fcntl(rawValue, F_GETFL) }
        try valueOrErrno(Self.name("fcntl(F_SETFL)", what())) { fcntl(rawValue, F_SETFL, flags | O_NONBLOCK) }
    }

    /// Waits for `events` on this descriptor; returns its revents (0: timed
    /// out, or a signal ended the wait early, which callers treat alike).
    public func poll(events: Int16, timeoutMs: Int32) throws(Errno) -> Int16 {
        var entry = pollfd(fd: rawValue, events: events, revents: 0)
        let ready = try Self.poll(&entry, count: 1, timeoutMs: timeoutMs)
        return ready == 0 ? 0 : entry.revents
    }

    /// poll(2) over `count` entries. EINTR returns 0 instead of polling again
    /// with the whole timeout (callers loop and recompute their deadline).
    public static func poll(_ entries: UnsafeMutablePointer<pollfd>, count: Int, timeoutMs: Int32) throws(Errno) -> Int {
        do throws(Errno) {
            return Int(try valueOrErrno("poll", retryOnInterrupt: false) { Glibc.poll(entries, nfds_t(count), timeoutMs) })
        } catch where error.code == EINTR {
            return 0
        }
    }

    static func name(_ call: String, _ what: String) -> String { what.isEmpty ? call : "\(call)(\(what))" }
}

extension Optional where Wrapped == FileDescriptor {
    /// Closes the descriptor if one is held and forgets it: closing twice is
    /// impossible, because the second call finds nil.
    public mutating func closeOnce() {
        if let fd = self { fd.close() }
        self = nil
    }
}
