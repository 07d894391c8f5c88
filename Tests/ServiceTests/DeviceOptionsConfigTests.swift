import Foundation
import Testing
@testable import Service

/// A device's options are checked against its own driver when the config is
/// read, so a word meant for another kind of device is caught by
/// `check-config`, not silently ignored at run time.
@Suite struct DeviceOptionsConfigTests {
    func error(_ device: String) -> String {
        let json = #"{"site": {"box_id": "b"}, "ledger": {"path": "/tmp/l.db"}, "devices": [\#(device)]}"#
        do { _ = try ServiceConfig.parse(ConfigNode.parse(Data(json.utf8), file: "test.json")); return "no error" } catch { return "\(error)" }
    }

    @Test func aKeyboardLayoutOnAMercuryReaderIsRefusedNamingTheOption() {
        #expect(error(#"{"name": "portal", "driver": "mercury", "port": "/dev/ttyUSB0", "options": "layout=de"}"#)
                == "test.json:1:147: devices[0].options: unknown option 'layout' for driver mercury (known: read-rate=N, gpo=N)")
        #expect(error(#"{"name": "wedge", "driver": "evdev", "port": "/dev/input/event3", "options": {"read-rate": 200}}"#)
                == "test.json:1:149: devices[0].options: unknown option 'read-rate' for driver evdev (known: layout=us|de|fr, gs-substitute=HEX)")
        #expect(error(#"{"name": "portal", "driver": "mercury", "port": "/dev/ttyUSB0", "options": {"read-rate": 200}}"#) == "no error")
    }
}
