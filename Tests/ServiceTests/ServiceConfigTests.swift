import Foundation
import Testing
@testable import Service

/// Config errors must name the key path; unknown keys and dangling references are errors.
@Suite struct ServiceConfigTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/scanledger.json")

    func parse(_ json: String) throws -> ServiceConfig {
        try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "test.json"))
    }

    func error(_ json: String) -> String {
        do { _ = try parse(json); return "no error" } catch let e as ConfigError { return e.checkedPositionThenKeyPathAndMessage(file: "test.json") } catch { return "\(error)" }
    }

    let base = #""site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"}"#
    let device = #"{"name": "s1", "driver": "line", "port": "/dev/ttyACM0"}"#

    @Test func theShippedExampleParsesWithItsCrossReferences() throws {
        let c = try ServiceConfig.load(path: Self.example.path)
        #expect(c.devices.map(\.name) == ["dock-1-scanner", "dock-1-portal", "rf-1", "pack-1-scanner"])
        #expect(c.zones.map(\.name) == ["dock-1", "rf-1-sweep"])
        #expect(c.stations.map(\.kind) == [.receiving, .count, .pack])
        #expect(c.stations[0].overReceiptTolerancePercent == 5 && c.stations[0].dock == "DOCK-1")
        #expect(c.devices[1].options == "read-rate=200")
        #expect(c.controlMode == 0o660 && c.controlGroup == "scanledger")
        #expect(c.zones[0].readers.first?.antennas == [1, 2])
    }

    @Test func minimalConfigHasDefaults() throws {
        let c = try parse("{\(base)}")
        #expect(c.controlSocket == "/run/scanledger/control.sock" && c.controlMode == 0o660)
        #expect(c.synchronous == .full && c.logLevel == .info && c.devices.isEmpty)
        #expect(c.startupCheck == .quick)
    }

    @Test func startupCheckIsQuickFullOrOff() throws {
        #expect(try parse(#"{"site": {"box_id": "b"}, "ledger": {"path": "x", "startup_check": "off"}}"#).startupCheck == nil)
        #expect(try parse(#"{"site": {"box_id": "b"}, "ledger": {"path": "x", "startup_check": "full"}}"#).startupCheck == .full)
        #expect(error(#"{"site": {"box_id": "b"}, "ledger": {"path": "x", "startup_check": "never"}}"#).contains("ledger.startup_check: 'never' is not one of"))
    }

    @Test func errorsNameTheKeyPath() {
        #expect(error("{}") == "site: missing (required)")
        #expect(error("{\(base), \"colour\": 1}").hasPrefix("colour: unknown key"))
        #expect(error(#"{"site": {"box_id": 3}, "ledger": {"path": "x"}}"#) == "site.box_id: expected a string, got the number 3")
        #expect(error(#"{"site": {"box_id": "b"}, "ledger": {"path": "x", "synchronous": "fast"}}"#).contains("ledger.synchronous: 'fast' is not one of"))
        #expect(error("{\(base), \"control\": {\"mode\": \"rw\"}}").hasPrefix("control.mode: 'rw' is not an octal"))
        #expect(error("{\(base), \"devices\": [{\"name\": \"a\", \"driver\": \"laser\", \"port\": \"/dev/x\"}]}").hasPrefix("devices[0].driver: unknown driver 'laser'"))
        #expect(error("{\(base), \"devices\": [{\"name\": \"a\", \"driver\": \"line\"}]}").hasPrefix("devices[0]: give exactly one of"))
        #expect(error("{\(base), \"devices\": [{\"name\": \"a\", \"driver\": \"line\", \"port\": \"/dev/x\", \"serial\": \"fast\"}]}").hasPrefix("devices[0].serial:"))
        #expect(error("{\(base), \"devices\": [{\"name\": \"a\", \"driver\": \"line\", \"port\": \"/dev/x\", \"options\": \"wobble\"}]}").hasPrefix("devices[0].options:"))
        #expect(error("{\(base), \"devices\": [\(device), \(device)]}") == "devices[1].name: device 's1' is defined twice")
        #expect(error("{\(base), \"devices\": [{\"name\": \"r\", \"driver\": \"llrp\", \"port\": \"/dev/x\"}]}").hasPrefix("devices[0].host: an llrp reader"))
        #expect(error("{\(base), \"devices\": [{\"name\": \"r\", \"driver\": \"line\", \"host\": \"10.0.0.5\"}]}").hasPrefix("devices[0].host: only llrp readers"))
    }

    @Test func crossReferencesAreChecked() {
        let zone = #"{"name": "z", "readers": [{"device": "s1"}]}"#
        #expect(error("{\(base), \"zones\": [{\"name\": \"z\", \"readers\": [{\"device\": \"ghost\"}]}]}") == "zones[0].readers[0].device: unknown device 'ghost'")
        #expect(error("{\(base), \"devices\": [\(device)], \"stations\": [{\"name\": \"m\", \"type\": \"move\", \"devices\": [\"s2\"]}]}")
            .hasPrefix("stations[0].devices[0]: unknown device 's2'"))
        #expect(error("{\(base), \"devices\": [\(device)], \"zones\": [\(zone)], \"stations\": [{\"name\": \"m\", \"type\": \"move\", \"zones\": [\"y\"]}]}")
            .hasPrefix("stations[0].zones[0]: unknown zone 'y'"))
        let two = "{\(base), \"devices\": [\(device)], \"stations\": [{\"name\": \"m\", \"type\": \"move\", \"devices\": [\"s1\"]}, {\"name\": \"n\", \"type\": \"move\", \"devices\": [\"s1\"]}]}"
        #expect(error(two) == "stations[1].devices[0]: device 's1' already belongs to station 'm'")
    }

    @Test func stationKeysDependOnTheType() {
        #expect(error("{\(base), \"stations\": [{\"name\": \"r\", \"type\": \"receiving\"}]}") == "stations[0].dock: missing (required)")
        #expect(error("{\(base), \"stations\": [{\"name\": \"m\", \"type\": \"move\", \"dock\": \"D\"}]}").hasPrefix("stations[0].dock: unknown key"))
        #expect(error("{\(base), \"stations\": [{\"name\": \"p\", \"type\": \"pack\", \"pack_location\": \"P\"}]}") == "stations[0].packed_location: missing (required)")
        #expect(error("{\(base), \"stations\": [{\"name\": \"c\", \"type\": \"count\", \"auto_post\": 1}]}") == "stations[0].auto_post: expected true or false, got the number 1")
        #expect(error("{\(base), \"stations\": [{\"name\": \"x\", \"type\": \"sorting\"}]}").hasPrefix("stations[0].type: 'sorting' is not one of"))
        #expect(error("{\(base), \"stations\": [{\"name\": \"r\", \"type\": \"receiving\", \"dock\": \"D\", \"over_receipt_tolerance_percent\": -1}]}")
            .hasPrefix("stations[0].over_receipt_tolerance_percent: -1 is out of range"))
    }

    @Test func shipStationTakesPackedLocationAndCarrierPatterns() throws {
        let ship = #"{"name": "s", "type": "ship", "packed_location": "SHIP", "carriers": [{"carrier": "DHL", "pattern": "JJD*"}]}"#
        let c = try parse("{\(base), \"stations\": [\(ship)]}")
        #expect(c.stations.first?.kind == .ship && c.stations.first?.packedLocation == "SHIP")
        #expect(c.stations.first?.carriers == [CarrierPattern(carrier: "DHL", pattern: "JJD*")])
        #expect(error("{\(base), \"stations\": [{\"name\": \"s\", \"type\": \"ship\"}]}") == "stations[0].packed_location: missing (required)")
        #expect(error("{\(base), \"stations\": [{\"name\": \"s\", \"type\": \"ship\", \"packed_location\": \"S\", \"pack_location\": \"P\"}]}")
            .hasPrefix("stations[0].pack_location: unknown key"))
        #expect(error("{\(base), \"stations\": [{\"name\": \"s\", \"type\": \"ship\", \"packed_location\": \"S\", \"carriers\": [{\"carrier\": \"DHL\", \"pattern\": \"*J*\"}]}]}")
            == "stations[0].carriers[0].pattern: at most one '*' per pattern")
        #expect(error("{\(base), \"stations\": [{\"name\": \"s\", \"type\": \"ship\", \"packed_location\": \"S\", \"carriers\": [{\"carrier\": \"DHL\", \"prefix\": \"J\"}]}]}")
            .hasPrefix("stations[0].carriers[0].prefix: unknown key"))
    }

    @Test func zoneSettingsAreCheckedByPathToo() {
        let d = "\"devices\": [\(device)]"
        #expect(error("{\(base), \(d), \"zones\": [{\"name\": \"z\", \"readers\": [{\"device\": \"s1\", \"antennas\": [0]}]}]}") == "zones[0].readers[0].antennas[0]: 0 is out of range 1…64")
        #expect(error("{\(base), \(d), \"zones\": [{\"name\": \"z\", \"readers\": [{\"device\": \"s1\"}], \"cycle\": {\"start\": \"never\"}}]}").hasPrefix("zones[0].cycle.start:"))
        #expect(error("{\(base), \(d), \"zones\": [{\"name\": \"z\", \"readers\": [{\"device\": \"s1\"}], \"smoothing\": {\"lost_ms\": 5}}]}").hasPrefix("zones[0].smoothing.lost_ms: unknown key"))
        #expect(error("{\(base), \(d), \"zones\": [{\"name\": \"z\", \"readers\": [{\"device\": \"s1\"}]}, {\"name\": \"z\", \"readers\": [{\"device\": \"s1\"}]}]}") == "zones[1].name: zone 'z' is defined twice")
        #expect(error("{\(base), \"patterns\": {\"location\": [\"*-*\"]}}") == "patterns.location[0]: at most one '*' per pattern")
    }

    @Test func configuredPatternKindsReplaceOnlyTheirOwnDefaults() throws {
        let c = try parse("{\(base), \"patterns\": {\"document\": [\"ASN-####\"]}}")
        let t = ScanTranslator(decoder: c.scanDecoder)
        #expect(t.input(for: Array("ASN-1001".utf8)) == .document("ASN-1001"))
        #expect(t.input(for: Array("CMD:CLOSE".utf8)) == .command("CLOSE"))   // default command pattern kept
        #expect(t.input(for: Array("DOC:X".utf8)) == .unrecognized("DOC:X"))  // default document pattern replaced
    }
}
