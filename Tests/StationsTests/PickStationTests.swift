import ScanModel
import Testing
@testable import Stations

/// Lot expiries and a journal for the pick station, in memory.
final class PickExtras: LotExpiryLookup, JournalSink {
    var expiries: [String: CivilDate] = [:]
    private(set) var entries: [JournalEntry] = []
    func expiry(item: ItemCode, lot: String) throws -> CivilDate? { expiries["\(item.code)/\(lot)"] }
    func record(_ new: [JournalEntry]) throws { entries += new }
}

@Suite struct PickStationTests {
    let w = World()
    let extras = PickExtras()
    let now = at(2026, 12, 4)

    init() throws {
        w.addHeldLocations()
        for t in ["TOTE-1", "TOTE-2"] { w.ledger.addLocation(LocationCode(t), .pack) }
        w.ledger.seed(w.plainItem, 5, at: "A-02")
        w.ledger.seed(w.lottedItem, 4, at: "A-01", lot: "L-EARLY")
        w.ledger.seed(w.lottedItem, 6, at: "B-01", lot: "L-LATE")
        extras.expiries["\(w.lottedItem.code)/L-EARLY"] = CivilDate(year: 2027, month: 1, day: 1)
        extras.expiries["\(w.lottedItem.code)/L-LATE"] = CivilDate(year: 2027, month: 6, day: 1)
        try w.expected.store(asns: [], orders: [
            PackOrder(number: "SO-1", lines: [PackOrderLine(item: w.plainItem, quantity: 2), PackOrderLine(item: w.lottedItem, quantity: 3)]),
            PackOrder(number: "SO-2", lines: [PackOrderLine(item: w.plainItem, quantity: 1)], priority: 9),
        ])
    }

    func station(fefoIsError: Bool = false) throws -> PickStation {
        var c = PickConfig(station: "pick-1", pickLocations: ["A-01", "A-02", "B-01", "QA-1"])
        c.fefoIsError = fefoIsError
        return try PickStation(config: c, dependencies: w.deps(), expiries: extras, journal: extras)
    }
    func lotted(_ lot: String, _ qty: Int = 1) -> StationInput { .tradeItem(TradeItemScan(gtin: w.lotted, lot: lot, quantity: qty)) }
    func plain(_ qty: Int = 1) -> StationInput { .tradeItem(TradeItemScan(gtin: w.plain, quantity: qty)) }
    func postedJournal() -> [JournalEntry] { w.ledger.postings.flatMap { $0.request.journal } + extras.entries }

    @Test func anOrderIsLedStopByStopIntoItsTote() throws {
        let s = try station()
        let opened = s.feed(.document("SO-1"), now)
        #expect(opened.feedback.code == .opened && opened.feedback.message.contains("go to A-01, pick 3 × \(w.lottedItem)"))
        #expect(s.feed(.location("A-01"), now).accepted)
        #expect(s.feed(lotted("L-EARLY", 3), now).feedback.message.contains("scan the tote for order SO-1"))
        let first = s.feed(.location("TOTE-1"), now)
        #expect(first.feedback.code == .posted && first.feedback.message.contains("go to A-02"))
        #expect(w.ledger.qty(w.lottedItem, at: "TOTE-1", lot: "L-EARLY") == 3)
        #expect(try w.expected.order(numberOrTote: "TOTE-1")?.number == "SO-1")   // the pack bench finds it by its tote
        s.feed(.location("A-02"), now)
        s.feed(plain(2), now)
        let last = s.feed(.location("TOTE-1"), now)
        #expect(last.feedback.outcome == .done && !s.hasOpenSession)
        #expect(w.ledger.postings.last?.request.kind == .move && w.ledger.postings.last?.request.ref == "SO-1")
        let statuses = postedJournal().filter { $0.code == OrderJournalCode.status }.map { OrderJournal.statusField($0.detail) }
        #expect(statuses == ["picking", "picked"])
    }

    @Test func everyRefusalHasItsCodeAndPostsNothing() throws {
        w.ledger.holdLot(w.lottedItem, "L-HELD")
        w.ledger.seed(w.lottedItem, 2, at: "A-01", lot: "L-HELD")
        let s = try station()
        s.feed(.document("SO-1"), now)
        let before = w.ledger.postings.count
        #expect(s.feed(.location("B-01"), now).feedback.code == .wrongLocation)
        #expect(s.feed(lotted("L-EARLY"), now).feedback.code == .wrongMoment)       // location first
        s.feed(.location("A-01"), now)
        #expect(s.feed(plain(), now).feedback.code == .wrongItem)
        #expect(s.feed(lotted("L-LATE"), now).feedback.code == .wrongLot)
        #expect(s.feed(lotted("L-HELD"), now).feedback.code == .heldStock)
        #expect(s.feed(lotted("L-EARLY", 4), now).feedback.code == .overPick)
        s.feed(lotted("L-EARLY", 3), now)
        #expect(s.feed(.location("TOTE-9"), now).feedback.code == .unknownLocation)
        #expect(w.ledger.postings.count == before)
    }

    @Test func aCancelledOrderIsNeitherPickedNorPacked() throws {
        var order = try #require(try w.expected.order(numberOrTote: "SO-2"))
        order.cancelled = true
        try w.expected.store(asns: [], orders: [order])
        #expect(try station().feed(.document("SO-2"), now).feedback.code == .documentDone)
        let pack = try PackStation(config: PackConfig(station: "pack-1", packLocation: "PACK-1", packedLocation: "SHIP"), dependencies: w.deps())
        #expect(pack.feed(.document("SO-2"), now).feedback.code == .documentDone)
    }

    @Test func aHeldLocationIsNeverAStop() throws {
        w.ledger.seed(w.plainItem, 50, at: "QA-1")
        let s = try station()
        s.feed(.document("SO-2"), now)
        #expect(s.view.location == "A-02")
        s.feed(.location("QA-1"), now)
        #expect(s.view.location == "A-02" && s.view.state == "going-to-location")
    }

    @Test func fefoWarnsOrRefusesByConfig() throws {
        // The planned lot was first out when planned; an earlier one arrived since.
        for fefoIsError in [false, true] {
            let w2 = World()
            w2.ledger.addLocation("TOTE-1", .pack)
            w2.ledger.seed(w2.lottedItem, 4, at: "B-01", lot: "L-LATE")
            try w2.expected.store(asns: [], orders: [PackOrder(number: "SO-9", lines: [PackOrderLine(item: w2.lottedItem, quantity: 1)])])
            var c = PickConfig(station: "pick-9", pickLocations: ["A-01", "B-01"]); c.fefoIsError = fefoIsError
            let s = try PickStation(config: c, dependencies: w2.deps(), expiries: extras, journal: extras)
            s.feed(.document("SO-9"), now)
            w2.ledger.seed(w2.lottedItem, 4, at: "A-01", lot: "L-EARLY")
            s.feed(.location("B-01"), now)
            let e = s.feed(.tradeItem(TradeItemScan(gtin: w2.lotted, lot: "L-LATE")), now)
            #expect(e.feedback.code == .fefo && e.feedback.isError == fefoIsError && e.feedback.message.contains("L-EARLY"))
        }
    }

    @Test func aShortPickBackordersAndNamesTheLocationForACount() throws {
        let s = try station()
        s.feed(.document("SO-1"), now)
        s.feed(.location("A-01"), now)
        s.feed(lotted("L-EARLY", 1), now)
        let short = s.feed(.command("SHORT-PICK"), now)
        #expect(short.feedback.code == .shortPicked && short.feedback.message.contains("2 × \(w.lottedItem) short at A-01"))
        s.feed(.location("TOTE-1"), now)        // the one unit still goes into the tote
        #expect(w.ledger.qty(w.lottedItem, at: "TOTE-1", lot: "L-EARLY") == 1)
        s.feed(.location("A-02"), now)
        #expect(s.feed(.command("SHORT-PICK"), now).feedback.code == .shortPicked)   // nothing at all here
        #expect(!s.hasOpenSession)
        let journal = postedJournal()
        let backorders = journal.filter { $0.code == "backordered" }
        #expect(backorders.map(\.document) == ["SO-1", "SO-1"])
        #expect(backorders[0].detail.contains("\"qty\":2") && backorders[1].detail.contains("\"qty\":2"))
        let counts = journal.filter { $0.code == OrderJournalCode.cycleCountCandidate }
        #expect(counts.map { $0.detail.contains("\"location\":\"A-01\"") } == [true, false])
        #expect(OrderJournal.currentStatus(journal) == .picked)
    }

    @Test func aWaveOfTwoOrdersUsesOneToteEach() throws {
        let s = try station()
        s.feed(.document("SO-1"), now)
        #expect(s.feed(.document("SO-2"), now).feedback.code == .opened)
        // SO-2 (priority 9) is planned first at A-02, which comes after A-01 in the walk.
        #expect(s.view.location == "A-01" && s.view.document == "SO-1")
        s.feed(.location("A-01"), now); s.feed(lotted("L-EARLY", 3), now); s.feed(.location("TOTE-1"), now)
        #expect(s.view.location == "A-02" && s.view.document == "SO-2")
        s.feed(.location("A-02"), now); s.feed(plain(1), now)
        #expect(s.feed(.location("TOTE-1"), now).feedback.code == .wrongTote)
        #expect(s.feed(.location("TOTE-2"), now).feedback.code == .posted)
        s.feed(.location("A-02"), now); s.feed(plain(2), now)
        #expect(s.feed(.location("TOTE-2"), now).feedback.code == .wrongTote)
        #expect(s.feed(.location("TOTE-1"), now).feedback.outcome == .done)
        #expect(w.ledger.qty(w.plainItem, at: "TOTE-2") == 1 && w.ledger.qty(w.plainItem, at: "TOTE-1") == 2)
    }

    @Test func aRestartResumesTheStopAndARepeatedToteScanPostsOnce() throws {
        let s = try station()
        s.feed(.document("SO-1"), now); s.feed(.location("A-01"), now); s.feed(lotted("L-EARLY", 3), now)
        w.ledger.loseNextAcknowledgement = true
        #expect(s.feed(.location("TOTE-1"), now).feedback.code == .ledgerUnavailable)
        let again = try station()                 // the process died: a new station loads the session
        #expect(again.view.state == "awaiting-tote")
        #expect(again.feed(.location("TOTE-1"), now).feedback.code == .posted)
        #expect(w.ledger.qty(w.lottedItem, at: "TOTE-1", lot: "L-EARLY") == 3)
        #expect(w.ledger.postings.filter { $0.request.ref == "SO-1" }.count == 1)
    }
}
