import Foundation
import ScanModel

/// Fans out the daemon's event stream (scan results, station events, device
/// events) to `watch` clients. Each subscriber has a bounded backlog drained
/// by its own client thread, so a slow client loses its oldest events (and is
/// told how many) instead of slowing the daemon down.
///
/// `@unchecked Sendable`: `subscribers` is guarded by `lock`.
public final class EventHub: @unchecked Sendable {
    /// `@unchecked Sendable`: `backlog`, `dropped` and `closed` are guarded by `condition`.
    final class Subscriber: @unchecked Sendable {
        let station: String?
        let condition = NSCondition()
        var backlog: [[String: Any]] = []
        var dropped = 0
        var closed = false
        init(station: String?) { self.station = station }
    }

    private let lock = NSLock()
    private var subscribers: [ObjectIdentifier: Subscriber] = [:]
    static let backlogLimit = 10_000
    static let dropChunk = backlogLimit / 4

    public init() {}

    public var subscriberCount: Int { lock.withLock { subscribers.count } }

    /// Events dropped from slow clients' backlogs since start, all clients
    /// together: each client is told its own, this is the admin's total
    /// (`scanledger_watch_events_dropped_total`).
    public var eventsDropped: Int { droppedTotal.withLock { $0 } }
    private let droppedTotal = Locked(0)

    /// Sends `event` to every subscriber whose filter accepts it. Events with
    /// a "station" key are filtered by station; others go to everyone.
    public func publish(_ event: [String: Any]) {
        let targets = lock.withLock { Array(subscribers.values) }
        let station = event["station"] as? String
        for s in targets {
            if let filter = s.station, let station, filter != station { continue }
            if s.station != nil && station == nil && (event["type"] as? String) != "device" { continue }
            s.condition.lock()
            if s.backlog.count >= Self.backlogLimit {
                // The oldest quarter goes at once: removing one element per
                // event shifted the whole backlog on every publish, so a
                // stalled client made each event of a tag flood cost 10,000
                // moves on the router's thread.
                s.backlog.removeFirst(Self.dropChunk)
                s.dropped += Self.dropChunk
                droppedTotal.withLock { $0 += Self.dropChunk }
            }
            s.backlog.append(event)
            s.condition.signal()
            s.condition.unlock()
        }
    }

    /// Streams events to `send` until it returns false or the hub closes.
    /// `subscribed` runs once the subscription is in place, so an answer sent
    /// from it ("streaming") never precedes events the client would miss.
    public func stream(station: String?, subscribed: () -> Void = {}, send: ([String: Any]) -> Bool) {
        let s = Subscriber(station: station)
        lock.withLock { subscribers[ObjectIdentifier(s)] = s }
        subscribed()
        defer { _ = lock.withLock { subscribers.removeValue(forKey: ObjectIdentifier(s)) } }
        while true {
            s.condition.lock()
            while s.backlog.isEmpty && !s.closed { _ = s.condition.wait(until: Date().addingTimeInterval(1)); if s.backlog.isEmpty && !s.closed { break } }
            let batch = s.backlog, dropped = s.dropped, closed = s.closed
            s.backlog.removeAll(); s.dropped = 0
            s.condition.unlock()
            if dropped > 0, !send(["type": "dropped", "count": dropped]) { return }
            for e in batch where !send(e) { return }
            if closed { return }
            // A quiet stream still notices a client that went away.
            if batch.isEmpty, !send(["type": "heartbeat"]) { return }
        }
    }

    /// Ends every stream (shutdown).
    public func close() {
        for s in lock.withLock({ Array(subscribers.values) }) {
            s.condition.lock(); s.closed = true; s.condition.broadcast(); s.condition.unlock()
        }
    }
}
