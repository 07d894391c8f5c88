import Foundation
import ScanModel
import Testing
@testable import Stations

@Suite struct CountTests {
    let w = World()
    let now = at(2026, 11, 22)

    init() {
        // Shelf A-01 should hold S1, S2, S3; S4 sits at B-01; plain stock is lot-level.
        for s in ["S1", "S2", "S3"] { w.ledger.seed(w.serialItem, 1, at: "A-01", serial: s) }
        w.ledger.seed(w.serialItem, 1, at: "B-01", serial: "S4")
        w.ledger.seed(w.plainItem, 10, at: "A-01")
        w.ledger.seed(w.lottedItem, 4, at: "A-01", lot: "L1")
        w.ledger.registerEPC(tag(99, nil, serial: nil).epc, item: w.serialItem, serial: "S3")
    }

    func station(_ name: String = "count-1", autoPost: Bool = false) throws -> CountStation {
        var c = CountConfig(station: name)
        c.autoPost = autoPost
        return try CountStation(config: c, dependencies: w.deps(), reviews: w.reviews)
    }
    var reviews: CountReviews { CountReviews(store: w.reviews, ledger: w.ledger, stock: w.ledger) }

    func sweep(_ s: CountStation) -> StationEvent {
        let seen = [tag(1, w.serial, serial: "S1"), tag(99, nil, serial: nil),  // S3 known only by its EPC
                    tag(4, w.serial, serial: "S4"), tag(5, w.serial, serial: "S5"), tag(6, nil, serial: nil)]
        return s.feed(.cycleReport(CycleReport(zone: "handheld-1", current: seen.map { CycleTag(tag: $0) })), now)
    }

    @Test func sweepFindsMissingMisplacedAndUnknownAndWaitsForApproval() throws {
        let s = try station()
        #expect(s.feed(.location("A-01"), now).accepted)
        #expect(s.feed(.command("COUNT-START"), now).feedback.code == .opened)
        let e = sweep(s)
        #expect(e.feedback.code == .countPending)
        let r = try #require(s.lastResult)
        #expect(r.found.map(\.serial).sorted() == ["S1", "S3"])
        #expect(r.missing.map(\.serial) == ["S2"])
        #expect(r.misplaced.map(\.unit.serial) == ["S4"] && r.misplaced.first?.ledgerLocation == "B-01")
        #expect(r.unknownSerials.map(\.serial) == ["S5"])
        #expect(r.unknownEPCs == [tag(6, nil, serial: nil).epc.hex])
        #expect(r.quantities.isEmpty)  // no lot-level counting in an RFID sweep
        #expect(abs(r.accuracy - 2.0 / 3.0) < 1e-9)
        #expect(r.perItem.first { $0.item == w.serialItem }.map { ($0.found, $0.expected) } ?? (0, 0) == (2, 3))
        #expect(r.status == .pending)
        #expect(!s.hasOpenSession)
        let before = w.ledger.postings.count
        #expect(try reviews.open().map(\.id) == [r.id])
        let approved = try reviews.approve(id: r.id)
        guard case .posted = approved.status else { Issue.record("not posted: \(approved.status)"); return }
        #expect(w.ledger.postings.count == before + 1)
        let p = try #require(w.ledger.postings.last?.request)
        #expect(p.kind == .adjustment && p.key == "count-1/count/1")
        #expect(try w.ledger.location(ofItem: w.serialItem, serial: "S2") == nil)
        #expect(try w.ledger.location(ofItem: w.serialItem, serial: "S4")?.location == "A-01")
        #expect(try w.ledger.location(ofItem: w.serialItem, serial: "S5")?.location == "A-01")
        #expect(w.ledger.qty(w.plainItem, at: "A-01") == 10)  // untouched
        // Approving again is harmless; nothing waits any more.
        _ = try reviews.approve(id: r.id)
        #expect(w.ledger.postings.count == before + 1)
        #expect(try reviews.open().isEmpty)
    }

    @Test func autoPostAdjustsImmediately() throws {
        let s = try station(autoPost: true)
        s.feed(.location("A-01"), now)
        s.feed(.command("TRIGGER"), now)
        let e = sweep(s)
        #expect(e.feedback.code == .posted && e.postedSequences.count == 1)
        guard case .posted = try #require(s.lastResult).status else { Issue.record("not posted"); return }
    }

    @Test func refusedAutoPostLeavesTheCountForReview() throws {
        let s = try station(autoPost: true)
        s.feed(.location("A-01"), now)
        s.feed(.command("COUNT-START"), now)
        w.ledger.failNextPost = true
        let e = sweep(s)
        #expect(e.feedback.code == .countPending && e.feedback.message.contains("auto-post refused"))
        let r = try #require(s.lastResult)
        #expect(try reviews.open().map(\.id) == [r.id])
        guard case .posted = try reviews.approve(id: r.id).status else { Issue.record("not posted"); return }
    }

    @Test func stockMovedAfterTheSnapshotIsAConflict() throws {
        let s = try station(autoPost: true)
        s.feed(.location("A-01"), now)
        s.feed(.command("COUNT-START"), now)
        // Someone moves S2 away while the sweep runs.
        let mover = try MoveStation(config: MoveConfig(station: "rf-9"), dependencies: w.deps())
        mover.feed(.location("A-01"), now); mover.feed(.tradeItem(TradeItemScan(gtin: w.serial, serial: "S2")), now)
        mover.feed(.location("A-02"), now); mover.feed(.command("CONFIRM"), now)
        let before = w.ledger.postings.count
        let e = sweep(s)
        #expect(e.feedback.code == .countPending && e.feedback.outcome == .warning)
        let r = try #require(s.lastResult)
        guard case .conflicting = r.status else { Issue.record("expected conflict, got \(r.status)"); return }
        #expect(w.ledger.postings.count == before)
        #expect(throws: CountReviewError.self) { try reviews.approve(id: r.id) }
        // Explicit approval: S2 is no longer at A-01, so the ledger refuses to write it off there.
        #expect(throws: CountReviewError.self) { try reviews.approve(id: r.id, acceptConflict: true) }
        try reviews.reject(id: r.id, reason: "recount")
        #expect(try reviews.show(id: r.id)?.status == .rejected(reason: "recount"))
        #expect(throws: CountReviewError.self) { try reviews.approve(id: r.id) }
        #expect(w.ledger.postings.count == before)
    }

    @Test func explicitApprovalOfAConflictPosts() throws {
        let s = try station()
        s.feed(.location("A-01"), now)
        s.feed(.command("COUNT-START"), now)
        w.ledger.seed(w.plainItem, 1, at: "A-01")  // unrelated change at the location
        for (i, t) in ["S1", "S2", "S3"].enumerated() { s.feed(.tag(tag(UInt32(10 + i), w.serial, serial: t)), now) }
        s.feed(.command("COUNT-STOP"), now)
        let r = try #require(s.lastResult)
        guard case .conflicting = r.status else { Issue.record("expected conflict"); return }
        #expect(r.adjustments.isEmpty && r.missing.isEmpty && r.found.count == 3)
        #expect(throws: CountReviewError.self) { try reviews.approve(id: r.id) }
        let approved = try reviews.approve(id: r.id, acceptConflict: true)
        #expect(approved.status == .accurate)
    }

    @Test func lotLevelCountByBarcode() throws {
        let s = try station()
        s.feed(.location("A-01"), now)
        // No start command needed for barcode counts.
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 8)), now).accepted)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L1", quantity: 4)), now).accepted)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted, lot: "L7", quantity: 2)), now).accepted)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.lotted)), now).feedback.code == .missingLot)
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 0)), now).feedback.code == .badQuantity)
        s.feed(.command("COUNT-STOP"), now)
        let r = try #require(s.lastResult)
        #expect(r.missing.isEmpty && r.found.isEmpty)  // serials were not swept
        #expect(r.quantities.map(\.difference).sorted() == [-2, 0, 2])
        _ = try reviews.approve(id: r.id)
        #expect(w.ledger.qty(w.plainItem, at: "A-01") == 8)
        #expect(w.ledger.qty(w.lottedItem, at: "A-01", lot: "L7") == 2)
        #expect(w.ledger.qty(w.serialItem, at: "A-01", serial: "S2") == 1)
    }

    @Test func wrongMomentsAndEmptyCounts() throws {
        let s = try station()
        #expect(s.feed(.command("COUNT-START"), now).feedback.code == .wrongMoment)
        #expect(s.feed(.tag(tag(1, w.serial, serial: "S1")), now).feedback.code == .wrongMoment)
        #expect(s.feed(.command("COUNT-STOP"), now).feedback.code == .nothingToDo)
        #expect(s.feed(.location("@adjustment"), now).feedback.code == .unknownLocation)
        s.feed(.location("A-01"), now)
        s.feed(.command("COUNT-START"), now)
        #expect(s.feed(.location("A-02"), now).feedback.code == .wrongMoment)
        #expect(s.feed(.command("COUNT-STOP"), now).feedback.code == .nothingToDo)
        #expect(!s.hasOpenSession)
        #expect(try w.reviews.all().isEmpty)
    }

    /// A fixed reader sees tags whether anyone counts or not: with no count
    /// open its arrivals are ignored, not refused (each refusal was a journal
    /// row: a tag flood wrote thousands a second, `scanledger-bench
    /// flood-llrp`). A handheld's read is still the operator's mistake, and
    /// once a location is chosen an arrival counts.
    @Test func aPortalsArrivalsWithNoCountOpenAreIgnoredNotRefused() throws {
        let s = try station()
        #expect(s.feed(.tagArrived(zone: "portal", tag: tag(1, w.serial, serial: "S1")), now).feedback.code == .ignored)
        #expect(s.feed(.tag(tag(1, w.serial, serial: "S1")), now).feedback.code == .wrongMoment)
        #expect(!s.hasOpenSession)
        s.feed(.location("A-01"), now)
        #expect(s.feed(.tagArrived(zone: "portal", tag: tag(1, w.serial, serial: "S1")), now).feedback.code == .accepted)
    }

    @Test func restartDuringACountKeepsTheSnapshot() throws {
        let s = try station()
        s.feed(.location("A-01"), now)
        s.feed(.command("COUNT-START"), now)
        s.feed(.tag(tag(1, w.serial, serial: "S1")), now)
        let resumed = try station()
        #expect(resumed.view.state == "counting")
        resumed.feed(.tag(tag(1, w.serial, serial: "S1")), now)  // re-read, not counted twice
        resumed.feed(.command("TRIGGER"), now)
        let r = try #require(resumed.lastResult)
        #expect(r.found.map(\.serial) == ["S1"] && r.missing.map(\.serial) == ["S2", "S3"])
    }
}
