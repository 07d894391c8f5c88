import Foundation
import Testing
@testable import Ledger
import ScanModel

/// `scanledger backup` while another process posts without pause, retention,
/// `restore`, and damage in a table's b-tree page found by `verify --deep`
/// and the start-up check. The daemon's side (refusing a damaged file, the
/// lock against restore) is in ServiceTests/DaemonBackupTests.
@Suite struct BackupTests {
    /// Receipts with distinct payloads (the quantity varies with n), enough
    /// that the poster is still at it when the backups are done.
    static func receipts(_ count: Int, prefix: String = "r") -> String {
        (0..<count).map { n in
            #"{"key":"\#(prefix)\#(n)","kind":"receipt","ref":"ASN-\#(n / 100)","station":"dock1","time":"2024-05-01T10:00:00Z","lines":[{"item":"\#(TestLedger.widget.code)","qty":\#(n % 17 + 1),"from":"@supplier","to":"DOCK1"}]}"#
        }.joined(separator: "\n") + "\n"
    }

    /// Everything a posting is, as text per sequence, from `path`: the posting
    /// row, its entries and its outbox request.
    static func postings(_ path: String, upTo last: Int64) throws -> [String] {
        let db = try Connection(path: path)
        let s = try db.prepare("""
            SELECT p.seq || '|' || p.key || '|' || p.kind || '|' || ifnull(p.ref, '') || '|' || ifnull(p.event_time, '') || '|' || p.commit_time
                   || '|' || (SELECT group_concat(e.line || ':' || e.account_id || ':' || e.qty, ',') FROM entries e WHERE e.seq = p.seq)
                   || '|' || (SELECT o.payload FROM outbox o WHERE o.seq = p.seq)
            FROM postings p WHERE p.seq <= ? ORDER BY p.seq
            """)
        try s.bind([.int(last)])
        defer { s.reset() }
        var out: [String] = []
        while try s.step() { out.append(s.text(0)) }
        return out
    }

    @Test func backupUnderPostingLoadIsAVerifiedGaplessPrefix() throws {
        let binary = try ProcessSupport.scanledger()
        let t = try TestLedger()
        t.ledger.close()   // the poster is the writer from here on
        let stream = t.directory.appendingPathComponent("stream.jsonl")
        try Self.receipts(60_000).write(to: stream, atomically: true, encoding: .utf8)
        let (poster, answers) = try ProcessSupport.startPost(binary, db: t.path, stdin: stream)
        defer { if poster.isRunning { kill(poster.processIdentifier, SIGKILL) } }
        while poster.isRunning, answers.lines < 2_000 { usleep(2_000) }
        // Progress is read from the source itself: the poster's answers reach
        // us through a pipe in buffered chunks, which under a slow build (TSan)
        // may not arrive while a copy runs.
        func committed() throws -> Int64 { try Connection(path: t.path).scalarInt("SELECT ifnull(max(seq), 0) FROM postings") ?? 0 }

        var copies: [(path: String, postings: Int64)] = []
        for n in 0..<3 {
            let copy = t.directory.appendingPathComponent("copy-\(n).db").path
            if n == 0 {
                let r = try ProcessSupport.run(binary, ["backup", "--db", t.path, copy])
                #expect(r.status == 0, "backup \(n): \(r.stderr)")
                #expect(r.stdout.contains("checked"), "\(r.stdout)")
            } else {
                // Tiny steps, so the poster commits many times between them: the
                // copy must still be one snapshot (and must finish).
                let pages = try Connection(path: t.path).scalarInt("PRAGMA page_count") ?? 0
                #expect(pages > 40, "too small a ledger (\(pages) pages) for steps to matter")
                // A restart (what a step does when its snapshot moved) shows as pages remaining going up.
                var remaining: [Int32] = []
                let before = try committed()
                // Steps pause until the poster has committed during the copy, so
                // the copy is taken under load however fast the copy or slow the
                // poster (TSan) is; after that they run at full speed.
                var progressed = false
                _ = try LedgerBackup.backup(source: t.path, to: copy, pagesPerStep: 4) { left, _ in
                    remaining.append(left)
                    if !progressed { progressed = ((try? committed()) ?? 0) > before; if !progressed { usleep(5_000) } }
                }
                #expect(try committed() > before, "nothing was posted during the copy")
                #expect(remaining.count > 10)
                #expect(zip(remaining, remaining.dropFirst()).allSatisfy { $0 >= $1 }, "the copy restarted: \(remaining.prefix(50))")
            }
            #expect(poster.isRunning, "the poster finished before backup \(n) did: no load to prove anything with")
            let reader = try LedgerReader(path: copy)
            let report = try reader.verify()
            #expect(report.ok, "copy \(n): \(report.problems)")
            // Sequences 1…k with no gaps: count, min and max agree.
            let count = try reader.db.scalarInt("SELECT count(*) FROM postings") ?? 0
            #expect(count > 0)
            #expect(try reader.db.scalarInt("SELECT min(seq) FROM postings") == 1)
            #expect(try reader.db.scalarInt("SELECT max(seq) FROM postings") == count)
            // One self-contained file.
            #expect(try reader.db.scalarInt("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'delete'") == 1)
            #expect(!FileManager.default.fileExists(atPath: copy + "-wal"))
            copies.append((copy, count))
            // Let the poster commit past this copy before the next one (or the
            // kill): a fixed sleep was too short under a slow build (TSan).
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, try committed() <= count {
                usleep(20_000)
            }
        }
        kill(poster.processIdentifier, SIGKILL)
        poster.waitUntilExit()

        // The source went on past every copy, and each copy is exactly its first k postings.
        let sourceCount = try LedgerReader(path: t.path).db.scalarInt("SELECT count(*) FROM postings") ?? 0
        for (copy, k) in copies {
            #expect(sourceCount > k, "the source (\(sourceCount)) did not grow after the copy (\(k))")
            let expected = try Self.postings(t.path, upTo: k)
            let got = try Self.postings(copy, upTo: Int64.max)
            #expect(got.count == Int(k))
            #expect(got == expected, "copy \(copy) differs from the source's first \(k) postings")
        }
        #expect(copies.map(\.postings) == copies.map(\.postings).sorted(), "later copies hold more")
    }

    @Test func directoryBackupsAreDatedAndOnlyTheNewestAreKept() throws {
        let binary = try ProcessSupport.scanledger()
        let t = try TestLedger()
        _ = try t.receive("a", qty: 3)
        let dir = t.directory.appendingPathComponent("backups").path + "/"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let old = ["ledger-2020-01-01.db", "ledger-2020-01-02.db", "ledger-2020-01-03.db", "ledger-2020-01-04.db"]
        for name in old + ["notes.txt", "ledger-old.db"] { FileManager.default.createFile(atPath: dir + name, contents: Data("x".utf8)) }
        let r = try ProcessSupport.run(binary, ["backup", "--db", t.path, "--keep", "3", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let today = dir + "ledger-" + Date().formatted(.iso8601.year().month().day().dateSeparator(.dash)) + ".db"   // UTC date
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(left == [(today as NSString).lastPathComponent, "ledger-2020-01-04.db", "ledger-2020-01-03.db", "notes.txt", "ledger-old.db"],
                "\(left.sorted())")
        #expect(try LedgerReader(path: today).verify().postings == 1)
        // Usage: --keep without a directory, or not a number.
        #expect(try ProcessSupport.run(binary, ["backup", "--db", t.path, "--keep", "3", dir + "x.db"]).status == 2)
        #expect(try ProcessSupport.run(binary, ["backup", "--db", t.path, "--keep", "0", dir]).status == 2)
    }

    @Test func restoreChecksTheCopyAndKeepsThePreviousFile() throws {
        let binary = try ProcessSupport.scanledger()
        let t = try TestLedger()
        _ = try t.receive("a", qty: 3)
        let backup = t.directory.appendingPathComponent("b.db").path
        #expect(try ProcessSupport.run(binary, ["backup", "--db", t.path, backup]).status == 0)
        _ = try t.receive("b", qty: 4)
        t.ledger.close()

        // A damaged backup is refused and the ledger left alone.
        let bad = t.directory.appendingPathComponent("bad.db").path
        try FileManager.default.copyItem(atPath: backup, toPath: bad)
        try Corruption.damageMiddleOfTablePage(bad, table: "postings")
        let refused = try ProcessSupport.run(binary, ["restore", "--db", t.path, bad])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("refused"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: t.path + ".before-restore"))
        #expect(try LedgerReader(path: t.path).verify().postings == 2)

        // A lock holder (what scanledgerd is) stops the restore.
        do {
            guard case .success(let lock) = try LedgerLock.acquire(ledger: t.path) else { throw TestFailure("lock taken") }
            let r = try ProcessSupport.run(binary, ["restore", "--db", t.path, backup])
            #expect(r.status == 1)
            #expect(r.stderr.contains("running scanledgerd") && r.stderr.contains("pid \(getpid())"), "\(r.stderr)")
            withExtendedLifetime(lock) {}
        }

        // Restored by root (as here, when the tests run as root), the file keeps the daemon user's ownership.
        let root = getuid() == 0
        if root { #expect(chown(t.path, 65534, 65534) == 0) }
        let ok = try ProcessSupport.run(binary, ["restore", "--db", t.path, backup])
        #expect(ok.status == 0, "\(ok.stderr)")
        if root {
            let owner = try FileManager.default.attributesOfItem(atPath: t.path)[.ownerAccountID] as? NSNumber
            #expect(owner?.intValue == 65534, "restored file owned by \(String(describing: owner))")
        }
        #expect(try LedgerReader(path: t.path).verify().postings == 1)
        #expect(try LedgerReader(path: t.path + ".before-restore").verify().postings == 2)
        // A second restore would overwrite the kept file: refused.
        let again = try ProcessSupport.run(binary, ["restore", "--db", t.path, backup])
        #expect(again.status == 1)
        #expect(again.stderr.contains(".before-restore"), "\(again.stderr)")
    }

    @Test func damageInATablePageIsFoundByVerifyDeepAndTheStartupCheck() throws {
        let binary = try ProcessSupport.scanledger()
        let t = try TestLedger()
        for n in 0..<40 { _ = try t.ledger.postAndWait((0..<100).map { i in
            PostingRequest(key: "k\(n)-\(i)", kind: .receipt, ref: "ASN-\(n)", eventTime: "2024-05-01T10:00:00Z",
                           lines: [PostingLine(item: TestLedger.widget, qty: Int64(i + 1), from: VirtualLocation.supplier, to: "DOCK1")])
        }) }
        t.ledger.close()
        let sound = try LedgerIntegrity.problems(path: t.path, check: .full)
        #expect(sound.isEmpty, "\(sound)")
        try LedgerIntegrity.checkBeforeOpening(path: t.path)

        for table in ["postings", "entries"] {
            // A copy whose every page is in the one file (no WAL to shadow the damaged page).
            let copy = t.directory.appendingPathComponent("damaged-\(table).db").path
            _ = try LedgerBackup.backup(source: t.path, to: copy)
            let page = try Corruption.damageMiddleOfTablePage(copy, table: table)
            let before = try Data(contentsOf: URL(fileURLWithPath: copy))

            #expect(throws: LedgerDamaged.self, "\(table) page \(page)") { try LedgerIntegrity.checkBeforeOpening(path: copy) }
            let deep = try ProcessSupport.run(binary, ["verify", "--deep", "--db", copy])
            #expect(deep.status == 1, "verify --deep on damaged \(table) page \(page): \(deep.stdout)\(deep.stderr)")
            #expect(deep.stderr.contains("sqlite integrity_check"), "\(deep.stderr)")
            // Looking must not change the evidence.
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
        }
        let clean = try ProcessSupport.run(binary, ["verify", "--deep", "--db", t.path])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains(": OK"))
    }
}

/// Damage the way a bad sector or a stray write does: garbage in the middle
/// of a leaf page of a table's b-tree, among its cells (record headers and
/// values), not in the file header where SQLite would refuse the file outright
/// and not in the page's free space, which no check reads (and no query either).
enum Corruption {
    /// Overwrites 64 bytes in the middle of the cell area of the middle leaf page of `table`; returns the page number.
    @discardableResult
    static func damageMiddleOfTablePage(_ path: String, table: String) throws -> Int64 {
        let (page, pageSize): (Int64, Int64) = try {
            let db = try Connection(path: path)
            let leaves = try db.scalarInt("SELECT count(*) FROM dbstat WHERE name = ? AND pagetype = 'leaf'", .text(table)) ?? 0
            guard leaves > 0 else { throw TestFailure("\(table) has no leaf pages in dbstat") }
            let page = try db.scalarInt("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET ?",
                                        .text(table), .int(leaves / 2)) ?? 0
            return (page, try db.scalarInt("PRAGMA page_size") ?? 4096)
        }()
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let pageStart = UInt64((page - 1) * pageSize)
        // The b-tree page header (after the file header on page 1): bytes 5–6 are where the cells start.
        try handle.seek(toOffset: pageStart + (page == 1 ? 100 : 0))
        let header = try handle.read(upToCount: 8) ?? Data()
        // 0x0D: leaf of a rowid table (postings); 0x0A: leaf of a WITHOUT ROWID table's b-tree (entries).
        guard header.count == 8, header[0] == 0x0D || header[0] == 0x0A else { throw TestFailure("page \(page) is not a leaf (type \(header.first ?? 0))") }
        let cells = Int64(header[5]) << 8 | Int64(header[6])
        let offset = max(cells, (cells + pageSize) / 2 - 32)
        try handle.seek(toOffset: pageStart + UInt64(min(offset, pageSize - 64)))
        try handle.write(contentsOf: Data((0..<64).map { UInt8(truncatingIfNeeded: 0xA5 &+ $0 &* 37) }))
        try handle.synchronize()
        return page
    }
}
