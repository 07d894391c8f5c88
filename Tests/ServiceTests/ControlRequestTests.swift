import Foundation
import ScanModel
import Testing
@testable import Service

/// Strict control request fields, as JSONSerialization hands them over.
@Suite struct ControlRequestTests {
    func request(_ json: String) throws -> ControlRequest {
        try ControlRequest(try JSONCursor.parse(Array(json.utf8), file: "request 1"))
    }
    func error(_ json: String) -> String {
        do { _ = try request(json); return "" } catch { return "\(error)" }
    }

    @Test func numbersAndBooleansAreToldApart() throws {
        #expect(try request(#"{"cmd":"counts","all":true}"#).bool("all") == true)
        #expect(try request(#"{"cmd":"counts","all":false}"#).bool("all") == false)
        #expect(throws: TextError.self) { try request(#"{"cmd":"counts","all":1}"#).bool("all") }
        #expect(throws: TextError.self) { try request(#"{"cmd":"counts","all":"yes"}"#).bool("all") }
        #expect(throws: TextError.self) { try request(#"{"cmd":"stock","item":true}"#).string("item") }
        #expect(throws: TextError.self) { try request(#"{"cmd":"stock","item":12}"#).string("item") }
    }

    @Test func errorsNameTheFieldWhereItIsAndWhatWasExpected() throws {
        let r = try request(#"{"cmd":"stock","location":["S-90"]}"#)
        do { _ = try r.string("location"); Issue.record("accepted an array") } catch {
            #expect("\(error)" == "request 1:1:27: key path location: expected a string, got an array")
        }
        #expect(error(#"{"cmd":"stock","locaton":"S-90"}"#) == "request 1:1:16: key path locaton: unknown key (known here: cmd, item, location, lot)")
        #expect(error(#"{"cmd":"status","verbose":true}"#) == "request 1:1:17: key path verbose: unknown key (known here: cmd)")
        #expect(error(#"{"cmd":7}"#) == "request 1:1:8: key path cmd: expected a string, got the number 7")
        #expect(error(#"{"nocmd":1}"#).hasPrefix("missing \"cmd\""))
        #expect(error(#"{"cmd":"launch"}"#).hasPrefix("unknown cmd 'launch'"))
    }

    @Test func nullIsAbsent() throws {
        #expect(try request(#"{"cmd":"stock","location":null}"#).string("location") == nil)
    }
}
