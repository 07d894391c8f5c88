#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims
import ScanModel

public struct EvdevDeviceError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var call: String
    public var errno: Int32
    /// The kernel's view, for `DeviceError.system`: `ioctl(EVIOCGRAB, "/dev/null"): ENOTTY (…)`.
    public var systemError: Errno { Errno(errno, call: call == "open" ? "open(\"\(path)\")" : "\(call.dropLast()), \"\(path)\")") }
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
        do throws(Errno) {
            let f = try FileDescriptor.open(path, O_RDONLY | O_NONBLOCK)
            if grab {
                do throws(Errno) { try valueOrErrno("ioctl(EVIOCGRAB)") { CLinuxShims_evdev_grab(f.rawValue, 1) } } catch {
                    f.close()
                    throw error
                }
            }
            fd = f.rawValue
        } catch {
            throw EvdevDeviceError(path: path, call: error.call.hasPrefix("open") ? "open" : error.call, errno: error.code)
        }
    }

    public func close() {
        guard fd >= 0 else { return }
        _ = CLinuxShims_evdev_grab(fd, 0)
        FileDescriptor(rawValue: fd).close()
        fd = -1
    }

    deinit { close() }
}
