import ScanModel

/// EAN/UPC data (EAN-13, UPC-A, EAN-8, UPC-E, and bare GTIN-14 from ITF-14)
/// normalised to a GTIN-14 with its check digit validated.
public enum EANUPC {
    public struct Normalised: Sendable, Equatable {
        /// 14 ASCII digits.
        public let gtin14: [UInt8]
        public let symbology: Symbology
        public var gtin: String { String(decoding: gtin14, as: UTF8.self) }
    }

    /// `digits` as sent by the scanner. `aim` narrows what is accepted:
    /// `]E4` is EAN-8 only; `]E0` is EAN-13/UPC-A (13 or 12 digits) or UPC-E
    /// (8 digits); without an identifier any of 8, 12, 13, 14 digits.
    public static func normalise<C: Collection>(_ digits: C, aim: AIMIdentifier?) -> Result<Normalised, GS1Error>
    where C.Element == UInt8 {
        let d = Array(digits)
        if let bad = d.firstIndex(where: { $0 &- 48 >= 10 }) {
            return .failure(GS1Error(.eanUPC, offset: bad, "EAN/UPC data must be digits only"))
        }
        let isE4 = aim.map { $0.code == UInt8(ascii: "E") && $0.modifier == UInt8(ascii: "4") } ?? false
        let isE0 = aim.map { $0.code == UInt8(ascii: "E") && $0.modifier == UInt8(ascii: "0") } ?? false
        switch d.count {
        case 8 where isE4:
            return checked(d, .ean8)
        case 8 where isE0:
            return upcE(d)
        case 8:
            // Without an identifier 8 digits may be EAN-8 or UPC-E; EAN-8 is
            // the far more common symbol, UPC-E only when its check fits.
            if d[7] &- 48 == checkDigit(d) { return checked(d, .ean8) }
            if d[0] == 48 || d[0] == 49, case .success(let n) = upcE(d) { return .success(n) }
            return checked(d, .ean8)
        case 12 where !isE4:
            return checked(d, .upcA)
        case 13 where !isE4:
            return checked(d, d[0] == 48 ? .upcA : .ean13)
        case 14 where aim == nil:
            return checked(d, .interleaved2of5)
        default:
            let expected = isE4 ? "8 (EAN-8)" : isE0 ? "8, 12 or 13 (EAN-13/UPC-A/UPC-E)" : "8, 12, 13 or 14"
            return .failure(GS1Error(.eanUPC, offset: 0, "EAN/UPC data has \(d.count) digits; expected \(expected)"))
        }
    }

    /// The mod-10 check digit of all but the last digit of `d` (digits only).
    @inline(__always)
    static func checkDigit(_ d: [UInt8]) -> UInt8 {
        var sum = 0, weight = 3
        var i = d.count - 2
        while i >= 0 { sum &+= Int(d[i] &- 48) &* weight; weight = 4 - weight; i -= 1 }
        return UInt8((10 - sum % 10) % 10)
    }

    private static func checked(_ d: [UInt8], _ symbology: Symbology) -> Result<Normalised, GS1Error> {
        let expected = checkDigit(d)
        guard let last = d.last, last &- 48 == expected else {
            return .failure(GS1Error(.eanUPC, ai: "01", offset: d.count - 1, "\(symbology.rawValue) check digit is wrong (expected \(expected))"))
        }
        return .success(Normalised(gtin14: [UInt8](repeating: 48, count: 14 - d.count) + d, symbology: symbology))
    }

    /// UPC-E (number system 0 or 1, six digits, check digit) expanded to
    /// UPC-A per the GS1 General Specifications zero-suppression rules.
    public static func expandUPCE(_ d: [UInt8]) -> [UInt8]? {
        guard d.count == 8, d[0] == 48 || d[0] == 49, d.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        let ns = d[0], x = Array(d[1...6]), check = d[7]
        let z: UInt8 = 48
        var body: [UInt8]
        switch x[5] {
        case 48, 49, 50: body = [x[0], x[1], x[5], z, z, z, z, x[2], x[3], x[4]]
        case 51: body = [x[0], x[1], x[2], z, z, z, z, z, x[3], x[4]]
        case 52: body = [x[0], x[1], x[2], x[3], z, z, z, z, z, x[4]]
        default: body = [x[0], x[1], x[2], x[3], x[4], z, z, z, z, x[5]]
        }
        body.insert(ns, at: 0)
        return body + [check]
    }

    private static func upcE(_ d: [UInt8]) -> Result<Normalised, GS1Error> {
        guard let upcA = expandUPCE(d) else {
            return .failure(GS1Error(.eanUPC, offset: 0, "UPC-E must start with number system 0 or 1"))
        }
        guard upcA[11] &- 48 == checkDigit(upcA) else {
            return .failure(GS1Error(.eanUPC, ai: "01", offset: 7, "upc-e check digit is wrong"))
        }
        return .success(Normalised(gtin14: [48, 48] + upcA, symbology: .upcE))
    }
}
