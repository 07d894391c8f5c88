import Foundation
import Testing
@testable import Ledger
import ScanModel

/// A fresh ledger in its own temporary directory, with a small master data set.
final class TestLedger {
    let directory: URL
    let path: String
    let ledger: Ledger

    static let widget: ItemCode = "04006381333931"      // GTIN-14, no tracking
    static let milk: ItemCode = "09506000134352"        // lot-tracked
    static let drill: ItemCode = "00614141123452"       // serial-tracked

    init(options: LedgerOptions = LedgerOptions(), seed: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("ledger.db").path
        ledger = try Ledger(path: path, options: options)
        if seed {
            try ledger.importItems([
                Item(gtin: GTIN(Self.widget.code), sku: "WID-1", description: "Widget", tracking: .none),
                Item(gtin: GTIN(Self.milk.code), description: "Milk", tracking: .lot),
                Item(gtin: GTIN(Self.drill.code), description: "Drill", tracking: .serial),
                Item(sku: "BOLT-M8", description: "Bolt M8", tracking: .none),
            ])
            try ledger.importLocations([
                Location(code: "DOCK1", gln: GLN("0614141000012"), type: .dock),
                Location(code: "A-01", type: .storage),
                Location(code: "A-02", type: .storage),
                Location(code: "PACK1", type: .pack),
                Location(code: "SHIP1", type: .shipping),
                Location(code: "FLOAT", type: .storage, allowNegative: true),
            ])
        }
    }

    deinit {
        ledger.close()
        try? FileManager.default.removeItem(at: directory)
    }

    func post(_ r: PostingRequest) throws -> PostingResult { try ledger.postAndWait([r])[0] }

    func receive(_ key: String, item: ItemCode = TestLedger.widget, qty: Int64, to: LocationCode = "DOCK1",
                 lot: String? = nil, serial: String? = nil, epc: String? = nil) throws -> PostingResult {
        try post(PostingRequest(key: key, kind: .receipt, eventTime: "2024-05-01T10:00:00Z",
                                lines: [PostingLine(item: item, qty: qty, from: VirtualLocation.supplier, to: to, lot: lot, serial: serial, epc: epc)]))
    }

    func move(_ key: String, item: ItemCode = TestLedger.widget, qty: Int64, from: LocationCode, to: LocationCode,
              lot: String? = nil, serial: String? = nil) throws -> PostingResult {
        try post(PostingRequest(key: key, kind: .move, lines: [PostingLine(item: item, qty: qty, from: from, to: to, lot: lot, serial: serial)]))
    }

    func onHand(_ item: ItemCode, _ location: LocationCode) throws -> Int64 {
        try ledger.read { try $0.onHand(item: item.code, location: location.code) }
    }

    /// Runs raw SQL on a separate connection, the way a careless tool would.
    func rawExec(_ sql: String) throws {
        let c = try Connection(path: path)
        try c.exec("PRAGMA foreign_keys = ON")
        try c.exec(sql)
    }
}
