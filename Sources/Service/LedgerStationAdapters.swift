import Foundation
import Ledger
import ScanModel
import Stations

/// The real ledger as the stations' PostingGateway, StockLookup and
/// MasterData: the Ledger implements the kernel's contract itself, this adds
/// commit metrics. Stations run on their own queues and call it
/// synchronously; the Ledger is thread-safe. `@unchecked Sendable`: `stats`
/// is guarded by `lock`.
public final class LedgerStationGateway: PostingGateway, StockLookup, MasterData, @unchecked Sendable {
    public let ledger: Ledger
    private let lock = NSLock()
    /// Commit latencies and outcomes, for metrics (read with `counters`).
    private var stats = GatewayCounters()

    /// Called after each commit (a posting or journal entries), outside the lock.
    private let committed = Locked<(@Sendable () -> Void)?>(nil)

    public init(ledger: Ledger) { self.ledger = ledger }

    /// Sets what runs after every commit (the daemon wakes its forwarder).
    public func onCommit(_ action: @escaping @Sendable () -> Void) { committed.withLock { $0 = action } }

    public var counters: GatewayCounters { lock.withLock { stats } }

    // MARK: PostingGateway

    public func post(_ request: PostingRequest) throws -> PostingOutcome {
        let started = DispatchTime.now().uptimeNanoseconds
        let outcome: PostingOutcome
        do {
            // One contract on both sides: the request goes to the ledger as it is.
            outcome = try ledger.postAndWait([request])[0].outcome
        } catch {
            lock.withLock { stats.failures += 1 }
            throw error
        }
        let micros = (DispatchTime.now().uptimeNanoseconds &- started) / 1_000
        lock.withLock {
            stats.commitMicrosTotal &+= micros
            stats.commits += 1
            stats.lastCommitMicros = micros
            switch outcome {
            case .posted: stats.posted += 1
            case .duplicate: stats.duplicates += 1
            case .rejected: stats.rejected += 1
            }
        }
        if case .posted = outcome { committed.withLock { $0 }?() }
        return outcome
    }

    // MARK: StockLookup and MasterData: the ledger's own answers.

    public func onHand(item: ItemCode, lot: String?, at location: LocationCode) throws -> Int64 {
        try ledger.onHand(item: item, lot: lot, at: location)
    }
    public func balances(at location: LocationCode) throws -> [StockBalance] { try ledger.balances(at: location) }
    public func location(ofItem item: ItemCode, serial: String) throws -> SerialPosition? { try ledger.location(ofItem: item, serial: serial) }
    public func position(ofEPC epc: EPC) throws -> SerialPosition? { try ledger.position(ofEPC: epc) }
    public func ledgerSequence() throws -> LedgerSequence { try ledger.ledgerSequence() }
    public func lastChange(at location: LocationCode) throws -> LedgerSequence { try ledger.lastChange(at: location) }
    public func holdReason(item: ItemCode, lot: String) throws -> String? { try ledger.holdReason(item: item, lot: lot) }
    public func item(_ code: ItemCode) throws -> ItemRecord? { try ledger.item(code) }
    public func location(_ code: LocationCode) throws -> LocationRecord? { try ledger.location(code) }
}

/// What the gateway has done since start, for `metrics` and `status`.
public struct GatewayCounters: Sendable, Equatable {
    public var posted = 0
    public var duplicates = 0
    public var rejected = 0
    public var failures = 0
    public var commits = 0
    public var commitMicrosTotal: UInt64 = 0
    public var lastCommitMicros: UInt64 = 0
}

extension LedgerStationGateway: ShipmentLookup {
    public func packedCarton(sscc: String) throws -> PackedCarton? { try ledger.packedCarton(sscc: sscc) }
    public func packedCarton(order: String) throws -> PackedCarton? { try ledger.packedCarton(order: order) }
    public func shipment(order: String?, sscc: String?) throws -> ShippedCarton? { try ledger.shipment(order: order, sscc: sscc) }
    public func shipment(carrier: String, tracking: String) throws -> ShippedCarton? { try ledger.shipment(carrier: carrier, tracking: tracking) }
}

extension LedgerStationGateway: LotExpiryLookup {
    public func expiry(item: ItemCode, lot: String) throws -> CivilDate? { try ledger.lotExpiry(item: item, lot: lot) }
}

extension LedgerStationGateway: JournalSink {
    public func record(_ entries: [JournalEntry]) throws {
        try ledger.recordJournal(entries)
        committed.withLock { $0 }?()
    }
}
