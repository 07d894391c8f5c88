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

/// Lets a few warnings through per window and counts the rest, so a noisy
/// line cannot flood the log (or the disk) but nobody loses the fact that
/// there were problems.
struct WarningLimiter {
    let perWindow: Int
    let window: Microseconds
    private var windowStart = Microseconds.zero
    private var shown = 0
    private(set) var suppressed = 0

    init(perWindow: Int = 5, window: Microseconds = .seconds(60)) {
        self.perWindow = perWindow; self.window = window
    }

    /// Whether to log a warning now; when a new window opens, also the
    /// number suppressed in the last one (to mention once).
    mutating func admit(at now: Microseconds) -> (show: Bool, suppressedBefore: Int) {
        var before = 0
        if now - windowStart >= window || now < windowStart {
            before = suppressed
            windowStart = now; shown = 0; suppressed = 0
        }
        if shown < perWindow { shown += 1; return (true, before) }
        suppressed += 1
        return (false, before)
    }
}
