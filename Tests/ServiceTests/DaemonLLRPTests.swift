import Devices
import Foundation
import Ledger
import ScanModel
import Testing
@testable import Service

/// The real scanledgerd with an LLRP reader (the loopback emulator) next to a
/// pty scanner: tags become postings, counters show in `devices`, a reader
/// that dies is reconnected while the scanner keeps working, SIGTERM closes
/// the LLRP session properly. Also device numbering across `device-add` and
/// SIGHUP.
@Suite(.serialized) struct DaemonLLRPTests {
    let tag6789 = EPC(hex: "3074257BF7194E4000001A85")   // SGTIN 80614141123458 serial 6789
    let tag6790 = EPC(hex: "3074257BF7194E4000001A86")   // serial 6790
    let tag6791 = EPC(hex: "3074257BF7194E4000001A87")   // serial 6791

    func writeConfig(_ site: DaemonSite, readerHost: String, options: String = "preset=presence antennas=1,2 report=tags:1 keepalive=1000 reconnect-max=500") throws {
        try site.writeRaw("""
            {"site": {"box_id": "t"}, "log_level": "info", "ledger": {"path": "\(site.db)"},
             "control": {"socket": "\(site.socket)", "mode": "0600"}, "patterns": {"document": ["ASN-####"]},
             "devices": [{"name": "dock-scanner", "driver": "line", "port": "\(site.scanner.path)"},
                         {"name": "portal", "driver": "llrp", "host": "\(readerHost)", "options": "\(options)"}],
             "zones": [{"name": "door", "readers": [{"device": "portal"}], "smoothing": {"observed_count": 1}}],
             "stations": [{"name": "dock-1", "type": "receiving", "devices": ["dock-scanner"], "zones": ["door"], "dock": "DOCK-1"}]}
            """)
    }

    func portal(_ site: DaemonSite) throws -> [String: Any] {
        let devices = try site.request(["cmd": "devices"])["devices"] as? [[String: Any]] ?? []
        return devices.first { $0["name"] as? String == "portal" } ?? [:]
    }
    func counter(_ device: [String: Any], _ key: String) -> Int? { (device["counters"] as? [String: Any])?[key] as? Int }

    @Test func anLLRPPortalReceivesTagsSurvivesAReaderRestartAndClosesCleanlyOnSIGTERM() throws {
        let site = try DaemonSite()
        let emulator = try LLRPReaderEmulator()
        defer { emulator.stop() }
        try writeConfig(site, readerHost: emulator.address)
        try site.start()
        #expect(emulator.waitUntilInventorying(timeout: 30), "log: \(site.log)")
        site.scanner.scan("ASN-2001")
        try eventually("the receipt to open") { try site.scanned() == [0] }
        let a = try #require(tag6789), b = try #require(tag6790), c = try #require(tag6791)
        #expect(emulator.report([a, b], antenna: 2))
        try eventually("both tags to arrive (log: \(site.log))") { try site.scanned() == [2] }
        let p = try portal(site)
        #expect(p["connected"] as? Bool == true && p["port"] as? String == emulator.address)
        #expect(counter(p, "tag_reads") == 2 && counter(p, "reconnects") == 0)
        #expect((p["llrp"] as? [String: Any])?["state"] as? String == "running")

        // The reader loses power: the portal goes down, the scanner keeps working.
        emulator.stop()
        try eventually("the portal to be seen down") { try portal(site)["connected"] as? Bool == false }
        site.scanner.scan("CMD:CLOSE")
        try eventually("the receipt to post while the reader is down") { try site.scanned() == nil }
        let rows = try site.request(["cmd": "stock", "location": "DOCK-1"])["rows"] as? [[String: Any]] ?? []
        #expect(rows.compactMap { $0["serial"] as? String }.sorted() == ["6789", "6790"])

        // It comes back on the same address: reconnected and counted, reads flow again.
        try emulator.start()
        try eventually("the portal to reconnect (log: \(site.log))") {
            let p = try portal(site)
            return p["connected"] as? Bool == true && counter(p, "reconnects") == 1
        }
        #expect(emulator.report([c]))
        try eventually("the third read") { counter(try portal(site), "tag_reads") == 3 }
        let metrics = try site.request(["cmd": "metrics"])["text"] as? String ?? ""
        #expect(metrics.contains("scanledger_device_reconnects_total{device=\"portal\"} 1"))
        #expect(metrics.contains("scanledger_device_tag_reads_total{device=\"portal\"} 3"))

        #expect(try site.stop(SIGTERM) == 0)
        let s = emulator.snapshot
        #expect(s.closeConnections == 1, "CLOSE_CONNECTION on SIGTERM")
        #expect(s.requests.suffix(2) == [LLRPMessageType.stopROSpec, LLRPMessageType.closeConnection])
        try site.withLedger { (l: Ledger) throws -> Void in #expect(try l.verify().ok) }
    }

    @Test func aReaderThatIsDownAtStartDoesNotHoldUpTheDaemonOrTheScanner() throws {
        let site = try DaemonSite()
        let emulator = try LLRPReaderEmulator()
        let address = emulator.address
        emulator.stop()                                     // nobody listens there now
        try writeConfig(site, readerHost: address)
        try site.start()
        site.scanner.scan("ASN-1001")
        try eventually("the scanner to feed dock-1") { try site.scanned() == [0] }
        try eventually("failed connects to be counted") {
            ((try portal(site)["llrp"] as? [String: Any])?["connect_failures"] as? Int ?? 0) >= 1
        }
        #expect(try portal(site)["connected"] as? Bool == false)
        try emulator.start()
        defer { emulator.stop() }
        try eventually("the portal to connect once the reader is up") { try portal(site)["connected"] as? Bool == true }
        #expect(counter(try portal(site), "reconnects") == 0)  // the first connection is not a reconnect
        #expect(try site.stop() == 0)
        #expect(emulator.snapshot.closeConnections == 1)
    }

    @Test func badLLRPOptionsAreRefusedByCheckConfigWithTheKeyPath() throws {
        let site = try DaemonSite()
        try writeConfig(site, readerHost: "127.0.0.1:5084", options: "preset=presence report=tags:0")
        let r = try runCLI(["check-config", site.configPath])
        #expect(r.status == 1)
        #expect(r.err.contains("devices[1].options: LLRP option report=tags:0:"), "\(r.err)")
        try writeConfig(site, readerHost: "127.0.0.1:5084")
        let ok = try runCLI(["check-config", site.configPath])
        #expect(ok.status == 0, "\(ok.err)")
    }

    /// A device added over the socket keeps its number (and its station) when
    /// a later reload adds devices to the file: numbers are never reused.
    @Test func aSocketAddedDeviceKeepsAUniqueNumberAcrossAReloadThatAddsDevices() throws {
        let site = try DaemonSite()
        try site.start()
        let extra = try FakeScanner()
        let added = try site.request(["cmd": "device-add", "station": "dock-1", "device": ["name": "hand-2", "driver": "line", "port": extra.path]])
        #expect(added["ok"] as? Bool == true)
        try site.writeConfig(extraDevice: true)            // the file now has a second device too
        kill(try #require(site.process?.processIdentifier), SIGHUP)
        var devices: [[String: Any]] = []
        try eventually("three devices after the reload") {
            devices = try site.request(["cmd": "devices"])["devices"] as? [[String: Any]] ?? []
            return devices.count == 3
        }
        let numbers = devices.compactMap { $0["index"] as? Int }
        #expect(numbers.count == 3 && Set(numbers).count == 3, "\(devices.map { "\($0["name"] ?? "") \($0["index"] ?? "")" })")
        #expect(devices.first { $0["name"] as? String == "hand-2" }?["station"] as? String == "dock-1")
        try eventually("hand-2 to connect") { try site.request(["cmd": "devices"])["devices"].flatMap { $0 as? [[String: Any]] }?
            .contains { $0["name"] as? String == "hand-2" && $0["connected"] as? Bool == true } == true }
        extra.scan("ASN-1001")
        try eventually("the added scanner's scan to reach dock-1 (log: \(site.log))") { try site.scanned() == [0] }
        // udev re-attaching its node restarts it; it stays a socket-added device through the next reload.
        #expect(try site.request(["cmd": "device-attached", "path": extra.path])["devices"] as? [String] == ["hand-2"])
        #expect(try site.request(["cmd": "device-add", "device": ["name": "hand-3", "driver": "line", "port": "/dev/null"]])["ok"] as? Bool == true)
        kill(try #require(site.process?.processIdentifier), SIGHUP)
        try eventually("the second reload") { site.log.components(separatedBy: "scanledger.json applied").count == 3 }
        let after = try site.request(["cmd": "devices"])["devices"] as? [[String: Any]] ?? []
        #expect(Set(after.compactMap { $0["index"] as? Int }).count == 4)
        extra.scan("01\(gtin("0614141000012").digits)3001")
        try eventually("hand-2 still feeds dock-1 after the second reload") { try site.scanned() == [1] }
        #expect(try site.stop() == 0)
    }
}
