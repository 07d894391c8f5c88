import Foundation

/// Syslog priorities, written as sd-daemon prefixes (`<3>`) so journald keeps
/// the level of every line the daemon prints on stderr.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case error = 3, warning = 4, notice = 5, info = 6, debug = 7

    public init?(name: String) {
        switch name.lowercased() {
        case "error", "err": self = .error
        case "warning", "warn": self = .warning
        case "notice": self = .notice
        case "info": self = .info
        case "debug": self = .debug
        default: return nil
        }
    }
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// A line logger for the daemon. Thread-safe; lines are written whole with
/// one `write(2)` so concurrent devices never interleave mid-line.
///
/// `@unchecked Sendable`: `threshold` is guarded by `lock`; `sink` is immutable.
public final class Logger: @unchecked Sendable {
    private let lock = NSLock()
    private var threshold: LogLevel
    private let sink: @Sendable (String) -> Void

    public init(level: LogLevel = .info, sink: @escaping @Sendable (String) -> Void = Logger.standardError) {
        self.threshold = level
        self.sink = sink
    }

    public var level: LogLevel {
        get { lock.withLock { threshold } }
        set { lock.withLock { threshold = newValue } }
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    /// `subject` names what the line is about: a device or station by its
    /// configured name, or a component ("ledger", "control").
    public func log(_ level: LogLevel, _ subject: String, _ message: @autoclosure () -> String) {
        guard level <= self.level else { return }
        // Newlines inside a message would split one event into several journal
        // entries with the wrong priority; flatten them.
        let text = message().replacingOccurrences(of: "\n", with: " ⏎ ")
        sink("<\(level.rawValue)>\(subject): \(text)\n")
    }

    public func error(_ subject: String, _ message: @autoclosure () -> String) { log(.error, subject, message()) }
    public func warning(_ subject: String, _ message: @autoclosure () -> String) { log(.warning, subject, message()) }
    public func notice(_ subject: String, _ message: @autoclosure () -> String) { log(.notice, subject, message()) }
    public func info(_ subject: String, _ message: @autoclosure () -> String) { log(.info, subject, message()) }
    public func debug(_ subject: String, _ message: @autoclosure () -> String) { log(.debug, subject, message()) }
}
