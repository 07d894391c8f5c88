#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims

/// A tty opened with plain open(2)/termios: pseudo-terminals, socat and
/// ser2net virtual ports, and any tty libserialport will not open
/// (libserialport 0.1.1 refuses ptys: docs/devices.md).
public final class TermiosTransport: ByteTransport {
    public let path: String
    public let serialSettings: SerialSettings?
    private var fd: Int32
    private let wake = WakeSignal()

    public var description: String { path }

    /// Opens `path` non-blocking, without becoming its controlling terminal,
    /// and puts it in raw mode with `settings`.
    public init(path: String, settings: SerialSettings) throws(DeviceError) {
        self.path = path
        self.serialSettings = settings
        fd = try sysCall("open", path) { Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) }
        let parity: CChar = switch settings.parity { case .none: 78; case .even: 69; case .odd: 79 }
        let r = CLinuxShims_set_raw_termios(fd, Int32(settings.baud), Int32(settings.dataBits), parity,
                                            Int32(settings.stopBits), settings.flow == .rtscts ? 1 : 0)
        if r != 0 {
            let e = errno
            Glibc.close(fd)
            fd = -1
            throw DeviceError.system(call: "tcsetattr", target: "\(path) \(settings)", errno: e)
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMs: Int32) throws(DeviceError) -> Int {
        guard fd >= 0 else { throw .hangup(path) }
        let revents = wake.poll(device: fd, timeoutMs: timeoutMs)
        if revents < 0 {
            if errno == EINTR { return 0 }
            throw .system(call: "poll", target: path, errno: errno)
        }
        if revents == 0 { return 0 }
        if revents & Int32(POLLIN) == 0 && revents & Int32(POLLHUP | POLLERR | POLLNVAL) != 0 {
            throw .hangup(path)
        }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return n }
            if n == 0 { throw .hangup(path) }
            switch errno {
            case EINTR: continue
            case EAGAIN: return 0
            case EIO: throw .hangup(path)     // the other end of a pty closed
            case let e: throw .system(call: "read", target: path, errno: e)
            }
        }
    }

    public func interrupt() { wake.signal() }

    public func write(_ bytes: [UInt8]) throws(DeviceError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n >= 0 { done += n; continue }
            switch errno {
            case EINTR: continue
            case EAGAIN:
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = try sysCall("poll", path) { poll(&p, 1, 2000) }
                if ready == 0 { throw .system(call: "write", target: path, errno: ETIMEDOUT) }
            case EIO: throw .hangup(path)
            case let e: throw .system(call: "write", target: path, errno: e)
            }
        }
    }

    public func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    deinit { close() }
}
