import Foundation
import Testing
@testable import Service
import Stations

/// The `returns` station type: its locations, strict keys, and the station
/// StationHost builds from it.
@Suite struct ReturnsConfigTests {
    let base = #""site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"}"#

    func parse(_ json: String) throws -> ServiceConfig {
        try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "test.json"))
    }

    func error(_ json: String) -> String {
        do { _ = try parse(json); return "no error" } catch let e as ConfigError { return e.checkedPositionThenKeyPathAndMessage(file: "test.json") } catch { return "\(error)" }
    }

    @Test func aReturnsStationTakesItsLocationsAndReasons() throws {
        let c = try parse(#"{\#(base), "stations": [{"name": "r", "type": "returns", "restock_location": "A-01", "quarantine_location": "QA", "damaged_location": "DMG", "reasons": ["WRONG-SIZE"]}]}"#)
        let s = try #require(c.stations.first)
        #expect(s.kind == .returns && s.restockLocation == "A-01" && s.quarantineLocation == "QA" && s.damagedLocation == "DMG")
        #expect(s.attendance.reasons == ["WRONG-SIZE"])
    }

    @Test func restockIsRequiredAndOtherTypesKeysAreRefused() {
        #expect(error(#"{\#(base), "stations": [{"name": "r", "type": "returns"}]}"#) == "stations[0].restock_location: missing (required)")
        #expect(error(#"{\#(base), "stations": [{"name": "r", "type": "returns", "restock_location": "A", "pack_location": "P"}]}"#)
            .contains("pack_location"))
        #expect(error(#"{\#(base), "stations": [{"name": "p", "type": "pack", "pack_location": "P", "packed_location": "S", "restock_location": "A"}]}"#)
            .contains("restock_location"))
    }

    @Test func commandNamesIncludeTheDispositions() throws {
        let c = try parse(#"{\#(base), "commands": {"restock": "ZURUECK", "damaged": "KAPUTT"}}"#)
        #expect(c.commands.restock == "ZURUECK" && c.commands.damaged == "KAPUTT" && c.commands.quarantine == "QUARANTINE")
        #expect(error(#"{\#(base), "commands": {"restock": "CLOSE"}}"#).contains("already the close command"))
    }
}
