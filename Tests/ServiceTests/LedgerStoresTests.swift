import Foundation
import Ledger
import ScanModel
import Testing
@testable import Service
import Stations

/// The SQLite-backed stores: what a restart must see, and what must not repeat.
@Suite struct LedgerStoresTests {
    @Test func aSnapshotEmptiesTheJournalAndRemoveClearsBoth() throws {
        let w = try RealLedgerWorld()
        #expect(throws: StoreError.self) { try w.stores.appendToSession(station: "s", entry: Data("{}".utf8)) }
        try w.stores.saveSession(station: "s", snapshot: Data(#"{"a":1}"#.utf8))
        try w.stores.appendToSession(station: "s", entry: Data(#"{"d":1}"#.utf8))
        try w.stores.appendToSession(station: "s", entry: Data(#"{"d":2}"#.utf8))
        try w.restart()
        let loaded = try #require(try w.stores.loadSession(station: "s"))
        #expect(String(decoding: loaded.snapshot, as: UTF8.self) == #"{"a":1}"#)
        #expect(loaded.journal.map { String(decoding: $0, as: UTF8.self) } == [#"{"d":1}"#, #"{"d":2}"#])
        try w.stores.saveSession(station: "s", snapshot: Data(#"{"a":2}"#.utf8))
        #expect(try w.stores.loadSession(station: "s")?.journal.isEmpty == true)
        try w.stores.appendToSession(station: "s", entry: Data(#"{"d":3}"#.utf8))
        try w.stores.removeSession(station: "s")
        #expect(try w.stores.loadSession(station: "s") == nil)
        #expect(try w.ledger.journal("session/s").isEmpty)
        #expect(try w.stores.loadSession(station: "other") == nil)
    }

    @Test func sessionNumbersNeverRepeatAcrossRestartsAndAreCountedPerStation() throws {
        let w = try RealLedgerWorld()
        #expect(try w.stores.nextSessionNumber(station: "a") == 1)
        #expect(try w.stores.nextSessionNumber(station: "a") == 2)
        #expect(try w.stores.nextSessionNumber(station: "b") == 1)
        try w.restart()
        #expect(try w.stores.nextSessionNumber(station: "a") == 3)
    }

    @Test func aReannouncedPalletMovesToTheNewestASNAndReplacingDropsOldAliases() throws {
        let w = try RealLedgerWorld()
        let p1 = sscc("03761234500000001").digits, p2 = sscc("03761234500000002").digits
        try w.stores.store(asns: [ASN(number: "A", lines: [ASNLine(item: w.plainItem, quantity: 1, sscc: p1)])], orders: [])
        try w.stores.store(asns: [ASN(number: "B", lines: [ASNLine(item: w.plainItem, quantity: 1, sscc: p1)])], orders: [])
        #expect(try w.stores.asn(containingSSCC: p1)?.number == "B")
        try w.stores.store(asns: [ASN(number: "B", lines: [ASNLine(item: w.plainItem, quantity: 1, sscc: p2)])], orders: [])
        #expect(try w.stores.asn(containingSSCC: p1) == nil)
        #expect(try w.stores.asn(containingSSCC: p2)?.number == "B")
        try w.stores.markASN("B", status: .done(seq: 7))
        try w.restart()
        #expect(try w.stores.asn(number: "B")?.status == .done(seq: 7))
        #expect(try w.stores.allASNs().map(\.number) == ["A", "B"])
        try w.stores.markASN("missing", status: .done(seq: 1))  // unknown documents are ignored
        #expect(try w.stores.asn(number: "missing") == nil)
    }

    @Test func aCorruptStoredDocumentIsAnErrorNotACrash() throws {
        let w = try RealLedgerWorld()
        try w.ledger.putDocuments([StoredDocument(kind: "count", key: "c1", body: "{not json")])
        #expect(throws: StoreError.self) { try w.stores.result(id: "c1") }
        #expect(throws: StoreError.self) { try w.stores.all() }
    }
}
