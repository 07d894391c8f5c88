import Foundation
import Testing
import Ledger
import ScanModel
import Stations
@testable import Service

/// A session store whose close fails, as on a full disk (issue 18: the move
/// posted, its session could not be closed, and every later CONFIRM was
/// refused as an idempotency conflict, even after a restart).
final class CloseFailingSessions: SessionStore {
    let inner: LedgerStationStores
    var failRemoval = true
    struct DiskFull: Error {}
    init(_ inner: LedgerStationStores) { self.inner = inner }
    func loadSession(station: String) throws -> SavedSession? { try inner.loadSession(station: station) }
    func saveSession(station: String, snapshot: Data) throws { try inner.saveSession(station: station, snapshot: snapshot) }
    func appendToSession(station: String, entry: Data) throws { try inner.appendToSession(station: station, entry: entry) }
    func removeSession(station: String) throws {
        if failRemoval { throw DiskFull() }
        try inner.removeSession(station: station)
    }
    func nextSessionNumber(station: String) throws -> UInt64 { try inner.nextSessionNumber(station: station) }
}

@Suite struct SessionCloseTests {
    @Test func aMoveThatPostedClosesItsSessionEvenWhenTheSeparateCloseFails() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("session-close-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ledger = try Ledger(path: dir.appendingPathComponent("ledger.db").path)
        defer { ledger.close() }
        let item = try #require(GTIN("04006381333931"))
        try ledger.importItems([Item(gtin: item)])
        try ledger.importLocations([Location(code: "A-01"), Location(code: "A-02")])
        _ = try ledger.postAndWait([PostingRequest(key: "seed", kind: .receipt,
                                                   lines: [PostingLine(item: ItemCode(gtin: item), qty: 10, from: VirtualLocation.supplier, to: "A-01")])])
        let gateway = LedgerStationGateway(ledger: ledger)
        let stores = LedgerStationStores(ledger: ledger)
        let sessions = CloseFailingSessions(stores)
        func station() throws -> MoveStation {
            try MoveStation(config: MoveConfig(station: "putaway"),
                            dependencies: StationDependencies(ledger: gateway, stock: gateway, master: gateway, expected: stores, sessions: sessions))
        }
        let now = Microseconds.seconds(1_800_000_000)
        func move(_ s: MoveStation) -> StationEvent {
            s.handle(.location("A-01"), at: now)
            s.handle(.tradeItem(TradeItemScan(gtin: item)), at: now)
            s.handle(.location("A-02"), at: now)
            return s.handle(.command("CONFIRM"), at: now)
        }
        let s = try station()
        #expect(move(s).feedback.code == .posted)
        #expect(!s.hasOpenSession, "the posted move stayed open")
        #expect(try stores.loadSession(station: "putaway") == nil, "the session outlived its posting in the database")
        // The next move is a new one, not a conflicting retry of the first.
        let second = move(s)
        #expect(second.feedback.code == .posted, "\(second.feedback)")
        // A restart resumes nothing.
        #expect(!(try station()).hasOpenSession)
        #expect(try ledger.read { try $0.onHand(item: "04006381333931", location: "A-02") } == 2)
    }
}
