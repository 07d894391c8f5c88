import Foundation
import ScanModel
import Stations
import Testing
@testable import Service

/// A receiving station's inspection keys: strict, errors name the key path.
@Suite struct InspectionConfigTests {
    let base = #""site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"}"#

    func receiving(_ extra: String) -> String {
        "{\(base), \"stations\": [{\"name\": \"r\", \"type\": \"receiving\", \"dock\": \"D\"\(extra)}]}"
    }

    func parse(_ json: String) throws -> ServiceConfig {
        try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "test.json"))
    }

    func error(_ json: String) -> String {
        do { _ = try parse(json); return "no error" } catch let e as ConfigError { return e.checkedPositionThenKeyPathAndMessage(file: "test.json") } catch { return "\(error)" }
    }

    @Test func inspectionKeysParse() throws {
        let c = try parse(receiving(#", "inspection": {"default": {"sample_every": 10}, "items": {"06141410000120": "all", "06141410000298": "none"}}, "quarantine_location": "QA-1", "damaged_location": "DMG-1", "reasons": ["WET", "CRUSHED"], "damage_reasons": ["CRUSHED"], "inspection_blocks_close": true"#))
        let i = c.stations[0].inspection
        #expect(i.rule == .sampleEvery(10))
        #expect(i.rule(for: "06141410000120") == .all && i.rule(for: "06141410000298") == InspectionRule.none)
        #expect(i.rule(for: "other") == .sampleEvery(10))
        #expect(i.quarantine == "QA-1" && i.damaged == "DMG-1" && i.damageReasons == ["CRUSHED"] && i.blocksClose)
        #expect(try parse(receiving("")).stations[0].inspection == InspectionConfig())
    }

    @Test func inspectionErrorsNameTheKeyPath() {
        #expect(error(receiving(#", "inspection": {"default": "some"}, "quarantine_location": "Q""#)).hasPrefix("stations[0].inspection.default: 'some' is not one of: none, all"))
        #expect(error(receiving(#", "inspection": {"default": {"sample_every": 0}}, "quarantine_location": "Q""#)).hasPrefix("stations[0].inspection.default.sample_every: 0 is out of range"))
        #expect(error(receiving(#", "inspection": {"items": {"X": {"every": 2}}}, "quarantine_location": "Q""#)).hasPrefix("stations[0].inspection.items.X.every: unknown key"))
        #expect(error(receiving(#", "inspection": {"default": "all"}"#)) == "stations[0].quarantine_location: missing (required when units are inspected)")
        #expect(error(receiving(#", "damage_reasons": ["CRUSHED"]"#)) == "stations[0].damaged_location: missing (required with damage_reasons)")
        #expect(error(receiving(#", "reasons": ["WET"], "damaged_location": "X", "damage_reasons": ["CRUSHED"]"#)) == "stations[0].damage_reasons[0]: 'CRUSHED' is not one of the station's reasons")
        #expect(error(receiving(#", "inspection_blocks_close": "yes""#)) == "stations[0].inspection_blocks_close: expected true or false, got the string \"yes\"")
        #expect(error("{\(base), \"stations\": [{\"name\": \"m\", \"type\": \"move\", \"quarantine_location\": \"Q\"}]}").hasPrefix("stations[0].quarantine_location: unknown key"))
        #expect(error("{\(base), \"commands\": {\"pass\": \"CLOSE\"}}").hasPrefix("commands.pass: 'CLOSE' is already the close command"))
    }
}
