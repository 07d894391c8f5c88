#if canImport(Glibc)
import Glibc
#endif

/// A system call that failed: the call as a person would write it (with what
/// it acted on) and errno. Printed the way one searches for it:
/// `open("/dev/ttyUSB0"): ENOENT (No such file or directory)`.
/// Modelled on apple/swift-system's `Errno`, with the call's name attached
/// because "No such file or directory" alone does not say which file.
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    public let code: Int32
    /// `open("/dev/ttyUSB0")`, `connect(10.0.0.5:5084)`, `poll`.
    public let call: String

    public init(_ code: Int32, call: String) {
        self.code = code
        self.call = call
    }

    /// The symbolic name (`ENOENT`), or `errno N` for one not in the table.
    public var name: String { Errno.symbols[code] ?? "errno \(code)" }
    /// The C library's text for the code.
    public var message: String { String(cString: strerror(code)) }
    public var description: String { "\(call): \(name) (\(message))" }

    /// No data now on a non-blocking descriptor: not a failure, try later.
    public var wouldBlock: Bool { code == EAGAIN || code == EWOULDBLOCK }

    /// The codes a daemon on devices and sockets meets; others print as numbers.
    static let symbols: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", EINTR: "EINTR", EIO: "EIO", ENXIO: "ENXIO", EBADF: "EBADF",
        EAGAIN: "EAGAIN", ENOMEM: "ENOMEM", EACCES: "EACCES", EBUSY: "EBUSY", EEXIST: "EEXIST",
        ENODEV: "ENODEV", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL", EMFILE: "EMFILE",
        ENOTTY: "ENOTTY", ENOSPC: "ENOSPC", EPIPE: "EPIPE", ENOTSOCK: "ENOTSOCK", EADDRINUSE: "EADDRINUSE",
        EADDRNOTAVAIL: "EADDRNOTAVAIL", ENETUNREACH: "ENETUNREACH", ECONNABORTED: "ECONNABORTED",
        ECONNRESET: "ECONNRESET", ENOTCONN: "ENOTCONN", ETIMEDOUT: "ETIMEDOUT", ECONNREFUSED: "ECONNREFUSED",
        EHOSTUNREACH: "EHOSTUNREACH", EINPROGRESS: "EINPROGRESS", EALREADY: "EALREADY",
    ]
}

/// Runs one system call the way every call in this project is run: `body`
/// returns -1 and sets errno on failure (open, read, write, poll, socket…).
/// A call cut short by a signal (EINTR) is made again unless
/// `retryOnInterrupt` is false; any other failure throws `Errno` naming the
/// call. `call` is only evaluated on failure, so hot paths pay nothing for
/// the text. The shape is apple/swift-system's `valueOrErrno(retryOnInterrupt:)`.
@inlinable @discardableResult
public func valueOrErrno<T: FixedWidthInteger>(
    _ call: @autoclosure () -> String, retryOnInterrupt: Bool = true, _ body: () -> T
) throws(Errno) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if retryOnInterrupt && code == EINTR { continue }
        throw Errno(code, call: call())
    }
}
