import Foundation
import ScanModel
import Stations
import Testing
@testable import Service

/// A session store whose saves wait at a gate: the station's queue stays
/// busy on its first input, as under a flood of inputs that each commit.
final class GatedSessionStore: SessionStore, @unchecked Sendable {
    let inner: SessionStore
    let gate = DispatchSemaphore(value: 0)
    let entered = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var closed = true
    /// Every save waits for its own `gate.signal()` (until `open()`), not only the first.
    let stepwise: Bool
    init(_ inner: SessionStore, stepwise: Bool = false) { self.inner = inner; self.stepwise = stepwise }
    func open() { lock.withLock { closed = false } }
    private func pass() {
        if lock.withLock({ closed }) { entered.signal(); gate.wait(); if !stepwise { lock.withLock { closed = false } } }
    }
    func loadSession(station: String) throws -> SavedSession? { try inner.loadSession(station: station) }
    func saveSession(station: String, snapshot: Data) throws { pass(); try inner.saveSession(station: station, snapshot: snapshot) }
    func appendToSession(station: String, entry: Data) throws { pass(); try inner.appendToSession(station: station, entry: entry) }
    func removeSession(station: String) throws { try inner.removeSession(station: station) }
    func nextSessionNumber(station: String) throws -> UInt64 { try inner.nextSessionNumber(station: station) }
}

/// A device that floods its station cannot grow the station's queue without
/// bound: past the limit inputs are refused at once, each answered with the
/// error signal, counted, and the log says so once.
@Suite struct StationQueueLimitTests {
    @Test func aFloodedStationDropsPastItsQueueLimitAndAnswersEveryInputOnce() throws {
        let w = try RealLedgerWorld()
        let sessions = GatedSessionStore(w.stores)
        let deps = StationDependencies(ledger: w.gateway, stock: w.gateway, master: w.gateway, expected: w.stores, sessions: sessions)
        let signals = Locked<[FeedbackOutcome]>([])
        let logs = Locked<[String]>([])
        let host = try StationHost(specs: [StationSpec(name: "mover", kind: .move, devices: ["flooder"], zones: [])], dependencies: deps,
                                   reviews: w.stores, hub: EventHub(),
                                   signal: { _, outcome in signals.withLock { $0.append(outcome) } },
                                   log: { _, line in logs.withLock { $0.append(line) } })
        let item = StationInput.tradeItem(TradeItemScan(gtin: w.plain))
        host.deliver(.location("A-01"), to: "mover", at: today(), from: "flooder")
        sessions.entered.wait()  // the station is stuck in its first save
        let extra = 11
        for _ in 0..<(StationHost.queueLimit - 1) { host.deliver(item, to: "mover", at: today(), from: "flooder") }
        host.deliver(.idleTick, to: "mover", at: today(), from: nil)  // a full queue skips a tick: not a drop, no log
        for _ in 0..<extra { host.deliver(item, to: "mover", at: today(), from: "flooder") }
        #expect(host.droppedInputs == ["mover": extra])
        #expect(signals.withLock { $0 } == Array(repeating: .error, count: extra))  // the dropped ones, answered at once
        #expect(logs.withLock { $0 }.filter { $0.contains("input queue full") }.count == 1)
        host.deliver(.idleTick, to: "mover", at: today(), from: nil)  // a tick is skipped, not counted
        #expect(host.droppedInputs == ["mover": extra])
        sessions.open(); sessions.gate.signal()
        host.drain()
        #expect(signals.withLock { $0.count } == StationHost.queueLimit + extra)  // every input answered once
        // Room again: the next input is taken, and a later overflow is logged again.
        host.deliver(item, to: "mover", at: today(), from: "flooder")
        host.drain()
        #expect(host.droppedInputs == ["mover": extra])
        #expect(signals.withLock { $0.count } == StationHost.queueLimit + extra + 1)
    }
}
