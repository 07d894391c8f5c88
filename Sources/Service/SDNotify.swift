import CLinuxShims
import Foundation

/// The sd_notify protocol without libsystemd: one datagram per message to the
/// Unix socket named by `NOTIFY_SOCKET` (a leading `@` means the abstract
/// namespace). Without `NOTIFY_SOCKET` (not under systemd) every call is a no-op.
public struct SDNotify: Sendable {
    public let socketPath: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["NOTIFY_SOCKET"]
        socketPath = (path?.isEmpty ?? true) ? nil : path
    }

    /// Sends `state` ("READY=1", "STATUS=…", "WATCHDOG=1", "STOPPING=1").
    /// Returns false when the datagram could not be delivered; the daemon
    /// keeps running either way, systemd's own timeouts notice the rest.
    @discardableResult
    public func send(_ state: String) -> Bool {
        guard let path = socketPath else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var storage = [UInt8](repeating: 0, count: CLinuxShims_sockaddr_un_size())
        let length = storage.withUnsafeMutableBytes { CLinuxShims_sockaddr_un(UnsafeMutableRawPointer($0.baseAddress!), path) }
        guard length > 0 else { return false }
        let bytes = Array(state.utf8)
        let sent = storage.withUnsafeBytes { addr in
            bytes.withUnsafeBytes { buf in
                // MSG_DONTWAIT: a notify socket nobody reads (its queue holds
                // ~10 datagrams) must never stall the daemon, least of all its shutdown.
                sendto(fd, buf.baseAddress, buf.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT),
                       addr.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(length))
            }
        }
        return sent == bytes.count
    }

    /// Half of `WATCHDOG_USEC` (systemd's advice), when the watchdog is on and
    /// meant for this process (`WATCHDOG_PID` absent or ours).
    public static func watchdogInterval(environment: [String: String] = ProcessInfo.processInfo.environment,
                                        pid: Int32 = getpid()) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        return .microseconds(Int64(usec / 2))
    }
}
