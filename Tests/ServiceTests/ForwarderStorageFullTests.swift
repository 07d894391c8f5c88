import Foundation
@testable import Ledger
import ScanModel
import Testing
@testable import Forwarding

/// Issue 18, the central forwarder's batch when the box is full: the batch
/// reaches PostgreSQL, then marking it forwarded is a write on the full box.
/// That mark is one page, and it usually fits in the WAL frames the refused
/// posting left behind (so it was seen to succeed); where it does not, the
/// forwarder must say storage-full, and the batch is re-sent once there is
/// space and skipped by central. Either way: every posting central once,
/// and the mark where it belongs once space is freed.
@Suite(.serialized) struct ForwarderStorageFullTests {
    @Test(.enabled(if: TmpfsMount.canMount, "mounting a tmpfs needs root (CI runs the tests as root)"))
    func aBatchCentralTookWhileTheBoxWasFullIsMarkedOnceThereIsSpaceAndNotDuplicated() throws {
        let server = try PostgresServer.shared()
        let database = try server.createDatabase()
        let fs = try TmpfsMount(bytes: 1 << 20)
        defer { fs.unmount() }
        let ledger = try LedgerStorageFullTests.stockedLedger(at: fs.dir.appendingPathComponent("ledger.db").path)
        defer { ledger.close() }
        try fs.fill(leaving: 48 * 1024)
        var n = 0
        while n < 5_000, let r = try? ledger.postAndWait([LedgerStorageFullTests.move(n)])[0], case .posted = r.outcome { n += 1 }
        #expect(ledger.storageStatus.full, "5,000 moves fit in 48 KiB: the disk never filled")
        let last = try ledger.ledgerSequence()

        let forwarder = Forwarder(config: try ForwarderConfig(connection: try server.settings(database: database), origin: "full-box"), ledger: ledger)
        do { try forwarder.forwardPending() } catch {
            #expect("\(error)".contains("storage-full"), "a mark the full box refused must say so: \(error)")
            #expect(try ledger.forwardedUpTo() < last)
        }
        func central() throws -> Int64 {
            try server.connect(database).query("SELECT count(*) FROM postings WHERE origin = 'full-box'").int(0, 0) ?? -1
        }
        #expect(try central() == last.value, "the batch did not reach central from the full box")

        try FileManager.default.removeItem(at: fs.dir.appendingPathComponent("filler"))
        #expect(try forwarder.forwardPending() == 0, "nothing was left to send, or what was re-sent was already central")
        #expect(try ledger.forwardedUpTo() == last)
        #expect(try central() == last.value)
        #expect(try ledger.verify().ok)
    }

    /// The case the test above could not force: the disk fills between the
    /// central commit and the local mark (the forwarder's test seam), and a
    /// reader on an old snapshot keeps the WAL from being rewound, so the
    /// mark needs new space and is refused. Once space is freed the batch is
    /// re-sent, central finds every row already there, and the mark moves.
    @Test(.enabled(if: TmpfsMount.canMount, "mounting a tmpfs needs root (CI runs the tests as root)"))
    func aMarkRefusedForLackOfSpaceAfterTheCentralCommitIsReSentAndSkipped() throws {
        let server = try PostgresServer.shared()
        let database = try server.createDatabase()
        let fs = try TmpfsMount(bytes: 1 << 20)
        defer { fs.unmount() }
        let path = fs.dir.appendingPathComponent("ledger.db").path
        let ledger = try LedgerStorageFullTests.stockedLedger(at: path)
        defer { ledger.close() }
        for n in 0..<20 { _ = try ledger.postAndWait([LedgerStorageFullTests.move(n)]) }
        let last = try ledger.ledgerSequence()

        let reader = try LedgerStorageFullTests.oldSnapshot(path)
        let forwarder = Forwarder(config: try ForwarderConfig(connection: try server.settings(database: database), origin: "mark-full"), ledger: ledger)
        var filler: URL?
        forwarder.afterCentralCommit = { if filler == nil { filler = try? fs.fill(leaving: 0) } }
        do {
            try forwarder.forwardPending()
            Issue.record("the mark was not refused on the full disk")
        } catch {
            #expect("\(error)".contains("is central, but marking it forwarded failed") && "\(error)".contains("storage-full"), "\(error)")
        }
        #expect(try ledger.forwardedUpTo() < last)
        #expect(ledger.storageStatus.full)
        func central() throws -> (rows: Int64, distinct: Int64) {
            let r = try server.connect(database).query("SELECT count(*), count(DISTINCT seq) FROM postings WHERE origin = 'mark-full'")
            return (r.int(0, 0) ?? -1, r.int(0, 1) ?? -1)
        }
        #expect(try central().rows == last.value, "the batch did not reach central before the mark")

        try reader.exec("COMMIT")
        try FileManager.default.removeItem(at: try #require(filler))
        #expect(try forwarder.forwardPending() == 0, "what was re-sent was not found already central")
        #expect(try ledger.forwardedUpTo() == last)
        let after = try central()
        #expect(after.rows == last.value && after.distinct == last.value, "a posting reached central twice, or not at all: \(after)")
        #expect(try ledger.verify().ok)
    }
}
