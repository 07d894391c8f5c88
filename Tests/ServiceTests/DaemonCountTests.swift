import Foundation
import Ledger
import ScanModel
import Testing
@testable import Service

/// RFID shelf counts through the real scanledgerd: a TSL handheld on a pty
/// (trigger and tag reports, ASCII 2.0) and a line scanner, both feeding one
/// count station whose zone runs event cycles.
@Suite(.serialized) struct DaemonCountTests {
    /// SGTIN-96 of GTIN 80614141123458 (TDS example company prefix) with serial `n`.
    static func epc(_ n: UInt32) -> String { EPC(hi: 0x3074_257B_F719_4E40, lo32: n).hex }

    /// A site whose count station `count-1` takes the handheld's tags through
    /// zone `sweep` (cycles started by command) and the scanner's barcodes.
    static func countSite(_ site: DaemonSite, handheld: FakeScanner) throws {
        try site.writeRaw("""
        {"site": {"box_id": "test"}, "log_level": "info",
         "ledger": {"path": "\(site.db)", "synchronous": "full"},
         "control": {"socket": "\(site.socket)", "mode": "0600"},
         "devices": [{"name": "gun", "driver": "tsl", "port": "\(handheld.path)"},
                     {"name": "scanner", "driver": "line", "port": "\(site.scanner.path)"}],
         "zones": [{"name": "sweep", "readers": [{"device": "gun"}], "smoothing": {"observed_count": 1},
                    "cycle": {"start": "command", "min_reads": 1}}],
         "stations": [{"name": "count-1", "type": "count", "devices": ["gun", "scanner"], "zones": ["sweep"], "auto_post": false}]}
        """)
        try site.withLedger { l in
            for n in 1...3 { try seedStock(l, item: "80614141123458", qty: 1, at: "A-01", serial: "\(n)") }
        }
    }

    static func tagLines(_ serials: ClosedRange<UInt32>) -> String {
        serials.map { "EP: \(epc($0))\r\nRI: -52\r\n" }.joined()
    }

    static func counts(_ site: DaemonSite) throws -> [[String: Any]] {
        try site.request(["cmd": "counts", "all": true])["counts"] as? [[String: Any]] ?? []
    }

    static func waitUntilConnected(_ site: DaemonSite) throws {
        try eventually("the handheld to connect") {
            (try site.request(["cmd": "devices"])["devices"] as? [[String: Any]])?.allSatisfy { $0["connected"] as? Bool == true } == true
        }
    }

    /// Waits until `count-1`'s view says it counts (log in the message when it does not).
    static func waitUntilCounting(_ site: DaemonSite) throws {
        try eventually("the count to start (log: \(site.log))") {
            ((try countStation(site)["text"] as? String) ?? "").contains("counting")
        }
    }

    /// The one count the station closed, once it is there.
    static func closedCount(_ site: DaemonSite) throws -> [String: Any] {
        try eventually("the count to close (log: \(site.log))") { try counts(site).count == 1 }
        return try #require(try counts(site).first)
    }

    static func countStation(_ site: DaemonSite) throws -> [String: Any] {
        (try site.request(["cmd": "stations"])["stations"] as? [[String: Any]])?.first ?? [:]
    }

    /// Issue 13, bug 1: the last tag reports and the trigger release arrive in
    /// one read. The release must not overtake the tags: the count finds all
    /// three units, not "0 found, all missing".
    @Test func aTriggerReleaseInTheSameReadAsTheLastTagsDoesNotOvertakeThem() throws {
        let site = try DaemonSite()
        let handheld = try FakeScanner()
        try Self.countSite(site, handheld: handheld)
        try site.start()
        try Self.waitUntilConnected(site)
        site.scanner.scan("LOC:A-01")
        try eventually("the location to be chosen") { try Self.countStation(site)["open"] as? Bool == true }
        handheld.write(Array("SW: single\r\n".utf8))
        try Self.waitUntilCounting(site)
        // Tags and the release in one write: one read on the daemon's side.
        handheld.write(Array((Self.tagLines(1...3) + "SW: off\r\n").utf8))
        let count = try Self.closedCount(site)
        #expect(count["found"] as? Int == 3, "\(count)")
        #expect(count["missing"] as? Int == 0, "\(count)")
        #expect(try site.stop() == 0)
    }

    /// Issue 13, bug 1 (second half): `LOC:…` and the trigger press in one
    /// read. The location must reach the station before the press.
    @Test func aLocationScanAndATriggerPressInOneReadKeepTheirOrder() throws {
        let site = try DaemonSite()
        let handheld = try FakeScanner()
        try Self.countSite(site, handheld: handheld)
        try site.start()
        try Self.waitUntilConnected(site)
        // TSL handhelds also scan barcodes: BC: lines.
        handheld.write(Array("BC: LOC:A-01\r\nSW: single\r\n".utf8))
        try Self.waitUntilCounting(site)
        handheld.write(Array((Self.tagLines(1...2) + "SW: off\r\n").utf8))
        let count = try Self.closedCount(site)
        #expect(count["found"] as? Int == 2, "\(count)")
        #expect(count["missing"] as? Int == 1, "\(count)")
        #expect(try site.stop() == 0)
    }

    /// Issue 13, bug 2: a count started with COUNT-START, the daemon restarted,
    /// then COUNT-STOP. The new process has no open read cycle; the count must
    /// still close with what was seen before the restart.
    @Test func countStopAfterARestartClosesTheCount() throws {
        let site = try DaemonSite()
        let handheld = try FakeScanner()
        try Self.countSite(site, handheld: handheld)
        try site.start()
        site.scanner.scan("LOC:A-01")
        site.scanner.scan("CMD:COUNT-START")
        try Self.waitUntilCounting(site)
        handheld.write(Array(Self.tagLines(1...3).utf8))
        try eventually("three tags seen") {
            ((try Self.countStation(site)["text"] as? String) ?? "").contains("3/3")
        }
        #expect(try site.stop() == 0)
        try site.start()
        #expect(try Self.countStation(site)["open"] as? Bool == true)
        site.scanner.scan("CMD:COUNT-STOP")
        let count = try Self.closedCount(site)     // after the restart
        #expect(count["found"] as? Int == 3, "\(count)")
        #expect(try Self.countStation(site)["open"] as? Bool == false)
        #expect(try site.stop() == 0)
    }
}
