import Foundation
import Testing
@testable import Service
import Stations

/// A `ship` station's `pallets` and `doors`: strict keys and types, doors
/// for carriers a label can name, and the station StationHost builds.
@Suite struct ShipConfigTests {
    let base = #""site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"}"#

    func parse(_ json: String) throws -> ServiceConfig {
        try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "test.json"))
    }

    func error(_ json: String) -> String {
        do { _ = try parse(json); return "no error" } catch let e as ConfigError { return e.checkedPositionThenKeyPathAndMessage(file: "test.json") } catch { return "\(error)" }
    }

    func ship(_ extra: String) -> String {
        #"{\#(base), "stations": [{"name": "s", "type": "ship", "packed_location": "SHIP", \#(extra)}]}"#
    }

    @Test func palletsAndDoorsAreRead() throws {
        let c = try parse(ship(#""pallets": true, "carriers": [{"carrier": "DHL", "pattern": "JJD*"}], "doors": [{"location": "DOOR-1", "carrier": "fedex"}, {"location": "DOOR-2", "carrier": "DHL"}]"#))
        let s = try #require(c.stations.first)
        #expect(s.pallets && s.doors == [DockDoor(location: "DOOR-1", carrier: "FedEx"), DockDoor(location: "DOOR-2", carrier: "DHL")])
        #expect(try parse(ship(#""carriers": []"#)).stations.first.map { !$0.pallets && $0.doors.isEmpty } == true)
    }

    @Test func wrongTypesUnknownKeysAndUnknownCarriersAreErrors() {
        #expect(error(ship(#""pallets": "yes""#)).hasPrefix("stations[0].pallets: "))
        #expect(error(ship(#""doors": [{"location": "D1", "carrier": "UPS", "trailer": "T9"}]"#)).contains("trailer"))
        #expect(error(ship(#""doors": [{"location": "D1"}]"#)) == "stations[0].doors[0].carrier: missing (required)")
        #expect(error(ship(#""doors": [{"location": "D1", "carrier": "DHL"}]"#))
            == "stations[0].doors[0].carrier: carrier 'DHL' is not UPS, FedEx, USPS or one of the station's carriers")
        #expect(error(ship(#""doors": [{"location": "D1", "carrier": "UPS"}, {"location": "D1", "carrier": "USPS"}]"#))
            == "stations[0].doors[1].location: door 'D1' is listed twice")
        // Other station types do not take them.
        #expect(error(#"{\#(base), "stations": [{"name": "p", "type": "pack", "pack_location": "P", "packed_location": "S", "pallets": true}]}"#)
            .contains("pallets"))
    }
}
