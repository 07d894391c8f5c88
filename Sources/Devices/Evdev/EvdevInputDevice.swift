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
/// ungrabs. `EvdevTransport` reads it (whole `input_event` records) for the
/// runner and the `evdev` driver.
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

    public func close() {
        guard fd >= 0 else { return }
        _ = CLinuxShims_evdev_grab(fd, 0)
        _ = Glibc.close(fd)
        fd = -1
    }

    deinit { close() }
}
