import Foundation
import Testing
import Ledger
import ScanModel
import Stations
@testable import Service

/// Expected data whose separate status marks always fail (as on a full disk);
/// what the posting itself writes goes through.
final class MarkFailingExpected: ExpectedDataStore {
    let inner: LedgerStationStores
    struct DiskFull: Error {}
    init(_ inner: LedgerStationStores) { self.inner = inner }
    func asn(number: String) throws -> ASN? { try inner.asn(number: number) }
    func asn(containingSSCC sscc: String) throws -> ASN? { try inner.asn(containingSSCC: sscc) }
    func order(numberOrTote: String) throws -> PackOrder? { try inner.order(numberOrTote: numberOrTote) }
    func store(asns: [ASN], orders: [PackOrder]) throws { try inner.store(asns: asns, orders: orders) }
    func markASN(_ number: String, status: DocumentStatus) throws { throw DiskFull() }
    func markOrder(_ number: String, status: DocumentStatus) throws { throw DiskFull() }
    func rma(number: String) throws -> RMA? { try inner.rma(number: number) }
    func store(rmas: [RMA]) throws { try inner.store(rmas: rmas) }
    func markRMA(_ number: String, status: DocumentStatus) throws { throw DiskFull() }
    func postingDocument(asn: ASN, sequencePath: String) throws -> PostingDocument? { try inner.postingDocument(asn: asn, sequencePath: sequencePath) }
    func postingDocument(order: PackOrder, sequencePath: String) throws -> PostingDocument? {
        try inner.postingDocument(order: order, sequencePath: sequencePath)
    }
    func postingDocument(rma: RMA, sequencePath: String) throws -> PostingDocument? { try inner.postingDocument(rma: rma, sequencePath: sequencePath) }
}

/// Issue 18 (disk full, leftovers), as DocumentCloseTests for the returns
/// station: a return by RMA marked the RMA in a separate write after its
/// posting and only noted a failure, leaving the RMA open to be received
/// again. The RMA must be marked done in the return's own transaction.
@Suite struct RMACloseTests {
    let w: RealLedgerWorld
    init() throws {
        w = try RealLedgerWorld()
        try w.seed(w.plainItem, 3, at: "PACK-1")
        // Order SO-1 packed and gone with the carrier: what a return may bring back.
        let packed = PostingRequest(key: "pack/SO-1", kind: .pack, ref: "SO-1", station: "pack-1",
                                    lines: [PostingLine(item: w.plainItem, qty: 3, from: "PACK-1", to: "SHIP")])
        let shipped = PostingRequest(key: "ship/SO-1", kind: .ship, ref: "SO-1", station: "pack-1",
                                     lines: [PostingLine(item: w.plainItem, qty: 3, from: "SHIP", to: VirtualLocation.customer)])
        #expect(try w.ledger.postAndWait([packed, shipped]).map(\.status) == [.posted, .posted])
        try w.stores.store(rmas: [RMA(number: "RMA-1", order: "SO-1", lines: [RMALine(item: w.plainItem, quantity: 2)])])
    }
    func station() throws -> ReturnsStation {
        let deps = StationDependencies(ledger: w.gateway, stock: w.gateway, master: w.gateway, expected: MarkFailingExpected(w.stores),
                                       sessions: CloseFailingSessions(w.stores), history: w.ledger)
        return try ReturnsStation(config: ReturnsConfig(station: "ret-1", restockLocation: "A-01"), dependencies: deps)
    }

    @Test func aReturnMarksItsRMADoneWithThePosting() throws {
        let s = try station()
        #expect(s.feed(.document("RMA-1")).feedback.code == .opened)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 2))).accepted)
        #expect(s.feed(.command("RESTOCK")).accepted)
        let e = s.feed(.command("CLOSE"))
        #expect(e.feedback.code == .posted && !e.feedback.message.contains("not marked"), "\(e.feedback)")
        let seq = try #require(e.postedSequences.first)
        #expect(try w.stores.rma(number: "RMA-1")?.status == .done(seq: seq))
        #expect(!s.hasOpenSession)
        #expect(try w.stores.loadSession(station: "ret-1") == nil)
        // After a restart the RMA cannot be received again.
        let again = try station()
        #expect(!again.hasOpenSession)
        #expect(again.feed(.document("RMA-1")).feedback.code == .documentDone)
        #expect(try w.qty(w.plainItem, at: "A-01") == 2)
        #expect(try w.ledger.verify().ok)
    }
}
