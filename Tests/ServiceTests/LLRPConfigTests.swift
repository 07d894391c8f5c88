import Foundation
import Testing
import Devices
@testable import Service

/// LLRP readers in the config (`host` + LLRP option words) and the daemon's
/// device numbering, without starting a daemon.
@Suite struct LLRPConfigTests {
    let base = #""site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"}"#
    let scanner = #"{"name": "s1", "driver": "line", "port": "/dev/ttyACM0"}"#

    func parse(_ json: String) throws -> ServiceConfig {
        try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "test.json"))
    }
    func error(_ json: String) -> String {
        do { _ = try parse(json); return "no error" } catch let e as ConfigError { return e.checkedPositionThenKeyPathAndMessage(file: "test.json") } catch { return "\(error)" }
    }
    func reader(_ rest: String) -> String { #"{"name": "portal", "driver": "llrp", "host": "10.0.4.21:5085"\#(rest)}"# }

    @Test func anLLRPReaderGetsItsSessionSettingsFromHostAndOptions() throws {
        let c = try parse("{\(base), \"devices\": [\(scanner), \(reader(#", "options": "preset=cycle-count antennas=1,2 report=tags:4 keepalive=2000""#))]}")
        let r = try c.devices[1].readerConfig()
        #expect(r.host == "10.0.4.21" && r.port == 5085)
        #expect(r.antennas == [1, 2] && r.reportTrigger == .everyNTags(4) && r.keepaliveMilliseconds == 2000)
        #expect(r.gen2.session == 2)
        // Options as an object, antennas as a JSON array.
        let o = try parse("{\(base), \"devices\": [\(reader(#", "options": {"preset": "presence", "antennas": [3, 4]}"#))]}")
        #expect(try o.devices[0].readerConfig().antennas == [3, 4])
        // No options: defaults, port 5084 when the host has none.
        let d = try parse(#"{"# + base + #", "devices": [{"name": "r", "driver": "llrp", "host": "reader-1"}]}"#)
        #expect(try d.devices[0].readerConfig() == LLRPReaderConfig(host: "reader-1"))
    }

    @Test func badLLRPOptionsAndHostsNameTheKeyPathAndTheOption() {
        #expect(error("{\(base), \"devices\": [\(scanner), \(reader(#", "options": "preset=fast""#))]}")
            .hasPrefix("devices[1].options: LLRP option preset=fast: not one of cycle-count, presence"))
        #expect(error("{\(base), \"devices\": [\(reader(#", "options": "antennas=1,x""#))]}")
            .hasPrefix("devices[0].options: LLRP option antennas=1,x:"))
        #expect(error("{\(base), \"devices\": [\(reader(#", "options": {"report": "every:5"}"#))]}")
            .hasPrefix("devices[0].options: LLRP option report=every:5:"))
        #expect(error("{\(base), \"devices\": [\(reader(#", "options": "stx-etx""#))]}")
            .hasPrefix("devices[0].options: LLRP option 'stx-etx'"))
        #expect(error(#"{"# + base + #", "devices": [{"name": "r", "driver": "llrp", "host": "reader:99999"}]}"#)
            .hasPrefix("devices[0].host: 'reader:99999' is not HOST or HOST:PORT"))
        // Serial option words are not LLRP options, and the other way round.
        #expect(error(#"{"# + base + #", "devices": [{"name": "s", "driver": "line", "port": "/dev/x", "options": "keepalive=5"}]}"#)
            .hasPrefix("devices[0].options:"))
    }

    @Test func numbersStayWithTheirNamesAndNewNamesNeverReuseOne() throws {
        var numbering = DeviceNumbering()
        var first = try parse(#"{"# + base + #", "devices": [{"name": "a", "driver": "line", "port": "/dev/a"}, {"name": "b", "driver": "mercury", "port": "/dev/b"}], "zones": [{"name": "z", "readers": [{"device": "b"}]}]}"#)
        numbering.apply(to: &first)
        #expect(first.devices.map(\.index.value) == [1, 2])
        #expect(numbering.index(for: "added-over-socket")?.value == 3)
        // The reloaded file drops a, puts a new device c first and keeps b.
        var second = try parse(#"{"# + base + #", "devices": [{"name": "c", "driver": "line", "port": "/dev/c"}, {"name": "b", "driver": "mercury", "port": "/dev/b"}], "zones": [{"name": "z", "readers": [{"device": "b"}]}]}"#)
        #expect(second.devices.map(\.index.value) == [1, 2])  // by position, as parsed
        numbering.apply(to: &second)
        #expect(second.devices.map(\.index.value) == [4, 2])
        #expect(second.zones[0].readers[0].device.value == 2)   // the zone follows its reader
        #expect(second.pipeline.scanners.map(\.device.value) == [4, 2])
        #expect(numbering.index(for: "a")?.value == 1)
    }
}
