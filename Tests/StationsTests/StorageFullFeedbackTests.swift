import Foundation
import ScanModel
import Testing
@testable import Stations

/// What the ledger throws when its disk has no room (LedgerError.storageFull
/// answers the same kernel protocol).
struct FakeStorageFull: StorageFullReporting, CustomStringConvertible {
    var isStorageFull: Bool { true }
    var description: String { "storage-full: no space left on the disk of ledger /x/ledger.db" }
}

/// Issue 18 (c): a scan the box could not save is a refusal of its own,
/// `storage-full`, with the error signal; never the good one.
@Suite struct StorageFullFeedbackTests {
    let w = World()
    let now = at(2026, 11, 22)

    init() { w.ledger.seed(w.plainItem, 10, at: "DOCK-1") }

    @Test func aMoveWhosePostingFindsTheDiskFullIsRefusedWithStorageFull() throws {
        let s = try MoveStation(config: MoveConfig(station: "rf-1"), dependencies: w.deps())
        s.feed(.location("DOCK-1"), now)
        s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 4)), now)
        s.feed(.location("A-01"), now)
        let before = w.ledger.postings.count
        w.ledger.postFailure = FakeStorageFull()
        w.ledger.failNextPost = true
        let refused = s.feed(.command("CONFIRM"), now)
        #expect(refused.feedback.code == .storageFull, "\(refused.feedback)")
        #expect(refused.feedback.outcome == .error)
        #expect(refused.postedSequences.isEmpty)
        #expect(w.ledger.postings.count == before)
        #expect(s.hasOpenSession, "the move must stay to be confirmed once there is space")
        // Space back: the same CONFIRM posts.
        let posted = s.feed(.command("CONFIRM"), now)
        #expect(posted.feedback.code == .posted, "\(posted.feedback)")
        #expect(w.ledger.qty(w.plainItem, at: "A-01") == 4)
    }

    @Test func aScanTheSessionCannotSaveForLackOfSpaceIsRefusedWithStorageFull() throws {
        let store = FlakySessionStore()
        let s = try MoveStation(config: MoveConfig(station: "rf-1"), dependencies: w.deps(sessions: store))
        s.feed(.location("DOCK-1"), now)
        store.saveFailure = FakeStorageFull()
        store.failSaves = true
        let refused = s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 4)), now)
        #expect(refused.feedback.code == .storageFull, "\(refused.feedback)")
        #expect(refused.feedback.outcome == .error)
        #expect(refused.feedback.message.contains("scan not taken"))
        store.failSaves = false
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 4)), now).feedback.outcome == .good)
    }

    /// Other failures keep their own codes; every one of them an error signal.
    @Test func otherWriteFailuresKeepTheirCodesAndTheErrorSignal() throws {
        let store = FlakySessionStore()
        let s = try MoveStation(config: MoveConfig(station: "rf-1"), dependencies: w.deps(sessions: store))
        s.feed(.location("DOCK-1"), now)
        store.failSaves = true
        let notSaved = s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 4)), now)
        #expect(notSaved.feedback.code == .sessionNotSaved)
        #expect(notSaved.feedback.outcome == .error)
        store.failSaves = false
        s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 4)), now)
        s.feed(.location("A-01"), now)
        w.ledger.failNextPost = true
        let down = s.feed(.command("CONFIRM"), now)
        #expect(down.feedback.code == .ledgerUnavailable)
        #expect(down.feedback.outcome == .error)
    }
}
