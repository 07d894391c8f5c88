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
///
/// Not `Sendable`: like the transport that owns it, it belongs to the one
/// thread that reads and closes it (the runner's device thread); other
/// threads only wake that read (`EvdevTransport.interrupt()`).
public final class EvdevInputDevice {
    public let path: String
    /// nil once closed, so the descriptor number is never closed twice.
    public private(set) var fd: FileDescriptor?

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
            fd = f
        } catch {
            throw EvdevDeviceError(path: path, call: error.call.hasPrefix("open") ? "open" : error.call, errno: error.code)
        }
    }

    public func close() {
        if let fd { _ = CLinuxShims_evdev_grab(fd.rawValue, 0) }
        fd.closeOnce()
    }

    deinit { close() }
}
