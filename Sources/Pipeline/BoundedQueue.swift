import Foundation

/// A bounded FIFO for handing batches between threads (drivers → pipeline →
/// stations). It never drops anything on its own. When full:
/// - `push` blocks the producer until there is room (or the queue closes):
///   this is the backpressure that slows a driver's intake from its device;
///   time spent waiting is counted in `Stats.fullWaits`;
/// - `tryPush` returns false and counts `Stats.rejected`: the element stays
///   with the caller, who must keep it, retry, or account for it.
/// Closing wakes everyone; `pop` then drains what is left and returns nil.
public final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    public struct Stats: Sendable, Equatable {
        public var capacity: Int
        public var depth: Int
        public var highWater: Int
        public var pushed: UInt64
        public var popped: UInt64
        /// Pushes that had to wait for room.
        public var fullWaits: UInt64
        /// `tryPush` calls refused because the queue was full.
        public var rejected: UInt64
        public var closed: Bool
    }

    public let capacity: Int
    private let condition = NSCondition()
    // Ring buffer; guarded by `condition`.
    private var ring: [Element?]
    private var head = 0
    private var count = 0
    private var closed = false
    private var stats: Stats

    public init(capacity: Int) {
        precondition(capacity > 0, "BoundedQueue capacity must be positive")
        self.capacity = capacity
        ring = Array(repeating: nil, count: capacity)
        stats = Stats(capacity: capacity, depth: 0, highWater: 0, pushed: 0, popped: 0,
                      fullWaits: 0, rejected: 0, closed: false)
    }

    /// Blocks while full. Returns false (element not queued) only if closed.
    @discardableResult
    public func push(_ element: Element) -> Bool {
        condition.lock(); defer { condition.unlock() }
        if count == capacity && !closed { stats.fullWaits += 1 }
        while count == capacity && !closed { condition.wait() }
        guard !closed else { return false }
        enqueueLocked(element)
        return true
    }

    /// Never blocks. False when full or closed; the caller keeps the element.
    public func tryPush(_ element: Element) -> Bool {
        condition.lock(); defer { condition.unlock() }
        guard !closed, count < capacity else {
            if !closed { stats.rejected += 1 }
            return false
        }
        enqueueLocked(element)
        return true
    }

    /// Blocks until an element is available; nil once closed and empty.
    public func pop() -> Element? {
        condition.lock(); defer { condition.unlock() }
        while count == 0 && !closed { condition.wait() }
        return dequeueLocked()
    }

    /// Waits at most `timeout` seconds; nil on timeout or closed and empty.
    public func pop(timeout: TimeInterval) -> Element? {
        condition.lock(); defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while count == 0 && !closed {
            if !condition.wait(until: deadline) { break }
        }
        return dequeueLocked()
    }

    /// Never blocks.
    public func tryPop() -> Element? {
        condition.lock(); defer { condition.unlock() }
        return dequeueLocked()
    }

    public func close() {
        condition.lock()
        closed = true
        stats.closed = true
        condition.broadcast()
        condition.unlock()
    }

    public var snapshot: Stats {
        condition.lock(); defer { condition.unlock() }
        var s = stats
        s.depth = count
        return s
    }

    private func enqueueLocked(_ element: Element) {
        // The bound is the whole point: callers wait or are refused before this.
        precondition(count < capacity, "BoundedQueue: push beyond capacity \(capacity)")
        ring[(head + count) % capacity] = element
        count += 1
        stats.pushed += 1
        if count > stats.highWater { stats.highWater = count }
        condition.broadcast()
    }

    private func dequeueLocked() -> Element? {
        guard count > 0 else { return nil }
        let element = ring[head]
        ring[head] = nil
        head = (head + 1) % capacity
        count -= 1
        stats.popped += 1
        condition.broadcast()
        return element
    }
}
