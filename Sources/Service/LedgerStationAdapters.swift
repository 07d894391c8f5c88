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

    public func post(_ request: Stations.PostingRequest) throws -> PostingOutcome {
        let started = DispatchTime.now().uptimeNanoseconds
        let result: PostingResult
        do {
            result = try ledger.postAndWait([LedgerStationGateway.ledgerRequest(request)])[0]
        } catch {
            lock.withLock { stats.failures += 1 }
            throw error
        }
        let micros = (DispatchTime.now().uptimeNanoseconds &- started) / 1_000
        lock.withLock {
            stats.commitMicrosTotal &+= micros
            stats.commits += 1
            stats.lastCommitMicros = micros
        }
        switch result.status {
        case .posted:
            lock.withLock { stats.posted += 1 }
            return .posted(seq: UInt64(clamping: result.seq?.value ?? 0))
        case .duplicate:
            lock.withLock { stats.duplicates += 1 }
            return .duplicate(seq: UInt64(clamping: result.seq?.value ?? 0))
        case .rejected:
            lock.withLock { stats.rejected += 1 }
            return .rejected(reason: result.error ?? "rejected")
        }
    }

    /// A station's request in the ledger's terms. The idempotency key passes
    /// through unchanged: a retried close is answered "duplicate".
    static func ledgerRequest(_ r: Stations.PostingRequest) -> LedgerPostingRequest {
        let lines = r.lines.map { l in
            LedgerPostingLine(item: l.item.code, qty: Int64(l.qty), from: l.from.code, to: l.to.code,
                               lot: l.lot, serial: l.serial, expiry: l.expiry?.iso)
        }
        let kind = LedgerPostingKind(rawValue: r.kind.rawValue) ?? .adjustment
        return LedgerPostingRequest(key: r.key, kind: kind, ref: r.ref, station: r.station,
                                     eventTime: EventTime.utcText(micros: min(max(r.time, 0), latestRepresentableMicros)), sscc: r.container, lines: lines)
    }

    // MARK: StockLookup

    public func onHand(item: ItemCode, lot: String?, at location: LocationCode) throws -> Int {
        let rows = try stockRows(StockQuery(location: location.code, item: item.code, lot: lot))
        return Int(clamping: rows.reduce(Int64(0)) { $0 &+ $1.qty })
    }

    public func balances(at location: LocationCode) throws -> [StockBalance] {
        try stockRows(StockQuery(location: location.code)).map {
            StockBalance(item: ItemCode($0.item), lot: $0.lot, serial: $0.serial, qty: Int(clamping: $0.qty))
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

    public func ledgerSequence() throws -> UInt64 { UInt64(clamping: try ledger.latestSequence().value) }

    public func lastChange(at location: LocationCode) throws -> UInt64 {
        UInt64(clamping: try ledger.lastChange(at: location.code).value)
    }

    // MARK: MasterData

    public func item(_ code: ItemCode) throws -> ItemRecord? {
        guard let s = try ledger.itemSummary(code.code) else { return nil }
        let tracking = Stations.Tracking(rawValue: s.tracking.rawValue) ?? .none
        return ItemRecord(code: ItemCode(s.code), description: s.description, tracking: tracking)
    }

    public func location(_ code: LocationCode) throws -> LocationRecord? {
        guard let t = try ledger.locationType(code.code) else { return nil }
        return LocationRecord(code: code, kind: LocationKind(rawValue: t.rawValue) ?? .storage)
    }
}

/// 9999-12-31T23:59:59Z: device clocks can send garbage, and formatting must not trap on it.
let latestRepresentableMicros: Int64 = 253_402_300_799_000_000

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
