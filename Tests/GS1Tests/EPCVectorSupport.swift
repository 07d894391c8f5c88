import Foundation
import Testing
import ScanModel
@testable import GS1

/// Loads the EPC vector files copied into Tests/GS1Tests/Vectors/epc
/// (nedap/retail-epcpy, MIT — see LICENSE.epcpy.MIT.txt next to them).
enum EPCVectors {
    static func json(_ name: String) throws -> [String: Any] {
        let url = try #require(Bundle.module.url(forResource: "Vectors", withExtension: nil))
            .appendingPathComponent("epc").appendingPathComponent(name)
        let data = try Data(contentsOf: url)
        let object = try JSONSerialization.jsonObject(with: data)
        return try #require(object as? [String: Any])
    }

    static let supportedEPCPyClasses: Set<String> = ["SGTIN", "SSCC", "SGLN", "GRAI", "GIAI", "GSRN", "GSRNP", "GDTI", "SGCN"]

    /// "SGTIN.BinaryCodingScheme.SGTIN_198" → .sgtin198; nil when the name is not one we encode.
    static func scheme(fromCodingScheme name: String) -> EPCScheme? {
        guard let last = name.split(separator: ".").last else { return nil }
        return EPCScheme.named(last.replacingOccurrences(of: "_", with: "-"))
    }

    /// epcpy filter enum names → values (names not ending in a digit).
    static func filter(fromName name: String) -> Int {
        let last = String(name.split(separator: ".").last ?? "")
        if let digit = last.split(separator: "_").last, let v = Int(digit) { return v }
        switch last {
        case "POS_ITEM", "RAIL_VEHICLE": return 1
        case "FULL_CASE": return 2
        case "UNIT_LOAD": return 6
        default: return 0
        }
    }
}


extension Result {
    var epcSuccess: Success? { if case .success(let v) = self { return v }; return nil }
    var epcFailure: Failure? { if case .failure(let e) = self { return e }; return nil }
}
