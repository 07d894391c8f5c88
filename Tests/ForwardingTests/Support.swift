import Foundation
import Testing
@testable import Forwarding
import Ledger
import ScanModel

/// A local ledger (one "box") in its own temporary directory, with a little master data.
final class Box: @unchecked Sendable {
    let directory: URL
    let path: String
    let ledger: Ledger
    let origin: String

    static let widget = "04006381333931"
    static let bolt = "BOLT-M8"
    static let milk = "09506000134352"

    init(origin: String) throws {
        self.origin = origin
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("forward-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("ledger.db").path
        ledger = try Ledger(path: path, options: LedgerOptions(synchronous: .normal))
        try ledger.importItems([
            Item(gtin: GTIN(Self.widget), sku: "WID-1", description: "Widget"),
            Item(sku: Self.bolt, description: "Bolt M8"),
            Item(gtin: GTIN(Self.milk), description: "Milk", tracking: .lot),
        ])
        try ledger.importLocations([Location(code: "DOCK1", type: .dock), Location(code: "A-01"), Location(code: "A-02")])
    }

    deinit {
        ledger.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Posts `count` postings (receipts, every third a move back out, and a
    /// reversal now and then), keys prefixed with `tag`; returns how many were posted.
    @discardableResult
    func postMix(_ count: Int, tag: String) throws -> Int {
        var requests: [PostingRequest] = []
        for i in 0..<count {
            let key = "\(origin)-\(tag)-\(i)"
            switch i % 3 {
            case 0:
                requests.append(PostingRequest(key: key, kind: .receipt, ref: "ASN-\(tag)", station: origin, eventTime: "2024-05-01T10:00:00Z",
                                               lines: [PostingLine(item: ItemCode(Self.widget), qty: Int64(1 + i % 7), from: VirtualLocation.supplier, to: "DOCK1"),
                                                       PostingLine(item: ItemCode(Self.milk), qty: 2, from: VirtualLocation.supplier, to: "A-01", lot: "L\(i % 4)")]))
            case 1:
                requests.append(PostingRequest(key: key, kind: .receipt, station: origin,
                                               lines: [PostingLine(item: ItemCode(Self.bolt), qty: 10, from: VirtualLocation.supplier, to: "A-02")]))
            default:
                requests.append(PostingRequest(key: key, kind: .move, station: origin,
                                               lines: [PostingLine(item: ItemCode(Self.bolt), qty: 3, from: "A-02", to: "A-01")]))
            }
        }
        let results = try ledger.postAndWait(requests)
        var posted = 0
        for r in results {
            try #require(r.status == .posted, "posting \(r.key) was \(r.status): \(r.error ?? "")")
            posted += 1
        }
        return posted
    }

    var head: Int64 { (try? ledger.outboxBacklog().headSeq.value) ?? -1 }

    /// Local on-hand at physical locations, keyed "location|item|lot".
    func balances() throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in try ledger.stock() {
            out["\(row.location)|\(row.item)|\(row.lot ?? "")", default: 0] += row.qty
        }
        return out
    }

    func forwarder(_ settings: CentralConnectionSettings, batchSize: Int = 1_000, alarmPostings: Int64 = 1_000_000,
                   log: @escaping Forwarder.Log = { _, _ in }) throws -> Forwarder {
        Forwarder(config: try ForwarderConfig(connection: settings, origin: origin, site: "site-1", batchSize: batchSize,
                                              pollIntervalSeconds: 0.05, retryInitialSeconds: 0.05, retryMaxSeconds: 0.5,
                                              backlogAlarmPostings: alarmPostings, backlogMeasureIntervalSeconds: 0.1),
                  ledger: ledger, log: log)
    }
}

/// Central balances keyed like `Box.balances`, items shown as posted (GTIN or SKU).
func centralBalances(_ db: PGConnection, origin: String? = nil) throws -> [String: Int64] {
    let r = origin == nil
        ? try db.query("SELECT location, item, coalesce(lot, ''), qty FROM site_balances")
        : try db.query("SELECT location, item, coalesce(lot, ''), qty FROM origin_balances WHERE origin = $1", [origin])
    var out: [String: Int64] = [:]
    for i in 0..<r.rowCount {
        out["\(r.text(i, 0) ?? "")|\(r.text(i, 1) ?? "")|\(r.text(i, 2) ?? "")", default: 0] += r.int(i, 3) ?? 0
    }
    return out
}

/// Local balances show items by GTIN when they have one, central ones as
/// posted; the test postings use GTINs for GTIN items, so they agree.
func count(_ db: PGConnection, _ sql: String, _ params: [String?] = []) throws -> Int64 {
    try db.query(sql, params).int(0, 0) ?? -1
}

/// Whether `error` is a conflict naming the central row `row` ("(origin, seq)"
/// or "journal entry (origin, id)") and saying it was not overwritten.
func isConflict(_ error: any Error, naming row: String) -> Bool {
    guard let e = error as? CentralError else { return false }
    return e.kind == .conflict && e.message.contains(row) && e.message.contains("not overwritten")
}

/// Waits (polling) until `condition` holds; fails the test after `seconds`.
/// Not a timing assertion: the limit only stops a test that would hang.
func waitUntil(_ what: String, seconds: Double = 60, _ condition: () throws -> Bool) throws {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while Date() < deadline {
        if try condition() { return }
        usleep(20_000)
    }
    throw TestFailure("gave up waiting (\(Int(seconds)) s) for: \(what)")
}
