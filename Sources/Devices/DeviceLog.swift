import Foundation
import ScanModel

/// Where devices report what happens to them, at the kernel's `LogLevel`
/// (devices use error, warning and info). The service plugs in its logger;
/// the default writes to standard error.
public protocol DeviceLogger: Sendable {
    func log(_ level: LogLevel, device: String, _ message: String)
}

public struct StandardErrorLogger: DeviceLogger {
    public init() {}
    public func log(_ level: LogLevel, device: String, _ message: String) {
        FileHandle.standardError.write(Data("\(level): \(device): \(message)\n".utf8))
    }
}

