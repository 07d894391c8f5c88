#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims

public struct EvdevDeviceError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var call: String
    public var errno: Int32
    public var description: String {
        var hint = ""
        if errno == EACCES { hint = " (add the service user to group 'input' or install the udev rule)" }
        if errno == EBUSY { hint = " (another program holds EVIOCGRAB on it)" }
        if errno == ENOTTY || errno == EINVAL { hint = " (not an evdev device: use /dev/input/by-id/*-event-kbd)" }
        return "evdev \(path): \(call) failed: \(String(cString: strerror(errno)))\(hint)"
    }
}

/// An evdev keyboard node opened non-blocking and grabbed (EVIOCGRAB), so
/// scans do not also type into the console or a logged-in session. Closing
/// ungrabs. Reads return whole `input_event` records; feed them to
/// `EvdevDecoder`.
public final class EvdevInputDevice: @unchecked Sendable {
    public let path: String
    public private(set) var fd: Int32 = -1

    public init(path: String, grab: Bool = true) throws {
        self.path = path
        let f = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard f >= 0 else { throw EvdevDeviceError(path: path, call: "open", errno: errno) }
        if grab && CLinuxShims_evdev_grab(f, 1) != 0 {
            let e = errno
            _ = Glibc.close(f)
            throw EvdevDeviceError(path: path, call: "ioctl(EVIOCGRAB)", errno: e)
        }
        fd = f
    }

    /// Reads what is available (whole records); empty when nothing is pending.
    public func read(maxRecords: Int = 64) throws -> [UInt8] {
        guard fd >= 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: maxRecords * EvdevDecoder.recordSize)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n >= 0 { return Array(buffer[0..<n]) }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return [] }
            throw EvdevDeviceError(path: path, call: "read", errno: errno)
        }
    }

    public func close() {
        guard fd >= 0 else { return }
        _ = CLinuxShims_evdev_grab(fd, 0)
        _ = Glibc.close(fd)
        fd = -1
    }

    deinit { close() }
}
