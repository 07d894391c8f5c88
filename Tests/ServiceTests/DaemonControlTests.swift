import Foundation
import Ledger
import Testing
@testable import Service

/// The control socket and reloads of the real scanledgerd: strict request
/// fields, serialized reloads, and what `status` counts.
@Suite(.serialized) struct DaemonControlTests {
    let plain = gtin("0614141000012").digits

    /// Issue 13, bug 4: a field of the wrong type or an unknown field is an
    /// error naming the field, never a wider answer.
    @Test func mistypedOrUnknownControlFieldsAreErrorsNamingTheField() throws {
        let site = try DaemonSite()
        try site.withLedger { l in try seedStock(l, item: plain, qty: 5, at: "A-01") }
        try site.start()
        let wrongType = try site.request(["cmd": "stock", "location": ["S-90"]])
        #expect(wrongType["ok"] as? Bool == false, "\(wrongType)")
        #expect((wrongType["error"] as? String ?? "").contains("location"), "\(wrongType)")
        #expect(wrongType["rows"] == nil)
        let unknown = try site.request(["cmd": "stock", "locaton": "S-90"])
        #expect(unknown["ok"] as? Bool == false, "\(unknown)")
        #expect((unknown["error"] as? String ?? "").contains("locaton"), "\(unknown)")
        let all = try site.request(["cmd": "counts", "all": "yes"])
        #expect(all["ok"] as? Bool == false, "\(all)")
        #expect((all["error"] as? String ?? "").contains("all"), "\(all)")
        let number = try site.request(["cmd": "history", "item": 6141410000125])
        #expect(number["ok"] as? Bool == false, "\(number)")
        #expect((number["error"] as? String ?? "").contains("item"), "\(number)")
        // The right types still answer.
        let rows = try site.request(["cmd": "stock", "location": "A-01"])["rows"] as? [[String: Any]]
        #expect(rows?.first?["qty"] as? Int == 5)
        #expect(try site.request(["cmd": "counts", "all": true])["ok"] as? Bool == true)
        #expect(try site.stop() == 0)
    }

    /// Issue 13, bug 3: reloads from SIGHUP and from the socket at the same
    /// time. Each must see the configuration the one before it applied: a
    /// device new in the file starts once, not once per concurrent reload.
    @Test func concurrentReloadsAreSerializedAndStartANewDeviceOnce() throws {
        let site = try DaemonSite()
        try site.start()
        let pid = try #require(site.process?.processIdentifier)
        func occurrences(_ text: String) -> Int { site.log.components(separatedBy: text).count - 1 }
        for round in 1...8 {
            // Odd rounds add a device and change the stations (each reload then
            // builds stations from the database: time enough for unserialized
            // reloads to overlap); even rounds go back to the first file.
            try site.writeConfig(extraDevice: round % 2 == 1, changedStations: round % 2 == 1)
            // Every client connects first (each gets its own server thread),
            // then all send at once, with status requests among them.
            let reloads = try (0..<16).map { _ in try site.connectControl() }
            let readers = try (0..<4).map { _ in try site.connectControl() }
            defer { for fd in reloads + readers { close(fd) } }
            for (n, fd) in reloads.enumerated() {
                try site.write(["cmd": "reload"], to: fd)
                if n == 8 { kill(pid, SIGHUP) }
                if n % 4 == 0 { try site.write(["cmd": "status"], to: readers[n / 4]) }
            }
            for fd in reloads { #expect(try site.readAnswer(fd)["ok"] as? Bool == true) }
            for fd in readers { #expect(try site.readAnswer(fd)["ok"] as? Bool == true) }
            try eventually("round \(round)'s SIGHUP reload too") { occurrences("scanledger.json applied") == 17 * round }
            #expect(occurrences("device spare started") == (round + 1) / 2, "round \(round), log: \(site.log)")
            #expect(occurrences("device spare stopped") == round / 2, "round \(round), log: \(site.log)")
            #expect(occurrences("stations started") == round, "round \(round), log: \(site.log)")
            #expect((try site.request(["cmd": "devices"])["devices"] as? [Any])?.count == (round % 2 == 1 ? 2 : 1))
        }
        #expect(try site.stop() == 0)
    }

    /// Issue 13, bug 6: after a restart `status` said "0 postings" on a ledger
    /// that has postings. It now says what each number counts.
    @Test func statusShowsTheLedgersTotalAfterARestart() throws {
        let site = try DaemonSite()
        try site.start()
        site.scanner.scan("ASN-1001")
        site.scanner.scan("01\(plain)3010")
        site.scanner.scan("CMD:CLOSE")
        try eventually("the receipt to post") { try site.request(["cmd": "status"])["postings_since_start"] as? Int == 1 }
        #expect(try site.stop() == 0)
        try site.start()
        let status = try site.request(["cmd": "status"])
        #expect(status["ledger_postings"] as? Int == 1, "\(status)")
        #expect(status["postings_since_start"] as? Int == 0, "\(status)")
        #expect((status["status"] as? String ?? "").contains("1 postings in the ledger"), "\(status)")
        let cli = try runCLI(["status", "--socket", site.socket])
        #expect(cli.out.contains("ledger_postings"), "\(cli.out) \(cli.err)")
        #expect(try site.stop() == 0)
    }
}
