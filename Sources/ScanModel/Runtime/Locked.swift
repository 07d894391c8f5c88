import Foundation

/// A value behind a lock: the one way state shared between threads is kept
/// in this code base. `withLock` is the only access, so a read can never
/// forget the lock (Swift 6 checks the rest through `Sendable`).
///
/// `@unchecked Sendable`: every access to `value` goes through `lock`.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access. Keep it short: no I/O, no waiting.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the current value.
    public var snapshot: Value { withLock { $0 } }

    /// Replaces the value; returns the previous one.
    @discardableResult
    public func swap(_ new: Value) -> Value {
        withLock { v in let old = v; v = new; return old }
    }
}
