import Foundation
import ScanModel
import Stations
import Testing
@testable import Service

/// `devices[].gs1_without_aim`: a site turns the guessing of bare GS1 data
/// on ("guess", the default) or off per device.
@Suite struct BareGS1ConfigTests {
    static func config(_ devices: String) throws -> ServiceConfig {
        let json = #"{"site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"}, "devices": [\#(devices)]}"#
        return try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "test.json"))
    }

    static func error(_ devices: String) -> String {
        do { _ = try config(devices); return "no error" } catch { return "\(error)" }
    }

    static let label = Array("01095011010209171725123110ABC123".utf8)

    @Test func defaultsToGuessAndTakesOff() throws {
        let c = try Self.config(#"""
            {"name": "a", "driver": "line", "port": "/dev/ttyS0"},
            {"name": "b", "driver": "line", "port": "/dev/ttyS1", "gs1_without_aim": "off"},
            {"name": "c", "driver": "line", "port": "/dev/ttyS2", "gs1_without_aim": "guess"}
            """#)
        #expect(c.devices.map(\.bareGS1.rawValue) == ["guess", "off", "guess"])
    }

    @Test func aWrongValueOrTypeNamesTheKeyPath() {
        #expect(Self.error(#"{"name": "a", "driver": "line", "port": "/dev/ttyS0", "gs1_without_aim": "maybe"}"#)
                .contains("devices[0].gs1_without_aim: 'maybe' is not one of: guess, off"))
        #expect(Self.error(#"{"name": "a", "driver": "line", "port": "/dev/ttyS0", "gs1_without_aim": true}"#)
                .contains("devices[0].gs1_without_aim: "))
        #expect(Self.error(#"{"name": "a", "driver": "line", "port": "/dev/ttyS0", "gs1_without_aimm": "off"}"#)
                .contains("gs1_without_aimm"))
    }

    /// The router decodes each device's scans with that device's setting.
    @Test func eachDeviceDecodesWithItsOwnSetting() throws {
        let c = try Self.config(#"""
            {"name": "a", "driver": "line", "port": "/dev/ttyS0"},
            {"name": "b", "driver": "line", "port": "/dev/ttyS1", "gs1_without_aim": "off"}
            """#)
        let r = Routing(config: c, added: [])
        guard case .tradeItem(let item) = r.translator(for: c.devices[0].index.value).input(for: Self.label) else {
            Issue.record("device a: the bare label is not a trade item"); return
        }
        #expect(item.gtin.digits == "09501101020917" && item.lot == "ABC123")
        #expect(r.translator(for: c.devices[1].index.value).input(for: Self.label) == .unrecognized("01095011010209171725123110ABC123"))
    }
}
