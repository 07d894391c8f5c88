#if canImport(Glibc)
import Glibc
#endif
import ScanModel

/// Errors from opening and talking to devices, with what a person needs to act.
public enum DeviceError: Error, Equatable, CustomStringConvertible {
    /// A system call failed: the call, what it acted on, and errno.
    case system(Errno)
    /// libserialport refused: the call, the port, and its message.
    case serialPort(call: String, port: String, message: String)
    /// No port matched the configured selector.
    case notFound(String)
    /// The device closed the connection (unplugged, pty closed).
    case hangup(String)
    /// A connection failed in a way errno does not describe: a host name
    /// that does not resolve, a protocol session the device broke off.
    case connection(String)
    /// Bad configuration: names the key or value at fault.
    case configuration(String)
    /// A capture log that cannot be read: file:line and what is wrong.
    case captureFormat(file: String, line: Int, message: String)

    public var description: String {
        switch self {
        case .system(let e):
            return e.description
        case .serialPort(let call, let port, let message):
            return "\(call)(\(port)) failed: \(message)"
        case .notFound(let what): return "no serial port matches \(what)"
        case .hangup(let what): return "\(what): device hung up"
        case .configuration(let message), .connection(let message): return message
        case .captureFormat(let file, let line, let message): return "\(file):\(line): \(message)"
        }
    }
}

extension DeviceError {
    /// A failed call on a device: a device that is gone (EIO when the other
    /// end of a pty closed, ENODEV when a USB device was pulled, a reset TCP
    /// peer) is a hangup the runner reconnects from; the rest say what failed.
    public init(_ error: Errno) {
        switch error.code {
        case EIO, ENODEV, ENXIO, EPIPE, ECONNRESET: self = .hangup(error.description)
        default: self = .system(error)
        }
    }

    /// Runs calls that throw `Errno` inside code that throws `DeviceError`.
    @inline(__always)
    static func wrapping<T>(_ body: () throws(Errno) -> T) throws(DeviceError) -> T {
        do throws(Errno) { return try body() } catch { throw DeviceError(error) }
    }
}
