import Foundation
import Testing
@testable import Ledger
import ScanModel

/// Issue 18: the ledger on a real file system that runs out of space (a
/// small tmpfs). Posting until a commit fails must give a distinct
/// `storageFull` error, announce the full spell once, lose nothing that was
/// acknowledged, and post again as soon as space is freed.
@Suite(.serialized) struct LedgerStorageFullTests {
    static let item = "00614141000012"

    static func move(_ i: Int, item: String = item) -> PostingRequest {
        let (from, to): (LocationCode, LocationCode) = i % 2 == 0 ? ("A-01", "B-01") : ("B-01", "A-01")
        return PostingRequest(key: "move-\(i)", kind: .move, station: "test", eventTime: .device(.seconds(1_800_000_000)),
                              lines: [PostingLine(item: ItemCode(item), qty: 1, from: from, to: to)])
    }

    /// A ledger at `path` with the item, A-01 and B-01, and 10 on hand at A-01.
    static func stockedLedger(at path: String) throws -> Ledger {
        let ledger = try Ledger(path: path)
        do {
            try ledger.importItems([Item(gtin: try #require(GTIN(item)))])
            try ledger.importLocations([Location(code: "A-01"), Location(code: "B-01")])
            try seedStock(ledger, item: item, qty: 10, at: "A-01")
        } catch {
            ledger.close()
            throw error
        }
        return ledger
    }

    /// Posts moves from `n` on, one a transaction, until the ledger refuses
    /// one (returned; nil if `limit` moves all fitted), noting each posted.
    static func moveUntilRefused(_ ledger: Ledger, from n: inout Int, limit: Int,
                                 acknowledged: inout [String: LedgerSequence]) -> LedgerError? {
        while n < limit {
            do {
                let r = try ledger.postAndWait([move(n)])[0]
                guard case .posted(let seq) = r.outcome else { Issue.record("move-\(n): \(r.outcome)"); return nil }
                acknowledged[r.key] = seq
                n += 1
            } catch {
                return error
            }
        }
        return nil
    }

    /// A read transaction left open on `path` (an export, a backup): the
    /// checkpoint cannot copy past its snapshot, so the WAL cannot rewind.
    static func oldSnapshot(_ path: String) throws -> Connection {
        let reader = try Connection(path: path, readOnly: true)
        try reader.exec("BEGIN")
        _ = try reader.scalarInt("SELECT count(*) FROM postings")
        return reader
    }

    @Test(.enabled(if: TmpfsMount.canMount, "mounting a tmpfs needs root (CI runs the tests as root)"))
    func aFullDiskIsStorageFullAnnouncedOnceAndPostingResumesWhenSpaceReturns() throws {
        let fs = try TmpfsMount(bytes: 1 << 20)
        defer { fs.unmount() }
        let ledger = try Self.stockedLedger(at: fs.dir.appendingPathComponent("ledger.db").path)
        defer { ledger.close() }
        let changes = Locked<[LedgerStorageChange]>([])
        ledger.onStorageChange { c in changes.withLock { $0.append(c) } }
        #expect(ledger.storageStatus.lastWrite != nil)

        let filler = try fs.fill(leaving: 48 * 1024)
        var acknowledged: [String: LedgerSequence] = [:]
        var n = 0
        let failure = Self.moveUntilRefused(ledger, from: &n, limit: 5_000, acknowledged: &acknowledged)
        let refused = try #require(failure, "5,000 moves fit in 48 KiB: the disk never filled")
        #expect(refused.isStorageFull, "a full disk must be its own error, not a generic sqlite one: \(refused)")
        #expect(refused.description.hasPrefix("storage-full: ") && refused.description.contains(fs.dir.path), "\(refused)")
        #expect(ledger.storageStatus.full)
        // The same refusal again is the same spell: announced once.
        #expect(throws: LedgerError.self) { try ledger.postAndWait([Self.move(n)]) }
        #expect(changes.snapshot.filter { if case .full = $0 { return true } else { return false } }.count == 1)
        #expect(ledger.storageStatus.refusedWrites >= 2)

        try FileManager.default.removeItem(at: filler)
        let resumed = try ledger.postAndWait([Self.move(n)])[0]
        guard case .posted(let seq) = resumed.outcome else { Issue.record("after space returned: \(resumed.outcome)"); return }
        acknowledged[resumed.key] = seq
        #expect(!ledger.storageStatus.full)
        if case .recovered(_, let refusedWrites)? = changes.snapshot.last { #expect(refusedWrites >= 2) } else {
            Issue.record("no recovery announced: \(changes.snapshot)")
        }

        // Every acknowledged posting is there once, under its sequence; nothing else is.
        let rows = try ledger.history(.item(Self.item)).filter { $0.key.hasPrefix("move-") }
        // (one row per entry: a move's two entries share its key and sequence)
        let stored = Dictionary(rows.map { ($0.key, $0.seq) }, uniquingKeysWith: { a, b in
            if a != b { Issue.record("one key stored under two sequences, \(a) and \(b)") }
            return a
        })
        #expect(stored == acknowledged)
        #expect(try ledger.verify().ok)
    }

    /// The checkpoint at close copies the WAL into a database file that has
    /// to grow on a disk with no room, and the ledger is opened again on that
    /// disk (a restart while full): nothing acknowledged is lost, a posting
    /// is refused with storage-full, and with space freed it posts.
    @Test(.enabled(if: TmpfsMount.canMount, "mounting a tmpfs needs root (CI runs the tests as root)"))
    func aCheckpointAndAReopenOnTheFullDiskLoseNothing() throws {
        let fs = try TmpfsMount(bytes: 1 << 20)
        defer { fs.unmount() }
        let path = fs.dir.appendingPathComponent("ledger.db").path
        var acknowledged: [String: LedgerSequence] = [:]
        var n = 0
        do {
            let ledger = try Self.stockedLedger(at: path)
            defer { ledger.close() }
            try fs.fill(leaving: 48 * 1024)
            while n < 5_000, let r = try? ledger.postAndWait([Self.move(n)])[0], case .posted(let seq) = r.outcome {
                acknowledged[r.key] = seq
                n += 1
            }
            #expect(ledger.storageStatus.full, "5,000 moves fit in 48 KiB: the disk never filled")
            // The last checkpoint, at close, copies the WAL into a file that may have to grow.
            ledger.close()
            let storage = ledger.storageStatus
            if storage.checkpointFailures > 0 {
                #expect(storage.lastCheckpointError?.hasPrefix("storage-full: ") == true, "\(storage)")
            }
        }
        let reopened = try Ledger(path: path)
        defer { reopened.close() }
        // Known full at open (free space probed), not only after the first refusal.
        #expect(reopened.storageStatus.full && reopened.storageStatus.fullError?.contains("when the ledger was opened") == true,
                "\(reopened.storageStatus)")
        #expect(throws: LedgerError.self) { try reopened.postAndWait([Self.move(n)]) }
        #expect(reopened.storageStatus.full)
        try FileManager.default.removeItem(at: fs.dir.appendingPathComponent("filler"))
        let r = try reopened.postAndWait([Self.move(n)])[0]
        if case .posted(let seq) = r.outcome { acknowledged[r.key] = seq } else { Issue.record("after space returned: \(r.outcome)") }
        #expect(!reopened.storageStatus.full, "\(reopened.storageStatus)")
        let rows = try reopened.history(.item(Self.item)).filter { $0.key.hasPrefix("move-") }
        #expect(Dictionary(rows.map { ($0.key, $0.seq) }, uniquingKeysWith: { a, _ in a }) == acknowledged)
        #expect(Set(rows.map(\.seq)).count == acknowledged.count)
        #expect(try reopened.verify(check: .full).ok)
    }
}
