import Foundation
import ScanModel
@testable import Stations

/// An in-memory ledger that enforces the real ledger's rules, so station tests
/// fail when a station would post something the ledger refuses: idempotency
/// (same key + payload → duplicate, other payload → rejected), known items and
/// locations, positive quantities, no negative stock at physical locations,
/// a serial on hand at most once with quantity 1, all-or-nothing postings,
/// no move/pack/ship out of a held location or of a held lot.
final class FakeLedger: PostingGateway, StockLookup, MasterData, PostingHistory {
    struct Account: Hashable { let location: LocationCode; let item: ItemCode; let lot: String?; let serial: String? }
    struct Unavailable: Error {}

    var items: [ItemCode: ItemRecord] = [:]
    var locations: [LocationCode: LocationRecord] = [:]
    private(set) var balances: [Account: Int64] = [:]
    private(set) var postings: [(request: PostingRequest, seq: LedgerSequence)] = []
    private var byKey: [String: (request: PostingRequest, outcome: PostingOutcome)] = [:]
    private var epcs: [String: (item: ItemCode, serial: String)] = [:]
    private var lastChanges: [LocationCode: LedgerSequence] = [:]
    private(set) var sequence: LedgerSequence = .none
    /// Lots on hold: (item, lot) → reason.
    var lotHolds: [String: String] = [:]
    /// Throw on the next post without committing (ledger down).
    var failNextPost = false
    /// What the next failing post throws (a full disk, say).
    var postFailure: Error = Unavailable()
    /// Commit the next post, then throw (crash before the acknowledgement).
    var loseNextAcknowledgement = false
    private(set) var postCalls = 0

    init() {
        for v in VirtualLocation.all {
            locations[v] = LocationRecord(code: v, kind: .virtual)
        }
    }

    func addItem(_ code: ItemCode, _ tracking: Tracking = .none) { items[code] = ItemRecord(code: code, tracking: tracking) }
    func addLocation(_ code: LocationCode, _ kind: LocationKind = .storage) { locations[code] = LocationRecord(code: code, kind: kind) }
    func registerEPC(_ epc: EPC, item: ItemCode, serial: String) { epcs[epc.hex] = (item, serial) }
    func holdLot(_ item: ItemCode, _ lot: String, reason: String = "RECALL") { lotHolds["\(item.code)/\(lot)"] = reason }

    /// Puts stock somewhere through a real (adjustment) posting.
    func seed(_ item: ItemCode, _ qty: Int64, at location: LocationCode, lot: String? = nil, serial: String? = nil) {
        let r = PostingRequest(key: "seed/\(postings.count)/\(item)/\(serial ?? "")", kind: .adjustment, station: "test", eventTime: .device(.zero),
                               lines: [PostingLine(item: item, qty: qty, from: VirtualLocation.adjustment, to: location, lot: lot, serial: serial)])
        if case .rejected(let why) = try! post(r) { fatalError("seed refused: \(why)") }
    }

    func qty(_ item: ItemCode, at location: LocationCode, lot: String? = nil, serial: String? = nil) -> Int64 {
        balances[Account(location: location, item: item, lot: lot, serial: serial)] ?? 0
    }

    // MARK: PostingGateway

    func post(_ r: PostingRequest) throws -> PostingOutcome {
        postCalls += 1
        if failNextPost { failNextPost = false; throw postFailure }
        if let seen = byKey[r.key] {
            if seen.request != r { return .rejected(reason: "key \(r.key) reused with a different payload") }
            if case .posted(let seq) = seen.outcome { return .duplicate(seq: seq) }
            return seen.outcome
        }
        let outcome = apply(r)
        byKey[r.key] = (r, outcome)
        if loseNextAcknowledgement { loseNextAcknowledgement = false; throw Unavailable() }
        return outcome
    }

    private func apply(_ r: PostingRequest) -> PostingOutcome {
        guard let lines = r.lines else { return .rejected(reason: "entries are not (from, to) pairs of lines") }
        if lines.isEmpty { return .rejected(reason: "no lines") }
        var next = balances
        for l in lines {
            guard l.qty > 0 else { return .rejected(reason: "qty must be positive") }
            guard items[l.item] != nil else { return .rejected(reason: "unknown item \(l.item)") }
            guard locations[l.from] != nil, locations[l.to] != nil else { return .rejected(reason: "unknown location") }
            if items[l.item]?.tracking == .serial && (l.serial == nil || l.qty != 1) {
                return .rejected(reason: "serialised item needs serial and qty 1")
            }
            if r.kind.takesAvailableStockOnly {
                if locations[l.from]?.kind.holdsStock == true { return .rejected(reason: "held-stock: \(l.from) is held") }
                if let lot = l.lot, lotHolds["\(l.item.code)/\(lot)"] != nil { return .rejected(reason: "held-stock: lot \(lot) is on hold") }
            }
            let from = Account(location: l.from, item: l.item, lot: l.lot, serial: l.serial)
            let to = Account(location: l.to, item: l.item, lot: l.lot, serial: l.serial)
            next[from, default: 0] -= l.qty
            next[to, default: 0] += l.qty
        }
        for (a, q) in next where !VirtualLocation.isVirtual(a.location) {
            if q < 0 { return .rejected(reason: "negative stock of \(a.item) at \(a.location)") }
            if a.serial != nil && q > 1 { return .rejected(reason: "serial \(a.serial ?? "") on hand twice") }
        }
        var serialCount: [String: Int] = [:]
        for (a, q) in next where q > 0 && a.serial != nil && !VirtualLocation.isVirtual(a.location) {
            serialCount["\(a.item.code)/\(a.serial ?? "")", default: 0] += 1
        }
        if serialCount.values.contains(where: { $0 > 1 }) { return .rejected(reason: "serial on hand at two locations") }
        sequence = LedgerSequence(sequence.value + 1)
        balances = next.filter { $0.value != 0 }
        for l in lines { lastChanges[l.from] = sequence; lastChanges[l.to] = sequence }
        postings.append((r, sequence))
        return .posted(seq: sequence)
    }

    // MARK: StockLookup

    func onHand(item: ItemCode, lot: String?, at location: LocationCode) throws -> Int64 {
        balances.filter { $0.key.location == location && $0.key.item == item && (lot == nil || $0.key.lot == lot) }.reduce(0) { $0 + $1.value }
    }
    func balances(at location: LocationCode) throws -> [StockBalance] {
        balances.filter { $0.key.location == location && $0.value != 0 }
            .map { StockBalance(item: $0.key.item, lot: $0.key.lot, serial: $0.key.serial, qty: $0.value) }
            .sorted { ($0.item.code, $0.lot ?? "", $0.serial ?? "") < ($1.item.code, $1.lot ?? "", $1.serial ?? "") }
    }
    func location(ofItem item: ItemCode, serial: String) throws -> SerialPosition? {
        guard let a = balances.first(where: { $0.key.item == item && $0.key.serial == serial && $0.value > 0 && !VirtualLocation.isVirtual($0.key.location) })?.key
        else { return nil }
        return SerialPosition(item: item, serial: serial, lot: a.lot, location: a.location)
    }
    func position(ofEPC epc: EPC) throws -> SerialPosition? {
        guard let e = epcs[epc.hex] else { return nil }
        return try location(ofItem: e.item, serial: e.serial) ?? SerialPosition(item: e.item, serial: e.serial, location: nil)
    }
    func ledgerSequence() throws -> LedgerSequence { sequence }
    func lastChange(at location: LocationCode) throws -> LedgerSequence { lastChanges[location] ?? .none }
    func holdReason(item: ItemCode, lot: String) throws -> String? { lotHolds["\(item.code)/\(lot)"] }

    // MARK: PostingHistory

    func postedUnits(kind: PostingKind, ref: String) throws -> [StockBalance] {
        let reversed = Set(postings.compactMap { $0.request.reverses })
        var out: [StockBalance] = []
        for p in postings where p.request.kind == kind && p.request.ref == ref && !reversed.contains(p.seq) {
            for l in p.request.lines ?? [] {
                if let i = out.firstIndex(where: { $0.item == l.item && $0.lot == l.lot && $0.serial == l.serial }) { out[i].qty += l.qty }
                else { out.append(StockBalance(item: l.item, lot: l.lot, serial: l.serial, qty: l.qty)) }
            }
        }
        return out
    }

    func refs(kind: PostingKind, item: ItemCode, serial: String) throws -> [String] {
        let reversed = Set(postings.compactMap { $0.request.reverses })
        var refs: [String] = []
        for p in postings.reversed() where p.request.kind == kind && !reversed.contains(p.seq) {
            guard let ref = p.request.ref, !refs.contains(ref),
                  (p.request.lines ?? []).contains(where: { $0.item == item && $0.serial == serial && $0.qty > 0 }) else { continue }
            refs.append(ref)
        }
        return refs
    }

    // MARK: MasterData

    func item(_ code: ItemCode) throws -> ItemRecord? { items[code] }
    func location(_ code: LocationCode) throws -> LocationRecord? { locations[code] }
}

/// A SessionStore that can be made to fail, to prove memory never runs ahead of disk.
final class FlakySessionStore: SessionStore {
    let inner = InMemorySessionStore()
    var failSaves = false
    /// What a failing save throws.
    var saveFailure: Error = DiskFull()
    private(set) var snapshots = 0
    private(set) var appends = 0
    struct DiskFull: Error {}
    func loadSession(station: String) throws -> SavedSession? { try inner.loadSession(station: station) }
    func saveSession(station: String, snapshot: Data) throws {
        if failSaves { throw saveFailure }
        snapshots += 1
        try inner.saveSession(station: station, snapshot: snapshot)
    }
    func appendToSession(station: String, entry: Data) throws {
        if failSaves { throw saveFailure }
        appends += 1
        try inner.appendToSession(station: station, entry: entry)
    }
    func removeSession(station: String) throws {
        if failSaves { throw saveFailure }
        try inner.removeSession(station: station)
    }
    func nextSessionNumber(station: String) throws -> UInt64 { try inner.nextSessionNumber(station: station) }
}

/// Expected data whose status updates can fail.
final class FlakyExpectedStore: ExpectedDataStore {
    let inner = InMemoryExpectedDataStore()
    var failMarks = false
    var failStores = false
    struct Down: Error {}
    func asn(number: String) throws -> ASN? { try inner.asn(number: number) }
    func asn(containingSSCC sscc: String) throws -> ASN? { try inner.asn(containingSSCC: sscc) }
    func order(numberOrTote: String) throws -> PackOrder? { try inner.order(numberOrTote: numberOrTote) }
    func store(asns: [ASN], orders: [PackOrder]) throws { if failStores { throw Down() }; try inner.store(asns: asns, orders: orders) }
    func markASN(_ number: String, status: DocumentStatus) throws { if failMarks { throw Down() }; try inner.markASN(number, status: status) }
    func markOrder(_ number: String, status: DocumentStatus) throws { if failMarks { throw Down() }; try inner.markOrder(number, status: status) }
    func rma(number: String) throws -> RMA? { try inner.rma(number: number) }
    func store(rmas: [RMA]) throws { if failStores { throw Down() }; try inner.store(rmas: rmas) }
    func markRMA(_ number: String, status: DocumentStatus) throws { if failMarks { throw Down() }; try inner.markRMA(number, status: status) }
}

extension PostingRequest {
    /// The lines a station built, read back from the (from, to) entry pairs
    /// `init(lines:)` makes; nil when the entries are not such pairs, so the
    /// fake refuses what a station could only have built by hand.
    var lines: [PostingLine]? {
        guard entries.count % 2 == 0 else { return nil }
        return try? stride(from: 0, to: entries.count, by: 2).map { i in
            let from = entries[i], to = entries[i + 1]
            guard from.item == to.item, from.lot == to.lot, from.serial == to.serial, from.qty == 0 &- to.qty else { throw PairMismatch() }
            return PostingLine(item: to.item, qty: to.qty, from: from.location, to: to.location,
                               lot: to.lot, serial: to.serial, epc: to.epc, expiry: to.expiry)
        }
    }
}

private struct PairMismatch: Error {}
