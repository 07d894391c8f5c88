import Foundation
import Ledger
import ScanModel
import Stations

/// The Stations seams that read and post through the real ledger:
/// PostingGateway, StockLookup and MasterData. Stations run on their own
/// queues and call these synchronously; the Ledger is thread-safe.
public final class LedgerStationGateway: PostingGateway, StockLookup, MasterData, @unchecked Sendable {
    public let ledger: Ledger
    /// Commit latencies and outcomes, for metrics (read with `counters`).
    private let lock = NSLock()
    private var stats = GatewayCounters()

    public init(ledger: Ledger) { self.ledger = ledger }

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
        return outcome
    }

    // MARK: StockLookup

    public func onHand(item: ItemCode, lot: String?, at location: LocationCode) throws -> Int64 {
        let rows = try stockRows(StockQuery(location: location.code, item: item.code, lot: lot))
        return rows.reduce(Int64(0)) { $0 &+ $1.qty }
    }

    public func balances(at location: LocationCode) throws -> [StockBalance] {
        try stockRows(StockQuery(location: location.code)).map {
            StockBalance(item: ItemCode($0.item), lot: $0.lot, serial: $0.serial, qty: $0.qty)
        }
    }

    /// Stock rows; an item or location the ledger does not know has none.
    private func stockRows(_ q: StockQuery) throws -> [StockRow] {
        do { return try ledger.stock(q) } catch let e as LedgerError {
            switch e {
            case .unknownItem, .unknownLocation: return []
            default: throw e
            }
        }
    }

    public func location(ofItem item: ItemCode, serial: String) throws -> SerialPosition? {
        try ledger.serialLocation(item: item.code, serial: serial).map(Self.position)
    }

    public func position(ofEPC epc: EPC) throws -> SerialPosition? {
        try ledger.serialLocation(epc: epc.hex).map(Self.position)
    }

    private static func position(_ s: SerialLocation) -> SerialPosition {
        SerialPosition(item: ItemCode(s.item), serial: s.serial, lot: s.lot, location: s.location.map { LocationCode($0) })
    }

    public func ledgerSequence() throws -> LedgerSequence { try ledger.latestSequence() }

    public func lastChange(at location: LocationCode) throws -> LedgerSequence { try ledger.lastChange(at: location.code) }

    // MARK: MasterData

    public func item(_ code: ItemCode) throws -> ItemRecord? {
        guard let s = try ledger.itemSummary(code.code) else { return nil }
        return ItemRecord(code: ItemCode(s.code), description: s.description, tracking: s.tracking)
    }

    public func location(_ code: LocationCode) throws -> LocationRecord? {
        try ledger.locationType(code.code).map { LocationRecord(code: code, kind: $0) }
    }
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
