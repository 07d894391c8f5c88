import Foundation
import Testing
@testable import Ledger
import ScanModel

/// Each invariant of issue 6, with a test that tries to break it.
@Suite struct InvariantTests {
    @Test func receiptAndMoveUpdateBalances() throws {
        let t = try TestLedger()
        let r = try t.receive("r1", qty: 10)
        #expect(r.status == .posted)
        #expect(r.seq == LedgerSequence(1))
        #expect(try t.move("m1", qty: 4, from: "DOCK1", to: "A-01").seq == LedgerSequence(2))
        #expect(try t.onHand(TestLedger.widget, "DOCK1") == 6)
        #expect(try t.onHand("WID-1", "A-01") == 4)
        #expect(try t.onHand(TestLedger.widget, VirtualLocation.supplier) == -10)
        #expect(try t.ledger.verify().ok)
    }

    // 1. Entries of a posting sum to zero per item and lot/serial.
    @Test func unbalancedPostingIsRejected() throws {
        let t = try TestLedger()
        let r = try t.post(PostingRequest(key: "u1", kind: .adjustment, entries: [
            PostingEntry(location: "A-01", item: TestLedger.widget, qty: 5),
            PostingEntry(location: VirtualLocation.adjustment, item: TestLedger.widget, qty: -4),
        ]))
        #expect(r.status == .rejected)
        #expect(r.error?.contains("do not sum to zero (sum 1)") == true)
        // Balanced in total but across two lots: still unbalanced per lot.
        let lots = try t.post(PostingRequest(key: "u2", kind: .move, entries: [
            PostingEntry(location: "FLOAT", item: TestLedger.milk, lot: "L1", qty: 3),
            PostingEntry(location: "FLOAT", item: TestLedger.milk, lot: "L2", qty: -3),
        ]))
        #expect(lots.status == .rejected)
        #expect(lots.error?.contains("lot L1") == true)
        #expect(try t.ledger.verify().postings == 0)
    }

    // 2. No negative on-hand at a physical location unless it allows it.
    @Test func negativeOnHandIsRejectedUnlessAllowed() throws {
        let t = try TestLedger()
        _ = try t.receive("r1", qty: 3)
        let r = try t.move("m1", qty: 5, from: "DOCK1", to: "A-01")
        #expect(r.status == .rejected)
        #expect(r.error?.contains("at DOCK1 would be -2") == true)
        #expect(try t.onHand(TestLedger.widget, "DOCK1") == 3)
        #expect(try t.onHand(TestLedger.widget, "A-01") == 0)
        // FLOAT allows negative stock; virtual locations always do.
        #expect(try t.move("m2", qty: 5, from: "FLOAT", to: "A-01").status == .posted)
        #expect(try t.onHand(TestLedger.widget, "FLOAT") == -5)
        #expect(try t.ledger.verify().ok)
    }

    // 3. A serial (or EPC) is on hand at most once, quantity 0 or 1.
    @Test func serialIsOnHandAtMostOnce() throws {
        let t = try TestLedger()
        #expect(try t.receive("s1", item: TestLedger.drill, qty: 1, serial: "SN1", epc: "3074257BF7194E4000001A85").status == .posted)
        let twice = try t.receive("s2", item: TestLedger.drill, qty: 1, to: "A-01", serial: "SN1")
        #expect(twice.status == .rejected)
        #expect(twice.error?.contains("on hand 2 times") == true)
        let two = try t.receive("s3", item: TestLedger.drill, qty: 2, serial: "SN2")
        #expect(two.status == .rejected)
        #expect(two.error?.contains("quantity 1") == true)
        // Same EPC on another serial.
        let epc = try t.receive("s4", item: TestLedger.drill, qty: 1, serial: "SN3", epc: "3074257BF7194E4000001A85")
        #expect(epc.status == .rejected)
        #expect(epc.error?.contains("already belongs to another serial") == true)
        // Even at a location that allows negative stock a serial cannot go below 0.
        let negative = try t.move("s5", item: TestLedger.drill, qty: 1, from: "FLOAT", to: "A-02", serial: "SN9")
        #expect(negative.status == .rejected)
        // Moving it on is fine, and it can be received again once shipped.
        #expect(try t.move("s6", item: TestLedger.drill, qty: 1, from: "DOCK1", to: "A-01", serial: "SN1").status == .posted)
        #expect(try t.post(PostingRequest(key: "s7", kind: .ship, lines: [PostingLine(item: TestLedger.drill, qty: 1, from: "A-01", to: VirtualLocation.customer, serial: "SN1")])).status == .posted)
        #expect(try t.receive("s8", item: TestLedger.drill, qty: 1, serial: "SN1").status == .posted)
        #expect(try t.ledger.verify().ok)
        #expect(try t.ledger.history(.epc("3074257bf7194e4000001a85")).map(\.seq.value) == [1, 1, 2, 2, 3, 3, 4, 4])
    }

    // 4. Entries are immutable; corrections are reversals, once.
    @Test func entriesCannotBeUpdatedOrDeleted() throws {
        let t = try TestLedger()
        _ = try t.receive("r1", qty: 10)
        #expect(throws: SQLiteError.self) { try t.rawExec("UPDATE entries SET qty = 99") }
        #expect(throws: SQLiteError.self) { try t.rawExec("DELETE FROM entries") }
        #expect(throws: SQLiteError.self) { try t.rawExec("UPDATE postings SET kind = 'move'") }
        #expect(throws: SQLiteError.self) { try t.rawExec("DELETE FROM postings") }
        do { try t.rawExec("DELETE FROM entries") } catch let e as SQLiteError {
            #expect(e.message.contains("immutable"))
        }
        #expect(try t.ledger.verify().entries == 2)
    }

    @Test func reversalUndoesOnceAndNeverAReversal() throws {
        let t = try TestLedger()
        _ = try t.receive("r1", qty: 10)
        let rev = try t.ledger.reverse(LedgerSequence(1), key: "rev1")
        #expect(rev.status == .posted)
        #expect(try t.onHand(TestLedger.widget, "DOCK1") == 0)
        let again = try t.ledger.reverse(LedgerSequence(1), key: "rev2")
        #expect(again.status == .rejected)
        #expect(again.error?.contains("already reversed by posting 2") == true)
        let ofReversal = try t.ledger.reverse(LedgerSequence(2), key: "rev3")
        #expect(ofReversal.status == .rejected)
        #expect(ofReversal.error?.contains("itself a reversal") == true)
        #expect(try t.ledger.reverse(LedgerSequence(42), key: "rev4").error?.contains("no posting with sequence 42") == true)
        // The original is still there, untouched, and points forward through the reversal.
        let history = try t.ledger.history(.item(TestLedger.widget.code))
        #expect(history.map(\.seq.value) == [1, 1, 2, 2])
        #expect(history.last?.reverses == LedgerSequence(1))
        #expect(try t.ledger.verify().ok)
    }

    @Test func reversalThatWouldGoNegativeIsRejected() throws {
        let t = try TestLedger()
        _ = try t.receive("r1", qty: 10)
        _ = try t.move("m1", qty: 10, from: "DOCK1", to: "A-01")
        let rev = try t.ledger.reverse(LedgerSequence(1), key: "rev1")
        #expect(rev.status == .rejected)
        #expect(rev.error?.contains("at DOCK1 would be -10") == true)
    }

    // 5. Idempotency: same key + same payload = original result; different payload = conflict.
    @Test func idempotencyReturnsOriginalAndRefusesConflicts() throws {
        let t = try TestLedger()
        #expect(try t.receive("k1", qty: 10).seq == LedgerSequence(1))
        let dup = try t.receive("k1", qty: 10)
        #expect(dup == PostingResult(key: "k1", outcome: .duplicate(seq: LedgerSequence(1))))
        let conflict = try t.receive("k1", qty: 11)
        #expect(conflict.status == .rejected)
        #expect(conflict.error?.contains("different posting") == true)
        #expect(try t.onHand(TestLedger.widget, "DOCK1") == 10)
        // Rejections are remembered: fixing master data does not change the answer for the same key.
        let unknown = try t.receive("k2", qty: 1, to: "NOWHERE")
        #expect(unknown.status == .rejected)
        try t.ledger.importLocations([Location(code: "NOWHERE")])
        #expect(try t.receive("k2", qty: 1, to: "NOWHERE") == unknown)
        #expect(try t.receive("k3", qty: 1, to: "NOWHERE").status == .posted)
        // Within one group-committed batch too.
        let batch = try t.ledger.postAndWait([
            PostingRequest(key: "b1", kind: .move, lines: [PostingLine(item: TestLedger.widget, qty: 1, from: "DOCK1", to: "A-01")]),
            PostingRequest(key: "b1", kind: .move, lines: [PostingLine(item: TestLedger.widget, qty: 1, from: "DOCK1", to: "A-01")]),
        ])
        #expect(batch.map(\.status) == [.posted, .duplicate])
        #expect(batch[0].seq == batch[1].seq)
        #expect(try t.onHand(TestLedger.widget, "A-01") == 1)
    }

    // 6. Balances equal a re-sum of entries; verify catches tampering.
    @Test func verifyReportsTamperedBalancesAndMissingTriggers() throws {
        let t = try TestLedger()
        _ = try t.receive("r1", qty: 10)
        #expect(try t.ledger.verify().ok)
        try t.rawExec("UPDATE accounts SET balance = balance + 1 WHERE location_id = (SELECT id FROM locations WHERE code = 'DOCK1')")
        let report = try t.ledger.verify()
        #expect(!report.ok)
        #expect(report.problems.contains { $0.contains("DOCK1") && $0.contains("balance 11 but entries sum to 10") })
        try t.rawExec("DROP TRIGGER entries_no_delete")
        #expect(try t.ledger.verify().problems.contains { $0.contains("trigger entries_no_delete is missing") })
    }

    @Test func verifyReportsSequenceGaps() throws {
        let t = try TestLedger()
        _ = try t.receive("r1", qty: 1)
        _ = try t.receive("r2", qty: 1)
        _ = try t.receive("r3", qty: 1)
        // Forge a gap the only way possible: remove the guard, then a posting.
        try t.rawExec("""
            PRAGMA foreign_keys = OFF; DROP TRIGGER postings_no_delete; DROP TRIGGER entries_no_delete;
            DELETE FROM entries WHERE seq = 2; DELETE FROM outbox WHERE seq = 2; DELETE FROM postings WHERE seq = 2;
            """)
        let report = try t.ledger.verify()
        #expect(report.problems.contains("missing sequence 2"))
        #expect(report.problems.contains { $0.hasPrefix("sequence has gaps") })
    }

    // 7. Sequence is commit order, never event time; both times kept.
    @Test func ledgerKeepsCommitOrderAndBothTimes() throws {
        let t = try TestLedger()
        let late = PostingRequest(key: "late", kind: .receipt, eventTime: "2024-05-02T09:00:00+02:00",
                                  lines: [PostingLine(item: TestLedger.widget, qty: 1, from: VirtualLocation.supplier, to: "DOCK1")])
        let early = PostingRequest(key: "early", kind: .receipt, eventTime: "2024-05-01T08:00:00.250Z",
                                   lines: [PostingLine(item: TestLedger.widget, qty: 2, from: VirtualLocation.supplier, to: "DOCK1")])
        let results = try t.ledger.postAndWait([late, early])
        #expect(results.map { $0.seq?.value } == [1, 2])
        let history = try t.ledger.history(.location("DOCK1"))
        #expect(history.map(\.key) == ["late", "early"])
        #expect(history.map(\.eventTime) == ["2024-05-02T09:00:00+02:00", "2024-05-01T08:00:00.250Z"])
        #expect(history.allSatisfy { $0.commitTimeMicros > 1_600_000_000_000_000 })
        let bad = try t.post(PostingRequest(key: "bad-time", kind: .receipt, eventTime: "yesterday",
                                            lines: [PostingLine(item: TestLedger.widget, qty: 1, from: VirtualLocation.supplier, to: "DOCK1")]))
        #expect(bad.error?.contains("not ISO 8601") == true)
    }

    // 8. Every posting writes its outbox row in the same transaction.
    @Test func everyPostingHasAnOutboxRowAndRejectionsNone() throws {
        let t = try TestLedger()
        _ = try t.receive("r1", qty: 5)
        _ = try t.move("m-bad", qty: 50, from: "DOCK1", to: "A-01")
        _ = try t.move("m1", qty: 2, from: "DOCK1", to: "A-01")
        let outbox = try t.ledger.pendingOutbox()
        #expect(outbox.map(\.seq.value) == [1, 2])
        #expect(outbox[1].key == "m1")
        #expect(outbox[1].payload.hasPrefix("{\"device\":null,\"entries\":[{\"epc\":null,\"expiry\":null,\"item\":\"04006381333931\",\"location\":\"DOCK1\",\"lot\":null,\"qty\":-2,"))
        // Removing one outbox row is seen by verify.
        try t.rawExec("DELETE FROM outbox WHERE seq = 2")
        #expect(try t.ledger.verify().problems == ["posting 2 has no outbox row"])
    }

    @Test func outboxCursorAdvancesAndRefusesTheFuture() throws {
        let t = try TestLedger()
        for i in 1...5 { _ = try t.receive("r\(i)", qty: 1) }
        #expect(try t.ledger.pendingOutbox(limit: 2).map(\.seq.value) == [1, 2])
        try t.ledger.markForwarded(upTo: LedgerSequence(3))
        #expect(try t.ledger.forwardedUpTo() == LedgerSequence(3))
        #expect(try t.ledger.pendingOutbox().map(\.seq.value) == [4, 5])
        #expect(throws: LedgerError.self) { try t.ledger.markForwarded(upTo: LedgerSequence(6)) }
        try t.ledger.markForwarded(upTo: LedgerSequence(1)) // never moves backwards
        #expect(try t.ledger.forwardedUpTo() == LedgerSequence(3))
    }

    @Test func largePostingIsStoredWhole() throws {
        let t = try TestLedger()
        // 20 lines = 40 entries: more than one multi-row INSERT.
        let lines = (0..<20).map { PostingLine(item: TestLedger.milk, qty: Int64($0 + 1), from: VirtualLocation.supplier, to: "A-01", lot: "L\($0)") }
        #expect(try t.post(PostingRequest(key: "big", kind: .receipt, lines: lines)).status == .posted)
        let history = try t.ledger.history(.item(TestLedger.milk.code))
        #expect(history.count == 40)
        #expect(history.filter { $0.location == "A-01" }.map(\.qty) == (1...20).map { Int64($0) })
        #expect(try t.ledger.stock(StockQuery(item: TestLedger.milk.code)).count == 20)
        #expect(try t.ledger.verify().ok)
    }

    @Test func rejectedPostingLeavesNoAccountsLotsOrSerialsBehind() throws {
        let t = try TestLedger()
        func counts() throws -> [Int64?] {
            try t.ledger.read { r in try ["accounts", "lots", "serials"].map { try r.db.scalarInt("SELECT count(*) FROM \($0)") } }
        }
        let before = try counts()
        // New lot, new serial and new accounts are created while resolving, then the posting is refused.
        let r = try t.post(PostingRequest(key: "x", kind: .move, lines: [
            PostingLine(item: TestLedger.milk, qty: 5, from: "A-01", to: "A-02", lot: "NEW-LOT"),
            PostingLine(item: TestLedger.drill, qty: 1, from: "A-01", to: "A-02", serial: "NEW-SN"),
        ]))
        #expect(r.status == .rejected)
        #expect(try counts() == before)
        // The same rows can be created by a later posting: nothing stale is cached.
        #expect(try t.receive("y", item: TestLedger.milk, qty: 5, to: "A-01", lot: "NEW-LOT").status == .posted)
        #expect(try t.ledger.verify().ok)
    }

    @Test func payloadsWithQuotesAndControlCharactersStayValidJSON() throws {
        let t = try TestLedger()
        let ref = "PO \"7\"\\\n\u{1}é"
        let request = PostingRequest(key: "k\"1", kind: .receipt, ref: ref, station: "dock\t1",
                                     lines: [PostingLine(item: TestLedger.widget, qty: 1, from: VirtualLocation.supplier, to: "DOCK1")])
        #expect(try t.post(request).status == .posted)
        #expect(try t.post(request).status == .duplicate)
        let outbox = try #require(try t.ledger.pendingOutbox().first)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(outbox.payload.utf8)) as? [String: Any])
        #expect(parsed["ref"] as? String == ref)
        #expect(parsed["station"] as? String == "dock\t1")
        #expect(outbox.key == "k\"1")
    }

    @Test func hugeQuantitiesAreRefusedNotWrapped() throws {
        let t = try TestLedger()
        let half = Int64.max / 2 + 1
        let r = try t.post(PostingRequest(key: "huge", kind: .receipt, lines: [
            PostingLine(item: TestLedger.widget, qty: half, from: VirtualLocation.supplier, to: "DOCK1"),
            PostingLine(item: TestLedger.widget, qty: half, from: VirtualLocation.supplier, to: "DOCK1"),
        ]))
        #expect(r.status == .rejected)
        #expect(r.error?.contains("overflow") == true)
        #expect(try t.post(PostingRequest(key: "min", kind: .receipt, lines: [
            PostingLine(item: TestLedger.widget, qty: Int64.min, from: VirtualLocation.supplier, to: "DOCK1")])).status == .rejected)
        #expect(try t.ledger.verify().postings == 0)
    }
}
