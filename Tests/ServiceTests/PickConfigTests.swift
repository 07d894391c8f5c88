import Foundation
import Testing
@testable import Service
import Stations

/// The `pick` station type: its pick area, strict keys, and the station StationHost builds.
@Suite struct PickConfigTests {
    let base = #""site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"}"#

    func parse(_ json: String) throws -> ServiceConfig {
        try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "test.json"))
    }

    func error(_ json: String) -> String {
        do { _ = try parse(json); return "no error" } catch let e as ConfigError { return e.checkedPositionThenKeyPathAndMessage(file: "test.json") } catch { return "\(error)" }
    }

    @Test func aPickStationTakesItsAreaTotesAndFEFORule() throws {
        let c = try parse(#"{\#(base), "commands": {"short_pick": "KURZ"}, "stations": [{"name": "p", "type": "pick", "pick_locations": ["B-01", "A-01"], "walk_by_sequence": true, "tote_prefix": "T-", "fefo_is_error": true}]}"#)
        let s = try #require(c.stations.first)
        #expect(s.kind == .pick && s.pickLocations == ["B-01", "A-01"] && s.walkBySequence && s.totePrefix == "T-" && s.fefoIsError)
        #expect(c.commands.shortPick == "KURZ")
        let world = try RealLedgerWorld()
        let station = try StationHost.make(s, world.deps, InMemoryCountReviewStore(), StationContext())
        #expect((station as? PickStation)?.config.walking.sequence == ["B-01", "A-01"])
    }

    @Test func theAreaIsRequiredAndWrongTypesAreRefused() {
        #expect(error(#"{\#(base), "stations": [{"name": "p", "type": "pick"}]}"#) == "stations[0].pick_locations: missing (required)")
        #expect(error(#"{\#(base), "stations": [{"name": "p", "type": "pick", "pick_locations": []}]}"#).contains("at least one location"))
        #expect(error(#"{\#(base), "stations": [{"name": "p", "type": "pick", "pick_locations": ["A"], "fefo_is_error": "yes"}]}"#).contains("fefo_is_error"))
        #expect(error(#"{\#(base), "stations": [{"name": "p", "type": "pick", "pick_locations": ["A"], "pack_location": "P"}]}"#).contains("pack_location"))
    }
}
