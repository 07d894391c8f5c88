#if canImport(Glibc)
import Glibc
#endif

/// The socket calls, through the same wrapper as every other system call,
/// so a listener or client (LLRP, the control socket, the reader emulator)
/// reports `connect(10.0.0.5:5084): ECONNREFUSED (Connection refused)`.
extension FileDescriptor {
    /// socket(2) with `SOCK_CLOEXEC`. `type` is `SOCK_STREAM` and friends as `Int32`.
    public static func socket(domain: Int32, type: Int32, protocol: Int32 = 0, what: @autoclosure () -> String = "") throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try valueOrErrno(name("socket", what())) { Glibc.socket(domain, type | Int32(SOCK_CLOEXEC.rawValue), `protocol`) })
    }

    /// setsockopt(2) for the common integer options (TCP_NODELAY, SO_REUSEADDR…).
    public func setOption(level: Int32, _ option: Int32, _ value: Int32, what: @autoclosure () -> String = "") throws(Errno) {
        var v = value
        try valueOrErrno(Self.name("setsockopt", what())) { setsockopt(rawValue, level, option, &v, socklen_t(MemoryLayout<Int32>.size)) }
    }

    /// bind(2) to a `sockaddr_in`, `sockaddr_in6` or `sockaddr_un` value.
    public func bind<Address>(_ address: Address, what: @autoclosure () -> String = "") throws(Errno) {
        var a = address
        let fd = rawValue
        try valueOrErrno(Self.name("bind", what())) {
            withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<Address>.size)) } }
        }
    }

    public func listen(backlog: Int32, what: @autoclosure () -> String = "") throws(Errno) {
        try valueOrErrno(Self.name("listen", what())) { Glibc.listen(rawValue, backlog) }
    }

    /// accept(2) of the next client (close-on-exec). Throws with `wouldBlock`
    /// on a non-blocking listener with nobody waiting.
    public func accept(what: @autoclosure () -> String = "") throws(Errno) -> FileDescriptor {
        // accept4(SOCK_CLOEXEC) is not visible to Swift (it needs _GNU_SOURCE).
        let client = FileDescriptor(rawValue: try valueOrErrno(Self.name("accept", what())) { Glibc.accept(rawValue, nil, nil) })
        _ = fcntl(client.rawValue, F_SETFD, FD_CLOEXEC)
        return client
    }

    /// connect(2). On a non-blocking socket EINPROGRESS (and EINTR, after
    /// which the connection also goes on in the background) comes back as
    /// `false`: wait for POLLOUT, then read `pendingError()`.
    public func connect(_ address: UnsafePointer<sockaddr>, length: socklen_t, what: @autoclosure () -> String = "") throws(Errno) -> Bool {
        do throws(Errno) {
            try valueOrErrno(Self.name("connect", what()), retryOnInterrupt: false) { Glibc.connect(rawValue, address, length) }
            return true
        } catch where error.code == EINPROGRESS || error.code == EINTR {
            return false
        }
    }

    /// SO_ERROR: the outcome of a background connect (0 when it succeeded).
    public func pendingError(what: @autoclosure () -> String = "") throws(Errno) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        try valueOrErrno(Self.name("getsockopt(SO_ERROR)", what())) { getsockopt(rawValue, SOL_SOCKET, SO_ERROR, &code, &length) }
        return code
    }

    /// The local port a socket was bound to (port 0 asks the kernel to pick one).
    public func localPort(what: @autoclosure () -> String = "") throws(Errno) -> UInt16 {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = rawValue
        let rc = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        try valueOrErrno(Self.name("getsockname", what()), retryOnInterrupt: false) { rc }
        let family = Int32(address.ss_family)
        return withUnsafeBytes(of: address) { raw in
            if family == AF_INET6 { return UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port) }
            return UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
        }
    }
}
