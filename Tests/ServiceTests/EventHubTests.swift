import Foundation
import Testing
@testable import Service

/// A `watch` client that stops reading must not slow the daemon or the
/// other clients: its backlog is bounded, it loses its oldest events and
/// is told how many.
@Suite struct EventHubTests {
    /// Collects what one stream sends; `stallFirst` blocks the first send
    /// until released, like a client that stopped reading its socket.
    final class Client: @unchecked Sendable {
        let lock = NSLock()
        var seqs: [Int] = []
        var dropped = 0
        let release = DispatchSemaphore(value: 0)
        let subscribed = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        init(hub: EventHub, stallFirst: Bool) {
            Thread.detachNewThread { [self] in
                var first = true
                hub.stream(station: nil, subscribed: { self.subscribed.signal() }) { event in
                    if first, stallFirst, event["seq"] != nil { first = false; release.wait() }
                    lock.withLock {
                        if let n = event["seq"] as? Int { seqs.append(n) }
                        if event["type"] as? String == "dropped" { dropped += event["count"] as? Int ?? 0 }
                    }
                    return true
                }
                finished.signal()
            }
            subscribed.wait()
        }
    }

    @Test func aStalledClientLosesItsOldestEventsAndIsToldWhileTheOthersGetAll() throws {
        let hub = EventHub()
        let stalled = Client(hub: hub, stallFirst: true)
        let live = Client(hub: hub, stallFirst: false)
        let total = EventHub.backlogLimit * 2 + 17
        // In steps the live client keeps up with (a reading client), so only
        // the stalled one overflows.
        for start in stride(from: 0, to: total, by: 1_000) {
            for n in start..<min(total, start + 1_000) { hub.publish(["type": "scan", "seq": n]) }
            try eventually("the live client has every event") { live.lock.withLock { live.seqs.count } == min(total, start + 1_000) }
        }
        stalled.release.signal()
        try eventually("the stalled client has caught up") { stalled.lock.withLock { stalled.seqs.last } == total - 1 }
        hub.close()
        stalled.finished.wait(); live.finished.wait()
        #expect(live.seqs == Array(0..<total))
        #expect(live.dropped == 0)
        // Nothing vanished unreported: what the stalled client got plus what it was told it lost is everything.
        #expect(stalled.dropped > 0)
        #expect(stalled.seqs.count + stalled.dropped == total)
        // And the admin sees the total (`scanledger_watch_events_dropped_total`).
        #expect(hub.eventsDropped == stalled.dropped)
        #expect(stalled.seqs == stalled.seqs.sorted() && Set(stalled.seqs).count == stalled.seqs.count)
        // Held at most: the batch the client was stuck in (itself a backlog) plus the backlog.
        #expect(stalled.seqs.count <= 2 * EventHub.backlogLimit, "the backlog grew past its bound")
    }
}
