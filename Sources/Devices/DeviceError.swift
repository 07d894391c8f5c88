#if canImport(Glibc)
import Glibc
#endif

/// Errors from opening and talking to devices, with what a person needs to act.
public enum DeviceError: Error, Equatable, CustomStringConvertible {
    /// A system call failed: its name, what it acted on, and errno.
    case system(call: String, target: String, errno: Int32)
    /// libserialport refused: the call, the port, and its message.
    case serialPort(call: String, port: String, message: String)
    /// No port matched the configured selector.
    case notFound(String)
    /// The device closed the connection (unplugged, pty closed).
    case hangup(String)
    /// Bad configuration: names the key or value at fault.
    case configuration(String)
    /// A capture log that cannot be read: file:line and what is wrong.
    case captureFormat(file: String, line: Int, message: String)

    public var description: String {
        switch self {
        case .system(let call, let target, let e):
            return "\(call)(\(target)) failed: \(String(cString: strerror(e))) (errno \(e))"
        case .serialPort(let call, let port, let message):
            return "\(call)(\(port)) failed: \(message)"
        case .notFound(let what): return "no serial port matches \(what)"
        case .hangup(let what): return "\(what): device hung up"
        case .configuration(let message): return message
        case .captureFormat(let file, let line, let message): return "\(file):\(line): \(message)"
        }
    }
}

/// Runs a system call, retrying when a signal interrupted it, and turns a
/// -1 return into `DeviceError.system` naming the call and its target.
@discardableResult
func sysCall<T: BinaryInteger>(_ name: String, _ target: String, _ body: () -> T) throws(DeviceError) -> T {
    while true {
        let r = body()
        if r != -1 { return r }
        let e = errno
        if e == EINTR { continue }
        throw DeviceError.system(call: name, target: target, errno: e)
    }
}
