import Foundation
import Testing
@testable import Service

@Suite struct ConfigNodeTests {
    func parse(_ text: String) throws -> ConfigNode { try ConfigNode.parse(Data(text.utf8), file: "test.json") }

    @Test func typedAccessWithPaths() throws {
        let root = try parse(#"{"devices":[{"name":"dock","baud":9600,"enabled":true,"ratio":0.5}]}"#)
        let device = try root.required("devices").array()[0]
        #expect(try device.required("name").string() == "dock")
        #expect(try device.required("baud").int(in: 1200...921600) == 9600)
        #expect(try device.required("enabled").bool() == true)
        #expect(try device.required("ratio").double(in: 0...1) == 0.5)
        #expect(try device.optional("missing") == nil)
    }

    @Test func errorsNameTheKeyPath() throws {
        let root = try parse(#"{"devices":[{"name":"a"},{"name":"b","baud":"fast","enabled":1,"parity":"X"}]}"#)
        let device = try root.required("devices").array()[1]
        #expect(throws: ConfigError(path: "devices[1].baud", message: "expected an integer, got the string \"fast\"")) {
            try device.required("baud").int(in: 1...10)
        }
        // 1 is a number, not a boolean: no silent truthiness.
        #expect(throws: ConfigError(path: "devices[1].enabled", message: "expected true or false, got the number 1")) {
            try device.required("enabled").bool()
        }
        #expect(throws: ConfigError(path: "devices[1].parity", message: "'X' is not one of: N, E, O")) {
            try device.required("parity").oneOf(["N", "E", "O"])
        }
        #expect(throws: ConfigError(path: "devices[1].stopbits", message: "missing (required)")) {
            try device.required("stopbits")
        }
        #expect(throws: ConfigError(path: "devices[1].parity", message: "unknown key (known here: baud, enabled, name)")) {
            try device.rejectUnknownKeys(allowed: ["name", "baud", "enabled"])
        }
    }

    @Test func outOfRangeAndFractions() throws {
        let root = try parse(#"{"a":70000,"b":1.5,"c":true}"#)
        #expect(throws: ConfigError(path: "a", message: "70000 is out of range 1…65535")) { try root.required("a").int(in: 1...65535) }
        #expect(throws: ConfigError.self) { try root.required("b").int(in: 0...10) }
        #expect(throws: ConfigError.self) { try root.required("c").int(in: 0...10) }
    }

    @Test func syntaxErrorsNameTheFile() {
        do {
            _ = try parse("{\n  \"a\": 1,\n  oops\n}")
            Issue.record("bad JSON was accepted")
        } catch let error as ConfigError {
            #expect(error.location == "test.json:3:3")
            #expect(error.message.hasPrefix("not valid JSON: expected a quoted key"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
