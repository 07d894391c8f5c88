import Foundation
import Testing
@testable import Service

/// Strict control request fields, as JSONSerialization hands them over.
@Suite struct ControlRequestTests {
    func request(_ json: String) throws -> ControlRequest {
        try ControlRequest(try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any])
    }
    func error(_ json: String) -> String {
        do { _ = try request(json); return "" } catch { return "\(error)" }
    }

    @Test func numbersAndBooleansAreToldApart() throws {
        #expect(try request(#"{"cmd":"counts","all":true}"#).bool("all") == true)
        #expect(try request(#"{"cmd":"counts","all":false}"#).bool("all") == false)
        #expect(throws: RequestError.self) { try request(#"{"cmd":"counts","all":1}"#).bool("all") }
        #expect(throws: RequestError.self) { try request(#"{"cmd":"counts","all":"yes"}"#).bool("all") }
        #expect(throws: RequestError.self) { try request(#"{"cmd":"stock","item":true}"#).string("item") }
        #expect(throws: RequestError.self) { try request(#"{"cmd":"stock","item":12}"#).string("item") }
    }

    @Test func errorsNameTheFieldAndWhatWasExpected() throws {
        let r = try request(#"{"cmd":"stock","location":["S-90"]}"#)
        do { _ = try r.string("location"); Issue.record("accepted an array") } catch {
            #expect("\(error)" == #""location": expected a string, got array"#)
        }
        #expect(error(#"{"cmd":"stock","locaton":"S-90"}"#).contains(#""locaton": unknown field for stock (it takes: item, location, lot)"#))
        #expect(error(#"{"cmd":"status","verbose":true}"#).contains("it takes no fields"))
        #expect(error(#"{"cmd":7}"#) == #""cmd": expected a string, got number"#)
        #expect(error(#"{"nocmd":1}"#).hasPrefix("missing \"cmd\""))
        #expect(error(#"{"cmd":"launch"}"#).hasPrefix("unknown cmd 'launch'"))
    }

    @Test func nullIsAbsent() throws {
        #expect(try request(#"{"cmd":"stock","location":null}"#).string("location") == nil)
    }
}
