import Foundation
import Testing
import Ledger
import ScanModel

/// Issue 18, disk full, as a site meets it: the real scanledgerd with its
/// ledger on a small tmpfs and a pty scanner at a move station, posting moves
/// until the disk is full; then the filler is deleted and the next move
/// posts with no restart.
@Suite(.serialized) struct DiskFullDaemonTests {
    static let item = gtin("0614141000012").digits

    /// The site's move station on the pty scanner; the log, sockets and config outside the tmpfs.
    static func config(_ site: DaemonSite) -> String {
        """
        {"site": {"box_id": "test"}, "log_level": "info",
         "ledger": {"path": "\(site.db)", "synchronous": "full"},
         "control": {"socket": "\(site.socket)", "mode": "0600"},
         "devices": [{"name": "dock-scanner", "driver": "line", "port": "\(site.scanner.path)", "serial": "115200 8N1"}],
         "stations": [{"name": "mover", "type": "move", "devices": ["dock-scanner"]}]}
        """
    }

    static func moveScans(_ n: Int) -> [String] {
        let (from, to) = n % 2 == 0 ? ("A-01", "B-01") : ("B-01", "A-01")
        return ["LOC:\(from)", "01\(item)", "LOC:\(to)", "CMD:CONFIRM"]
    }

    /// Runs `body` with a site whose ledger is on a fresh 4 MiB tmpfs: the
    /// daemon is killed, then the tmpfs unmounted, whatever way it leaves.
    static func withSiteOnTmpfs(_ body: (TmpfsMount, DaemonSite) throws -> Void) throws {
        let fs = try TmpfsMount(bytes: 4 << 20)
        defer { fs.unmount() }
        let site = try DaemonSite(ledgerIn: fs.dir)
        defer { if site.process != nil { _ = try? site.stop(SIGKILL) } }
        try body(fs, site)
    }

    static func occurrences(_ text: String, in log: String) -> Int { log.components(separatedBy: text).count - 1 }

    @Test(.enabled(if: TmpfsMount.canMount, "mounting a tmpfs needs root (CI runs the tests as root)"))
    func aFullDiskIsRefusedWithStorageFullSaidOnceShownInStatusAndTheDaemonResumesWhenSpaceIsFreed() throws {
        try Self.withSiteOnTmpfs { fs, site in
            try site.withLedger { try seedStock($0, item: Self.item, qty: 100, at: "A-01") }
            try site.writeRaw(Self.config(site))
            // Under a watchdog (pinged every second here), as under systemd.
            try site.start(environment: ["WATCHDOG_USEC": "2000000"])
            let fd = try site.send(["cmd": "watch", "station": "mover"])
            defer { close(fd) }
            #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
            #expect(try site.request(["cmd": "status"])["storage_full"] as? Bool == false)

            try fs.fill(leaving: 96 * 1024)
            var acknowledged = Set<Int>()
            var refusal: (scan: String, event: [String: Any])?
            var moves = 0
            moving: while moves < 500 {
                for scan in Self.moveScans(moves) {
                    let e = try site.scanEach([scan], watching: fd)[0]
                    acknowledged.formUnion(e["posted"] as? [Int] ?? [])
                    if e["code"] as? String == "storage-full" { refusal = (scan, e); break moving }
                    guard e["signal"] as? String != "error" else { Issue.record("\(scan) refused before the disk was full: \(e)"); return }
                }
                moves += 1
            }
            let refused = try #require(refusal, "500 moves fitted in 96 KiB: the disk never filled")
            #expect(refused.event["signal"] as? String == "error", "a scan that was not saved must not sound like one that was")
            // The same scan again on the full box: refused each time (or, where a
            // small write still fits, taken at last), and never logged again.
            for _ in 0..<3 {
                let e = try site.scanEach([refused.scan], watching: fd)[0]
                acknowledged.formUnion(e["posted"] as? [Int] ?? [])
                if e["code"] as? String == "storage-full" { continue }
                #expect(e["signal"] as? String != "error", "\(refused.scan) again on the full box: \(e)")
                break
            }
            let status = try site.request(["cmd": "status"])
            #expect(status["storage_full"] as? Bool == true, "\(status)")
            #expect(status["live"] as? Bool == false, "a box whose commits fail is not live: \(status)")
            #expect((status["live_problem"] as? String)?.hasPrefix("storage full") == true, "\(status)")
            #expect((status["status"] as? String)?.hasPrefix("STORAGE FULL") == true, "\(status)")
            let cli = try runCLI(["status", "--socket", site.socket])
            #expect(cli.out.contains("storage_full") && cli.out.contains("storage.full_error") && cli.out.contains("no space left"), "\(cli)")
            let metrics = try site.request(["cmd": "metrics"])["text"] as? String ?? ""
            #expect(metrics.contains("\nscanledger_storage_full 1\n"), "\(metrics)")
            #expect(Self.occurrences("scans that need a write are refused", in: site.log) == 1, "\(site.log)")
            // Not live, but the watchdog is still pinged: a restart cannot free space.
            site.notify.poll()
            let pings = site.notify.messages.count
            try eventually("WATCHDOG=1 while the disk is full", limit: 10) {
                site.notify.poll()
                return site.notify.messages.dropFirst(pings).contains("WATCHDOG=1")
            }
            #expect(try site.request(["cmd": "status"])["storage_full"] as? Bool == true)

            // Space comes back: the next move posts, no restart.
            try FileManager.default.removeItem(at: fs.dir.appendingPathComponent("filler"))
            _ = try site.scanEach(["CMD:CANCEL"], watching: fd)
            let resumed = try site.scanEach(Self.moveScans(0), watching: fd)
            #expect(resumed.map { $0["code"] as? String ?? "?" } == ["opened", "accepted", "accepted", "posted"], "\(resumed)")
            acknowledged.formUnion(resumed.last?["posted"] as? [Int] ?? [])
            try eventually("the log to say space is back (log: \(site.log))", limit: 40) { site.log.contains("storage space is back") }
            let after = try site.request(["cmd": "status"])
            #expect(after["storage_full"] as? Bool == false && after["live"] as? Bool == true, "\(after)")
            #expect(Self.occurrences("scans that need a write are refused", in: site.log) == 1)
            #expect(Self.occurrences("storage space is back", in: site.log) == 1)
            #expect(try site.stop() == 0)

            try site.withLedger { ledger in
                // Every acknowledged move is there once; every move there was acknowledged.
                let rows = try ledger.history(.item(Self.item)).filter { $0.kind == .move }
                #expect(Set(rows.map { Int($0.seq.value) }) == acknowledged)
                #expect(Set(rows.map(\.key)).count == acknowledged.count, "a key posted twice")
                #expect(try ledger.verify().ok)
                // The journal says once, per station, what it did not write while full.
                let held = try ledger.stationJournal(JournalQuery(station: "mover", code: "storage-full"))
                #expect(held.count == 1, "\(held)")
            }
            let verify = try runCLI(["verify", "--db", site.db])
            #expect(verify.status == 0, "\(verify)")
        }
    }

    /// A box restarted (a power cut, an admin's restart) while its disk is
    /// full: scanledgerd starts, refuses what it cannot write with
    /// storage-full, and posts once space is freed.
    @Test(.enabled(if: TmpfsMount.canMount, "mounting a tmpfs needs root (CI runs the tests as root)"))
    func theDaemonStartsOnAFullDiskAndPostsOnceSpaceIsFreed() throws {
        try Self.withSiteOnTmpfs { fs, site in
            var n = 0
            try site.withLedger { ledger in
                try seedStock(ledger, item: Self.item, qty: 100, at: "A-01")
                try fs.fill(leaving: 64 * 1024)
                while n < 5_000, let r = try? ledger.postAndWait([LedgerStorageFullTests.move(n, item: Self.item)])[0], case .posted = r.outcome { n += 1 }
                #expect(ledger.storageStatus.full, "the disk never filled")
            }
            try site.writeRaw(Self.config(site))
            try site.start()
            // Known full from the start (free space probed at open), before any scan was refused.
            #expect(try site.request(["cmd": "status"])["storage_full"] as? Bool == true)
            let fd = try site.send(["cmd": "watch", "station": "mover"])
            defer { close(fd) }
            #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
            // What fits in the WAL space the refused postings left may still commit.
            var refused: [String: Any]?
            moving: for _ in 0..<200 {
                for scan in Self.moveScans(n) {
                    let e = try site.scanEach([scan], watching: fd)[0]
                    if e["code"] as? String == "storage-full" { refused = e; break moving }
                    guard e["signal"] as? String != "error" else { Issue.record("\(scan) after the restart: \(e)"); return }
                }
                n += 1
            }
            #expect(refused?["signal"] as? String == "error", "no storage-full refusal on the full disk")
            #expect(try site.request(["cmd": "status"])["storage_full"] as? Bool == true)
            #expect(Self.occurrences("scans that need a write are refused", in: site.log) == 1, "\(site.log)")

            try FileManager.default.removeItem(at: fs.dir.appendingPathComponent("filler"))
            _ = try site.scanEach(["CMD:CANCEL"], watching: fd)
            let resumed = try site.scanEach(Self.moveScans(n), watching: fd)
            #expect(resumed.last?["code"] as? String == "posted", "\(resumed)")
            #expect(try site.stop() == 0)
            let verify = try runCLI(["verify", "--db", site.db])
            #expect(verify.status == 0, "\(verify)")
        }
    }
}
