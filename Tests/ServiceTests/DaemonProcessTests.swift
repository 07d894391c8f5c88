import Foundation
import Ledger
import Testing
@testable import Service

/// The real scanledgerd binary, driven through a pty scanner and its control
/// socket: receiving over restarts, SIGKILL durability, sd_notify, SIGHUP.
@Suite(.serialized) struct DaemonProcessTests {
    let plain = gtin("0614141000012").digits

    @Test func receivingOverAPtySurvivesSIGTERMAndARestart() throws {
        let site = try DaemonSite()
        try site.start()
        // Its own datagram right after READY=1, which `start` may have seen alone.
        try eventually("STATUS= after READY=1") { site.notify.received("STATUS=") }
        site.scanner.scan("ASN-1001")
        site.scanner.scan("01\(plain)3004")          // (01) + (30) quantity 4
        site.scanner.scan("]E0\(plain.dropFirst())")    // EAN-13 with AIM prefix: one unit
        try eventually("4 + 1 scanned") { try site.scanned() == [5] }
        #expect(try site.stop(SIGTERM) == 0)
        #expect(site.notify.received("STOPPING=1"))
        #expect(site.log.contains("stopped"))

        try site.start()
        #expect(try site.scanned() == [5])             // the open receipt came back from the database
        site.scanner.scan("01\(plain)3005")
        site.scanner.scan("CMD:CLOSE")
        try eventually("the receipt to post") { try site.scanned() == nil }
        let stock = try site.request(["cmd": "stock", "location": "DOCK-1"])["rows"] as? [[String: Any]]
        #expect(stock?.first?["qty"] as? Int == 10)
        #expect(try site.stop() == 0)
        try site.withLedger { (l: Ledger) throws -> Void in
            #expect(try l.verify().ok)
            #expect(Set(try l.history(.ref("ASN-1001")).map(\.seq)).count == 1)
        }
    }

    /// A released scanner's `/dev/pts/N` stays taken (see `FakeScanner`):
    /// before, it was freed and could be the next test's pty, which a daemon
    /// still retrying the path then read from. The kernel frees a number when
    /// no descriptor refers to the pty, so that is what is checked.
    @Test func aReleasedScannersNumberStaysTaken() throws {
        var old = ""
        do { old = try FakeScanner().path }
        #expect(PtyNumbers.held(old), "no descriptor holds \(old): its number goes to the next pty")
    }

    @Test func sigkillMidSessionKeepsEveryAcknowledgedPostingOnceAndTheOpenSession() throws {
        let site = try DaemonSite()
        try site.start()
        site.scanner.scan("ASN-1001")
        site.scanner.scan("01\(plain)3010")
        site.scanner.scan("CMD:CLOSE")
        try eventually("the first receipt to post") { try site.scanned() == nil && site.request(["cmd": "status"])["postings_since_start"] as? Int == 1 }
        site.scanner.scan("ASN-1002")
        site.scanner.scan("01\(plain)3003")
        try eventually("3 scanned on the second receipt") { try site.scanned() == [3] }
        #expect(try site.stop(SIGKILL) != 0)

        try site.start()
        #expect(try site.scanned() == [3])
        site.scanner.scan("CMD:CLOSE")
        try eventually("the second receipt to post (log: \(site.log.suffix(3_000)))") { try site.scanned() == nil }
        #expect(try site.stop() == 0)
        try site.withLedger { (l: Ledger) throws -> Void in
            #expect(try l.verify().ok)
            #expect(Set(try l.history(.ref("ASN-1001")).map(\.seq)).count == 1)
            #expect(Set(try l.history(.ref("ASN-1002")).map(\.seq)).count == 1)
            #expect(try l.stock(StockQuery(location: "DOCK-1")).first?.qty == 13)
        }
    }

    @Test func sighupRejectsABadConfigKeepsRunningAndAppliesAGoodOne() throws {
        let site = try DaemonSite()
        try site.start()
        let pid = try #require(site.process?.processIdentifier)
        try site.writeConfig(broken: true)
        kill(pid, SIGHUP)
        try eventually("the reload to be rejected") { site.log.contains("stations[0].dokc: unknown key") }
        #expect((try site.request(["cmd": "devices"])["devices"] as? [Any])?.count == 1)
        site.scanner.scan("ASN-1001")
        site.scanner.scan("01\(plain)3003")
        try eventually("3 scanned") { try site.scanned() == [3] }
        // A good config: one more device, a changed station and a new one, applied live.
        try site.writeConfig(extraDevice: true, changedStations: true)
        kill(pid, SIGHUP)
        try eventually("the second device to run") { (try site.request(["cmd": "devices"])["devices"] as? [Any])?.count == 2 }
        try eventually("the new station") { (try site.request(["cmd": "stations"])["stations"] as? [Any])?.count == 2 }
        #expect(site.log.contains("stations started: dock-1, mover"))
        // The changed station resumed its open session and now tolerates 50 % over-receipt.
        #expect(try site.scanned() == [3])
        site.scanner.scan("01\(plain)3012")
        try eventually("15 of 10 accepted") { try site.scanned() == [15] }
        #expect(try site.stop() == 0)
    }

    @Test func aBadConfigStopsTheDaemonWithTheKeyPath() throws {
        let site = try DaemonSite()
        try site.configText().replacingOccurrences(of: #""devices": ["dock-scanner"]"#, with: #""devices": ["dock-scaner"]"#)
            .write(toFile: site.configPath, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = DaemonSite.binary
        p.arguments = ["--config", site.configPath]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 1)
        #expect(text.contains("stations[0].devices[0]: unknown device 'dock-scaner'"))
    }

    @Test func controlRequestsAnswerErrorsWithoutHurtingOthers() throws {
        let site = try DaemonSite()
        try site.start()
        #expect(try site.request(["cmd": "nope"])["ok"] as? Bool == false)
        #expect(try site.request(["nocmd": 1])["ok"] as? Bool == false)
        #expect(try site.request(["cmd": "counts", "action": "show", "id": "x"])["ok"] as? Bool == false)
        let metrics = try site.request(["cmd": "metrics"])["text"] as? String ?? ""
        #expect(metrics.contains("scanledger_postings_total"))
        // The socket file has the configured mode (0600 in the test config).
        let mode = (try FileManager.default.attributesOfItem(atPath: site.socket)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        // A request line over 1 MiB is answered with an error; the next client is served.
        let fd = try site.send(["cmd": String(repeating: "x", count: 1 << 20)])
        defer { close(fd) }
        #expect(try site.readAnswer(fd)["ok"] as? Bool == false)
        #expect(try site.request(["cmd": "status"])["live"] as? Bool == true)
        #expect(try site.stop() == 0)
    }

    @Test func watchStreamsScanAndStationEventsForOneStation() throws {
        let site = try DaemonSite()
        try site.start(environment: ["WATCHDOG_USEC": "200000"])
        let fd = try site.send(["cmd": "watch", "station": "dock-1"])
        defer { close(fd) }
        #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
        site.scanner.scan("ASN-1001")
        site.scanner.scan("garbage!")
        var events: [[String: Any]] = []
        while events.filter({ $0["type"] as? String == "station" }).count < 2 {
            let e = try site.readAnswer(fd)
            if e["type"] as? String != "heartbeat" { events.append(e) }
        }
        let results = events.filter { $0["type"] as? String == "station" }
        #expect(results.map { $0["code"] as? String } == ["opened", "unknown-barcode"])
        #expect(results.map { $0["signal"] as? String } == ["good", "error"])
        #expect(events.contains { $0["type"] as? String == "scan" && $0["kind"] as? String == "document" })
        // The watchdog is petted while the pipeline thread and the ledger writer are alive.
        try eventually("WATCHDOG=1") { site.notify.received("WATCHDOG=1") }
        #expect(try site.stop() == 0)
    }

    /// Watchers that hang up must not cost the daemon a descriptor each (the
    /// `soak` benchmark saw 19 fds leaked in 40 s, one per dropped `watch`).
    @Test func watchClientsThatHangUpGiveTheirDescriptorsBack() throws {
        let site = try DaemonSite()
        try site.start()
        let pid = try #require(site.process?.processIdentifier)
        func openFDs() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? Int.max }
        _ = try site.request(["cmd": "status"])
        try eventually("the status client to be closed") { openFDs() < Int.max }
        let before = openFDs()
        for _ in 0..<8 {
            let fd = try site.send(["cmd": "watch"])
            #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
            close(fd)
        }
        // Each stream notices its client at the next event or heartbeat (about 1 s).
        try eventually("the daemon's fds to return to \(before) (now \(openFDs()))") { openFDs() <= before }
        #expect(try site.stop() == 0)
    }

    @Test func aMercuryPortalReceivesSerialisedGoodsByTag() throws {
        let site = try DaemonSite()
        let reader = try FakeScanner()
        site.mercuryPort = reader.path
        try site.writeConfig()
        try site.start()
        site.scanner.scan("ASN-2001")
        try eventually("the receipt to open") { try site.scanned() == [0] }
        let epc: [UInt8] = [0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85]  // SGTIN 80614141123458 serial 6789
        var other = epc
        other[11] = 0x86                                                                         // serial 6790
        for _ in 0..<3 { reader.write(mercuryTagFrame(epc: epc) + mercuryTagFrame(epc: other, antenna: 2)) }
        try eventually("both tags to arrive (log: \(site.log))") { try site.scanned() == [2] }
        site.scanner.scan("CMD:CLOSE")
        try eventually("the receipt to post") { try site.scanned() == nil }
        let rows = try site.request(["cmd": "stock", "location": "DOCK-1"])["rows"] as? [[String: Any]] ?? []
        #expect(rows.compactMap { $0["serial"] as? String }.sorted() == ["6789", "6790"])
        let devices = try site.request(["cmd": "devices"])["devices"] as? [[String: Any]] ?? []
        let counters = devices.first { $0["name"] as? String == "portal-reader" }?["counters"] as? [String: Any]
        #expect(counters?["tag_reads"] as? Int == 6)
        #expect(try site.stop() == 0)
    }

    @Test func anRFIDCountFindsMissingAndMisplacedAndIsApprovedOverTheSocket() throws {
        let site = try DaemonSite()
        let reader = try FakeScanner()
        try site.withLedger { (l: Ledger) throws -> Void in
            for s in ["6789", "6790"] { try seedStock(l, item: "80614141123458", qty: 1, at: "A-01", serial: s) }
            try seedStock(l, item: "80614141123458", qty: 1, at: "B-01", serial: "6791")
        }
        try site.writeRaw("""
            {"site": {"box_id": "t"}, "ledger": {"path": "\(site.db)"}, "control": {"socket": "\(site.socket)"},
             "devices": [{"name": "gun", "driver": "line", "port": "\(site.scanner.path)"},
                         {"name": "sled", "driver": "mercury", "port": "\(reader.path)"}],
             "zones": [{"name": "sweep", "readers": [{"device": "sled"}], "smoothing": {"observed_count": 1}, "cycle": {"start": "command"}}],
             "stations": [{"name": "count-1", "type": "count", "devices": ["gun"], "zones": ["sweep"]}]}
            """)
        try site.start()
        site.scanner.scan("LOC:A-01")
        site.scanner.scan("CMD:COUNT-START")
        try eventually("the count to start") {
            let v = (try site.request(["cmd": "stations"])["stations"] as? [[String: Any]])?.first?["view"] as? [String: Any]
            return v?["state"] as? String == "counting"
        }
        var e6789: [UInt8] = [0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85]
        reader.write(mercuryTagFrame(epc: e6789))
        e6789[11] = 0x87                                     // 6791: on the ledger at B-01
        reader.write(mercuryTagFrame(epc: e6789))
        // Both reads must be in the pipeline before the stop: watch the reader's counter.
        try eventually("two tag reads") {
            let d = try site.request(["cmd": "devices"])["devices"] as? [[String: Any]] ?? []
            return (d.first { $0["name"] as? String == "sled" }?["counters"] as? [String: Any])?["tag_reads"] as? Int == 2
        }
        site.scanner.scan("CMD:COUNT-STOP")
        var counts: [[String: Any]] = []
        try eventually("a pending count") {
            counts = try site.request(["cmd": "counts", "action": "list"])["counts"] as? [[String: Any]] ?? []
            return counts.count == 1
        }
        #expect(counts.first?["missing"] as? Int == 1 && counts.first?["misplaced"] as? Int == 1 && counts.first?["found"] as? Int == 1)
        let id = try #require(counts.first?["id"] as? String)
        let shown = try site.request(["cmd": "counts", "action": "show", "id": id])["count"] as? [String: Any]
        #expect((shown?["missing_units"] as? [[String: Any]])?.first?["serial"] as? String == "6790")
        #expect((shown?["misplaced_units"] as? [[String: Any]])?.first?["ledger_location"] as? String == "B-01")
        let approved = try site.request(["cmd": "counts", "action": "approve", "id": id])
        #expect((approved["count"] as? [String: Any])?["status"] as? String ?? "" == "posted (seq 4)")
        #expect((try site.request(["cmd": "counts", "action": "list"])["counts"] as? [Any])?.count == 0)
        let rows = try site.request(["cmd": "stock", "location": "A-01"])["rows"] as? [[String: Any]] ?? []
        #expect(rows.compactMap { $0["serial"] as? String }.sorted() == ["6789", "6791"])
        #expect(try site.stop() == 0)
        try site.withLedger { (l: Ledger) throws -> Void in #expect(try l.verify().ok) }
    }

    /// What scanledger-attach@.service runs when udev sees the node come and go.
    @Test func udevAttachReconnectsTheConfiguredDeviceOnThatPath() throws {
        let site = try DaemonSite()
        try site.start()
        let link = site.dir.appendingPathComponent("by-id-scanner").path
        #expect(symlink(site.scanner.path, link) == 0)
        let attached = try runCLI(["device", "attached", link, "--socket", site.socket, "--json"])
        #expect(attached.status == 0, "\(attached.err)")
        #expect(attached.out.contains("\"devices\":[\"dock-scanner\"]"), "\(attached.out)")
        let elsewhere = try site.request(["cmd": "device-detached", "path": "/dev/ttyUSB9"])
        #expect(elsewhere["devices"] as? [String] == [])
        #expect(try site.request(["cmd": "device-attached"])["error"] as? String == "device-attached needs \"path\"")
        // The restarted runner still feeds its station.
        try eventually("dock-scanner to reconnect") {
            let d = try site.request(["cmd": "devices"])["devices"] as? [[String: Any]] ?? []
            return d.contains { $0["name"] as? String == "dock-scanner" && $0["connected"] as? Bool == true }
        }
        site.scanner.scan("ASN-1001")
        try eventually("the scan to reach dock-1") { try site.scanned() == [0] }
        #expect(try site.stop() == 0)
    }

    @Test func devicesCanBeAddedAndRemovedOverTheSocket() throws {
        let site = try DaemonSite()
        try site.start()
        let extra = try FakeScanner()
        let added = try site.request(["cmd": "device-add", "station": "dock-1", "device": ["name": "hand-2", "driver": "line", "port": extra.path]])
        #expect(added["ok"] as? Bool == true)
        try eventually("hand-2 to connect") {
            let d = try site.request(["cmd": "devices"])["devices"] as? [[String: Any]] ?? []
            return d.contains { $0["name"] as? String == "hand-2" && $0["connected"] as? Bool == true }
        }
        extra.scan("ASN-1001")
        try eventually("the added scanner to feed dock-1") { try site.scanned() == [0] }
        // Said where in the request line, then the key path as in a config file.
        let bad = try site.request(["cmd": "device-add", "device": ["name": "bad", "driver": "nope", "port": "/dev/x"]])["error"] as? String ?? ""
        #expect(bad.hasPrefix("request 1:1:") && bad.hasSuffix(": device.driver: unknown driver 'nope' (known: \(DriverNames.known))"), "\(bad)")
        #expect(try site.request(["cmd": "device-remove", "name": "hand-2"])["ok"] as? Bool == true)
        #expect(try site.request(["cmd": "device-remove", "name": "hand-2"])["ok"] as? Bool == false)
        #expect(try site.stop() == 0)
    }
}

import Devices
enum DriverNames { static var known: String { DriverRegistry.names.joined(separator: ", ") } }
