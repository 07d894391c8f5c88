import Foundation
import Testing
import Devices
import ScanModel

/// Issue 18, "device misbehaviour", against the real scanledgerd: a scanner
/// that vanishes mid-frame and comes back under another tty name (found by
/// VID:PID+serial through a by-id directory), and one read at the wrong baud
/// rate. Each is shown with its likely cause, and the other scanner on the
/// same daemon keeps getting its scans answered meanwhile.
@Suite(.serialized) struct DeviceMisbehaviourTests {
    static let linkName = "usb-Honeywell_Imaging___Mobility_1900_12345678-if00"

    /// Two receiving stations: dock-1 fed by the misbehaving `dock-scanner`
    /// on `port`, dock-2 by `hand-2` (the site's scanner).
    static func config(_ site: DaemonSite, port: String) -> String {
        """
        {"site": {"box_id": "test"}, "log_level": "info",
         "ledger": {"path": "\(site.db)", "synchronous": "full"},
         "control": {"socket": "\(site.socket)", "mode": "0600"},
         "patterns": {"document": ["ASN-####"]},
         "devices": [{"name": "dock-scanner", "driver": "line", "port": "\(port)", "serial": "115200 8N1"},
                     {"name": "hand-2", "driver": "line", "port": "\(site.scanner.path)", "serial": "115200 8N1"}],
         "stations": [{"name": "dock-1", "type": "receiving", "devices": ["dock-scanner"], "dock": "DOCK-1"},
                      {"name": "dock-2", "type": "receiving", "devices": ["hand-2"], "dock": "DOCK-1"}]}
        """
    }

    static func device(_ site: DaemonSite, _ name: String) throws -> [String: Any] {
        let all = try site.request(["cmd": "devices"])["devices"] as? [[String: Any]] ?? []
        return all.first { $0["name"] as? String == name } ?? [:]
    }

    static func document(_ site: DaemonSite, _ station: String) throws -> String? {
        let all = try site.request(["cmd": "stations"])["stations"] as? [[String: Any]] ?? []
        return (all.first { $0["name"] as? String == station }?["view"] as? [String: Any])?["document"] as? String
    }

    /// hand-2 scans an ASN while dock-scanner is not up: the seconds until
    /// dock-2 answers, with dock-scanner's state before and after.
    static func answeredWhile(_ site: DaemonSite, _ asn: String) throws -> (seconds: Double, states: [String]) {
        let before = try device(site, "dock-scanner")["state"] as? String ?? "?"
        let fd = try site.send(["cmd": "watch", "station": "dock-2"])
        defer { close(fd) }
        _ = try site.readAnswer(fd)                     // "streaming": subscribed
        let start = Date()
        let events = try site.scanEach([asn], watching: fd)
        let seconds = Date().timeIntervalSince(start)
        #expect(events.first?["code"] as? String != nil)
        #expect(try document(site, "dock-2") == asn)
        return (seconds, [before, try device(site, "dock-scanner")["state"] as? String ?? "?"])
    }

    @Test func aScannerThatVanishesMidFrameIsDownAndIsFoundAgainUnderAnotherTTY() throws {
        let site = try DaemonSite()
        let byID = site.dir.appendingPathComponent("by-id")
        try FileManager.default.createDirectory(at: byID, withIntermediateDirectories: true)
        let link = byID.appendingPathComponent(Self.linkName).path
        var first: SimulatedDevice? = try SimulatedDevice(name: "a", kind: .line)
        let firstPath = try #require(first?.path)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: firstPath)
        try site.writeRaw(Self.config(site, port: "usb:0c2e:0b61+12345678"))
        try site.start(environment: ["SCANLEDGER_SERIAL_BY_ID": byID.path])
        try eventually("dock-scanner up at \(firstPath); log: \(site.log)") { try Self.device(site, "dock-scanner")["state"] as? String == "up" }

        try first?.write(Array("ASN-10".utf8))         // a line cut short: no CR
        try eventually("dock-scanner to read the 6 bytes") {
            (try Self.device(site, "dock-scanner")["counters"] as? [String: Any])?["bytes"] as? Int == 6
        }
        let second = try SimulatedDevice(name: "b", kind: .line)   // opened first, so its name differs
        try FileManager.default.removeItem(atPath: link)           // as udev does when it goes
        first = nil                                                // master and slave closed: gone
        try eventually("dock-scanner down") { try Self.device(site, "dock-scanner")["state"] as? String == "down" }
        let down = try Self.device(site, "dock-scanner")
        let reason = down["reason"] as? String ?? ""
        #expect(reason.hasPrefix("device vanished (") && reason.contains(" mid-frame, 6 bytes of an unfinished frame discarded"), "\(reason)")
        let status = try site.request(["cmd": "status"])
        let notUp = status["devices_not_up"] as? [[String: Any]] ?? []
        #expect(notUp.map { $0["name"] as? String } == ["dock-scanner"] && notUp.first?["state"] as? String == "down")

        let answered = try Self.answeredWhile(site, "ASN-1001")
        #expect(answered.states == ["down", "down"])
        print("hand-2's scan answered in \(String(format: "%.3f", answered.seconds)) s while dock-scanner was down")

        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: second.path)
        try eventually("dock-scanner up again; log: \(site.log)") { try Self.device(site, "dock-scanner")["state"] as? String == "up" }
        #expect(site.log.contains("found usb:0c2e:0b61+12345678 again at \(second.path) (was \(firstPath))"), "\(site.log)")
        try second.scan(Array("ASN-1002".utf8))
        try eventually("dock-1 to open ASN-1002") { try Self.document(site, "dock-1") == "ASN-1002" }
        let counters = try Self.device(site, "dock-scanner")["counters"] as? [String: Any] ?? [:]
        #expect(counters["scans"] as? Int == 1 && counters["truncated"] as? Int == 1 && counters["reconnects"] as? Int == 1)
        #expect(try site.stop() == 0)
    }

    @Test func aScannerAtTheWrongBaudRateIsDegradedAndRecoversWithoutARestart() throws {
        let site = try DaemonSite()
        let scanner = try SimulatedDevice(name: "c", kind: .line)
        try site.writeRaw(Self.config(site, port: scanner.path))
        try site.start()
        try eventually("dock-scanner up") { try Self.device(site, "dock-scanner")["state"] as? String == "up" }

        // A 9600 scanner read at 115200: NULs (Tests/Captures/tools/wrong_baud.py).
        try scanner.write([UInt8](repeating: 0, count: 1200))
        try eventually("dock-scanner degraded") { try Self.device(site, "dock-scanner")["state"] as? String == "degraded" }
        let degraded = try Self.device(site, "dock-scanner")
        #expect(degraded["reason"] as? String == "no valid frame in 512 bytes, 100 % non-text: wrong baud rate? configured 115200 8N1")
        #expect(degraded["connected"] as? Bool == true)
        let metrics = try site.request(["cmd": "metrics"])["text"] as? String ?? ""
        #expect(metrics.contains(#"scanledger_device_state{device="dock-scanner",state="degraded"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"scanledger_device_state{device="hand-2",state="up"} 1"#))
        let table = try runCLI(["devices", "--socket", site.socket])
        #expect(table.out.contains("degraded") && table.out.contains("wrong baud rate? configured 115200 8N1"), "\(table.out)")
        #expect(site.log.contains("degraded: no valid frame in 512 bytes"), "\(site.log)")
        let top = try runCLI(["top", "--once", "--socket", site.socket])
        #expect(top.out.contains("DEVICES 1/2 up") && top.out.contains("DEGRADED") && top.out.contains("  no valid frame in 512 bytes"), "\(top.out)")

        let answered = try Self.answeredWhile(site, "ASN-1001")
        #expect(answered.states == ["degraded", "degraded"])
        print("hand-2's scan answered in \(String(format: "%.3f", answered.seconds)) s while dock-scanner was degraded")

        // Set right (the scanner reprogrammed to 115200): the first line ends
        // the garbage and is dropped with it, the next is a scan again.
        try scanner.write(Array("\r".utf8))
        try scanner.scan(Array("ASN-1002".utf8))
        try eventually("dock-scanner up again") { try Self.device(site, "dock-scanner")["state"] as? String == "up" }
        try eventually("dock-1 to open ASN-1002") { try Self.document(site, "dock-1") == "ASN-1002" }
        #expect((try Self.device(site, "dock-scanner")["counters"] as? [String: Any])?["scans"] as? Int == 1)
        #expect(try site.stop() == 0)
    }
}
