import Foundation
import Testing
@testable import Ledger
import ScanModel

/// Issue 18 (disk full, leftovers): the WAL grows past the checkpointer's
/// TRUNCATE threshold (4,096 frames, 16 MiB) during a burst while a reader
/// holds an old snapshot (an export, a backup), until it fills the disk.
/// Nothing acknowledged may be lost, the checkpoint that cannot copy the WAL
/// into the database must be counted, and once space is freed the ledger
/// posts again, the WAL is emptied and `verify` is clean.
@Suite(.serialized) struct WALFullDiskTests {
    static let walThreshold = 4_096 * 4_096

    func walBytes(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int) ?? 0
    }

    /// Polls `done` for up to 20 s, posting `nudge` between tries (a posting
    /// is what wakes the checkpointer).
    func eventually(_ done: () -> Bool, nudge: () -> Void) -> Bool {
        for _ in 0..<200 {
            if done() { return true }
            nudge()
            Thread.sleep(forTimeInterval: 0.1)
        }
        return done()
    }

    @Test(.enabled(if: TmpfsMount.canMount, "mounting a tmpfs needs root (CI runs the tests as root)"))
    func aWALPastItsTruncateThresholdFillingTheDiskLosesNothingAndEmptiesOnceSpaceIsBack() throws {
        let fs = try TmpfsMount(bytes: 40 << 20)
        defer { fs.unmount() }
        let path = fs.dir.appendingPathComponent("ledger.db").path
        let ledger = try LedgerStorageFullTests.stockedLedger(at: path)
        defer { ledger.close() }
        // Room for the WAL to pass its threshold, not for much more.
        let filler = try fs.fill(leaving: 20 << 20)

        let reader = try LedgerStorageFullTests.oldSnapshot(path)
        var acknowledged: [String: LedgerSequence] = [:]
        var n = 0
        let failure = LedgerStorageFullTests.moveUntilRefused(ledger, from: &n, limit: 20_000, acknowledged: &acknowledged)
        let refused = try #require(failure, "20,000 moves fit in 20 MiB of WAL: the disk never filled")
        #expect(refused.isStorageFull, "\(refused)")
        #expect(walBytes(path) > Self.walThreshold, "the WAL stopped at \(walBytes(path)) bytes, below its TRUNCATE threshold")
        // The checkpointer's round after the last commit (at most 0.5 s
        // later) runs while the reader still holds it back; from here on
        // postings are only refused, and each refusal must bring a retry.
        Thread.sleep(forTimeInterval: 1.5)
        try reader.exec("COMMIT")
        /// One more move; on a full disk it may still commit in frames a refused one left.
        func postNext() -> LedgerSequence? {
            guard let r = try? ledger.postAndWait([LedgerStorageFullTests.move(n)])[0], case .posted(let seq) = r.outcome else { return nil }
            acknowledged[r.key] = seq
            n += 1
            return seq
        }

        // With the reader gone the checkpoint tries to copy the WAL into a
        // database file that has to grow on the full disk: it fails, is
        // counted, and the WAL keeps what it holds.
        let reported = eventually({ ledger.storageStatus.checkpointFailures > 0 }) { _ = postNext() }
        #expect(reported, "no failed checkpoint reported on the full disk: \(ledger.storageStatus)")
        #expect(ledger.storageStatus.lastCheckpointError?.hasPrefix("storage-full: ") == true, "\(ledger.storageStatus)")
        #expect(ledger.storageStatus.full)

        try FileManager.default.removeItem(at: filler)
        var resumed: LedgerSequence?
        let emptied = eventually({ resumed != nil && walBytes(path) < Self.walThreshold }) {
            if resumed == nil { resumed = postNext() }
        }
        #expect(resumed != nil, "no posting after space was freed: \(ledger.storageStatus)")
        #expect(emptied, "the WAL was not emptied after space returned: \(walBytes(path)) bytes")
        #expect(!ledger.storageStatus.full)

        let rows = try ledger.history(.item(LedgerStorageFullTests.item)).filter { $0.key.hasPrefix("move-") }
        #expect(Dictionary(rows.map { ($0.key, $0.seq) }, uniquingKeysWith: { a, _ in a }) == acknowledged)
        #expect(Set(rows.map(\.seq)).count == acknowledged.count)
        #expect(try ledger.verify(check: .full).ok)
    }
}
