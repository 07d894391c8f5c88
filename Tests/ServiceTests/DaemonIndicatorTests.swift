import Devices
import Foundation
import Testing
@testable import Service

/// Issue 14: a station's `indicator` (here a relay box on a serial line with
/// one byte per outcome) signals every outcome of the station's scans, for
/// scanners that have no way back of their own. Run through the real
/// scanledgerd with ptys for the scanner and the indicator.
@Suite(.serialized) struct DaemonIndicatorTests {
    let plain = gtin("0614141000012").digits

    func indicatorSite(_ site: DaemonSite, tower: FakeScanner) throws {
        try site.writeRaw("""
        {"site": {"box_id": "test"}, "log_level": "info",
         "ledger": {"path": "\(site.db)", "synchronous": "full"},
         "control": {"socket": "\(site.socket)", "mode": "0600"},
         "patterns": {"document": ["ASN-####"]},
         "devices": [{"name": "dock-scanner", "driver": "line", "port": "\(site.scanner.path)"},
                     {"name": "tower", "driver": "line", "port": "\(tower.path)",
                      "feedback": {"good": "G", "warning": "W", "error": [{"hex": "45"}], "done": "D"}}],
         "stations": [{"name": "dock-1", "type": "receiving", "devices": ["dock-scanner"], "dock": "DOCK-1",
                       "indicator": "tower"}]}
        """)
    }

    /// Reads what the daemon wrote to `pty` until `count` bytes came.
    func heard(_ pty: FakeScanner, _ count: Int) throws -> String {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 256)
        try eventually("\(count) indicator bytes (so far: \(String(decoding: out, as: UTF8.self)))", limit: 10) {
            let n = read(pty.master, &buf, buf.count)
            if n > 0 { out += buf[0..<n] }
            return out.count >= count
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test(.timeLimit(.minutes(2))) func theIndicatorSignalsEachOutcomeOfTheStationsScans() throws {
        let site = try DaemonSite()
        let tower = try FakeScanner()
        try indicatorSite(site, tower: tower)
        try site.start()
        defer { _ = try? site.stop() }
        try eventually("both devices to connect") {
            (try site.request(["cmd": "devices"])["devices"] as? [[String: Any]])?.allSatisfy { $0["connected"] as? Bool == true } == true
        }
        site.scanner.scan("ASN-1001")                  // receipt opened: good
        #expect(try heard(tower, 1) == "G")
        site.scanner.scan("01\(plain)3011")            // 11 of 10: refused over-receipt
        #expect(try heard(tower, 1) == "E")
        site.scanner.scan("CMD:OVERRIDE")              // accepted with a note
        #expect(try heard(tower, 1) == "W")
        site.scanner.scan("CMD:CLOSE")                 // posted, with the override noted
        #expect(try heard(tower, 1) == "W")
        site.scanner.scan("ASN-1002")
        site.scanner.scan("01\(plain)3004")            // exactly the ASN's 4
        site.scanner.scan("CMD:CLOSE")                 // posted clean: done
        let closed = try heard(tower, 3)
        #expect(closed == "GGD", "\(site.log)")
    }

    /// An LLRP reader's outputs as the indicator of a scanner's station: the
    /// outcomes light different GPOs of the (emulated) reader.
    @Test(.timeLimit(.minutes(2))) func anLLRPReadersGPOsIndicateForAScannersStation() throws {
        let site = try DaemonSite()
        let reader = try LLRPReaderEmulator()
        defer { reader.stop() }
        try site.writeRaw("""
        {"site": {"box_id": "test"}, "log_level": "info", "ledger": {"path": "\(site.db)"},
         "control": {"socket": "\(site.socket)", "mode": "0600"}, "patterns": {"document": ["ASN-####"]},
         "devices": [{"name": "dock-scanner", "driver": "line", "port": "\(site.scanner.path)"},
                     {"name": "door", "driver": "llrp", "host": "\(reader.address)", "options": "keepalive=1000",
                      "feedback": {"gpo": {"good": {"port": 1, "ms": 20}, "error": {"port": 2, "ms": 20}}}}],
         "stations": [{"name": "dock-1", "type": "receiving", "devices": ["dock-scanner"], "dock": "DOCK-1", "indicator": "door"}]}
        """)
        try site.start()
        defer { _ = try? site.stop() }
        #expect(reader.waitUntilInventorying(timeout: 30), "log: \(site.log)")
        try eventually("the reader's session to run") {
            let devices = try site.request(["cmd": "devices"])["devices"] as? [[String: Any]] ?? []
            return devices.allSatisfy { $0["connected"] as? Bool == true }
        }
        typealias Write = LLRPReaderEmulator.GPOWrite
        site.scanner.scan("ASN-1001")                  // good: GPO 1 pulses
        try eventually("GPO 1 on and off (log: \(site.log))", limit: 10) { reader.snapshot.gpoWrites.count >= 2 }
        #expect(reader.snapshot.gpoWrites == [Write(port: 1, high: true), Write(port: 1, high: false)])
        site.scanner.scan("01\(plain)3011")            // refused over-receipt: GPO 2 pulses
        try eventually("GPO 2 on and off", limit: 10) { reader.snapshot.gpoWrites.count >= 4 }
        #expect(Array(reader.snapshot.gpoWrites.dropFirst(2)) == [Write(port: 2, high: true), Write(port: 2, high: false)])
    }

    func configError(_ stations: String, devices: String = "") -> String {
        let json = """
        {"site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"},
         "devices": [{"name": "wedge", "driver": "evdev", "port": "/dev/input/event3"},
                     {"name": "reader", "driver": "llrp", "host": "10.0.0.5"}\(devices)],
         "stations": [\(stations)]}
        """
        do { _ = try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "test.json")); return "no error" } catch let e as ConfigError {
            return e.checkedPositionThenKeyPathAndMessage(file: "test.json")
        } catch { return "\(error)" }
    }

    @Test func anIndicatorMustBeAConfiguredDeviceThatCanSignal() {
        let station = #"{"name": "m", "type": "move", "devices": ["wedge"], "indicator": "#
        #expect(configError(station + #""lamp"}"#) == "stations[0].indicator: unknown device 'lamp' (defined: wedge, reader)")
        #expect(configError(station + #""wedge"}"#) == "stations[0].indicator: device 'wedge' is one of the station's devices: it gets the feedback anyway")
        #expect(configError(#"{"name": "m", "type": "move", "devices": [], "indicator": "wedge"}"#)
            == "stations[0].indicator: device 'wedge' (driver evdev) has no output to signal with")
        #expect(configError(station + #""reader"}"#)
            == #"stations[0].indicator: llrp reader 'reader' has no "feedback": {"gpo": …} mapping, so it cannot signal"#)
        let lit = #", {"name": "lit", "driver": "llrp", "host": "10.0.0.6", "feedback": {"gpo": {"error": {"port": 2, "ms": 500}}}}"#
        #expect(configError(station + #""lit"}"#, devices: lit) == "no error")
    }
}
