import Testing
@testable import GS1

/// Carrier tracking numbers. Valid and invalid numbers marked "tnd" are the
/// test numbers in github:jkeen/tracking_number_data couriers/ups.json,
/// fedex.json and usps.json (read, not copied wholesale); the expected check
/// digits in failure messages were computed independently (by hand from
/// CHECKSUM_ALGORITHMS.md), so a wrong weighting in the code fails here.
@Suite struct TrackingNumberTests {
    struct Valid: Sendable, CustomStringConvertible {
        let input: String, carrier: Carrier, rule: TrackingNumber.Rule, number: String
        var service: String? = nil, zip: String? = nil
        var description: String { input }
    }

    static let valid: [Valid] = [
        // UPS (tnd): service is the two characters after the shipper.
        Valid(input: "1Z5R89390357567127", carrier: .ups, rule: .ups1Z, number: "1Z5R89390357567127", service: "03"),
        Valid(input: "1Z879E930346834440", carrier: .ups, rule: .ups1Z, number: "1Z879E930346834440", service: "03"),
        Valid(input: "1Z410E7W0392751591", carrier: .ups, rule: .ups1Z, number: "1Z410E7W0392751591", service: "03"),
        Valid(input: " 1 Z 8 V 9 2 A 7 0 3 6 7 2 0 3 0 2 4 ", carrier: .ups, rule: .ups1Z, number: "1Z8V92A70367203024", service: "03"),
        Valid(input: "1ZXX3150YW44070023", carrier: .ups, rule: .ups1Z, number: "1ZXX3150YW44070023", service: "YW"),
        Valid(input: "1z5r89390357567127", carrier: .ups, rule: .ups1Z, number: "1Z5R89390357567127", service: "03"),
        // FedEx Express 12 (tnd).
        Valid(input: "986578788855", carrier: .fedex, rule: .fedexExpress12, number: "986578788855"),
        Valid(input: "477179081230", carrier: .fedex, rule: .fedexExpress12, number: "477179081230"),
        Valid(input: "799531274483", carrier: .fedex, rule: .fedexExpress12, number: "799531274483"),
        Valid(input: "974367662710", carrier: .fedex, rule: .fedexExpress12, number: "974367662710"),
        Valid(input: "]C0790535312317", carrier: .fedex, rule: .fedexExpress12, number: "790535312317"),
        // FedEx Ground 15 and its 22-digit "96" barcode (tnd).
        Valid(input: "0414 4176 0228 964", carrier: .fedex, rule: .fedexGround15, number: "041441760228964"),
        Valid(input: "568283610012000", carrier: .fedex, rule: .fedexGround15, number: "568283610012000"),
        Valid(input: "9611020987654312345672", carrier: .fedex, rule: .fedexGround96, number: "987654312345672", service: "020"),
        // 34-digit barcodes: the last 12 digits are the tracking number (tnd).
        Valid(input: "1001921334250001000300779017972697", carrier: .fedex, rule: .fedexExpress34, number: "779017972697"),
        Valid(input: "1 1 9 52 6 64739 3000 75211 00 8710 799 199 40", carrier: .fedex, rule: .fedexExpress34, number: "871079919940"),
        Valid(input: "9622001900000000000000776632517510", carrier: .fedex, rule: .fedexGroundGSN34, number: "776632517510"),
        Valid(input: "9632001560123456789900794808390594", carrier: .fedex, rule: .fedexGroundGSN34, number: "794808390594"),
        // SSCC-18: bare (tnd), and as GS1-128 (00) in both written forms.
        Valid(input: "00 0123 4500 0000 0027", carrier: .fedex, rule: .sscc18, number: "000123450000000027"),
        Valid(input: "]C100000123450000000027", carrier: .fedex, rule: .sscc18, number: "000123450000000027"),
        Valid(input: "(00)000123450000000027", carrier: .fedex, rule: .sscc18, number: "000123450000000027"),
        // USPS 20 (tnd): plain, and legacy with the check over an unprinted "91".
        Valid(input: "0307 1790 0005 2348 3741", carrier: .usps, rule: .usps20, number: "03071790000523483741", service: "03"),
        Valid(input: "7112 3456 7891 2345 6787", carrier: .usps, rule: .usps20, number: "71123456789123456787", service: "71"),
        Valid(input: "7196 9010 7560 0307 7385", carrier: .usps, rule: .uspsLegacy20, number: "71969010756003077385", service: "71"),
        // USPS package identifiers 22 and 26 digits (tnd).
        Valid(input: "9400111206206406260787", carrier: .usps, rule: .uspsPackage, number: "9400111206206406260787", service: "001"),
        Valid(input: "9101 1234 5678 9000 0000 13", carrier: .usps, rule: .uspsPackage, number: "9101123456789000000013", service: "01"),
        Valid(input: "9505 5110 6960 5048 6006 24", carrier: .usps, rule: .uspsPackage, number: "9505511069605048600624", service: "055"),
        Valid(input: "92748931507708513018050063", carrier: .usps, rule: .uspsPackage, number: "92748931507708513018050063", service: "748"),
        // IMpb without the FNC1 (tnd): ZIP5, ZIP+4, legacy 91 package.
        Valid(input: "420787459400111206206406260787", carrier: .usps, rule: .uspsIMpb, number: "9400111206206406260787", service: "001", zip: "78745"),
        Valid(input: "4201002334249200190132607600833457", carrier: .usps, rule: .uspsIMpb, number: "9200190132607600833457", service: "001", zip: "100233424"),
        Valid(input: "420 22153 9101026837331000039521", carrier: .usps, rule: .uspsIMpb, number: "9101026837331000039521", service: "01", zip: "22153"),
        // IMpb as GS1-128 with FNC1 (GS) between (420) and the package, decoded
        // by the element-string parser; the same number bracketed.
        Valid(input: "]C142078745\u{1D}9400111206206406260787", carrier: .usps, rule: .uspsIMpb, number: "9400111206206406260787", service: "001", zip: "78745"),
        Valid(input: "420100233424\u{1D}9200190132607600833457", carrier: .usps, rule: .uspsIMpb, number: "9200190132607600833457", service: "001", zip: "100233424"),
        Valid(input: "(420)78745(94)00111206206406260787", carrier: .usps, rule: .uspsIMpb, number: "9400111206206406260787", service: "001", zip: "78745"),
    ]

    @Test(arguments: valid)
    func recognisesValidNumbers(_ v: Valid) throws {
        let t = try TrackingNumber.recognize(v.input).get()
        #expect(t.carrier == v.carrier)
        #expect(t.rule == v.rule)
        #expect(t.trackingNumber == v.number)
        #expect(t.service == v.service)
        #expect(t.destinationZIP == v.zip)
    }

    struct Invalid: Sendable, CustomStringConvertible {
        let input: String, kind: TrackingError.Kind, offset: Int, message: String
        var description: String { input }
    }

    static let invalid: [Invalid] = [
        // Bad check digits (the first of each pair is a tnd invalid number).
        Invalid(input: "996578788855", kind: .checkDigit, offset: 11, message: "FedEx Express check digit is 5, expected 6"),
        Invalid(input: "1001901781990001000300617767839438", kind: .checkDigit, offset: 33,
                message: "FedEx Express (34-digit barcode) check digit is 8, expected 7"),
        Invalid(input: "9622001560001234567100794808390595", kind: .checkDigit, offset: 33,
                message: "FedEx Ground (34-digit GSN barcode) check digit is 5, expected 4"),
        Invalid(input: "5682 8361 0012 732", kind: .checkDigit, offset: 17, message: "FedEx Ground check digit is 2, expected 4"),
        Invalid(input: "9600000000000000000001", kind: .checkDigit, offset: 21, message: "FedEx Ground (96 barcode) check digit is 1, expected 0"),
        Invalid(input: "000000000000000001", kind: .checkDigit, offset: 17, message: "SSCC check digit is 1, expected 0"),
        Invalid(input: "0307 1790 0005 2348 3742", kind: .checkDigit, offset: 23, message: "USPS check digit is 2, expected 1"),
        Invalid(input: "9434611206206407667131", kind: .checkDigit, offset: 21, message: "USPS check digit is 1, expected 6"),
        Invalid(input: "4201028200009261290113185417468511", kind: .checkDigit, offset: 33, message: "USPS check digit is 1, expected 0"),
        Invalid(input: "1Z1111111111111111", kind: .checkDigit, offset: 17, message: "UPS check digit is 1, expected 8"),
        Invalid(input: "]C0986578788856", kind: .checkDigit, offset: 14, message: "FedEx Express check digit is 6, expected 5"),
        // Wrong lengths and letters where digits belong.
        Invalid(input: "1Z5R8939035756712", kind: .wrongLength, offset: 17, message: "a UPS 1Z number has 18 characters, this one 17"),
        Invalid(input: "98657878885", kind: .unrecognized, offset: 0, message: "11 characters match no carrier's tracking-number format"),
        Invalid(input: "98657878885A", kind: .invalidCharacter, offset: 11, message: "'A' where a digit belongs: 12-character tracking numbers without 1Z are all digits"),
        Invalid(input: "2Z5R89390357567127", kind: .invalidCharacter, offset: 1, message: "'Z' where a digit belongs: 18-character tracking numbers without 1Z are all digits"),
        Invalid(input: "1Z5R8939035756712A", kind: .invalidCharacter, offset: 17, message: "UPS check digit is 'A', not a digit"),
        Invalid(input: "1Z5R8939-357567127", kind: .invalidCharacter, offset: 8, message: "'-' in a UPS number, which holds only letters and digits"),
        // Truncated or malformed IMpb.
        Invalid(input: "]C142078745\u{1D}94001112062064", kind: .wrongLength, offset: 12,
                message: "USPS package identifier has 14 digits; expected 22, 26, 30 or 34"),
        Invalid(input: "]C142078745", kind: .malformed, offset: 11, message: "IMpb: no package identifier (AI 91 to 95) follows the (420) ZIP"),
        Invalid(input: "]C14207874\u{1D}9400111206206406260787", kind: .wrongLength, offset: 6, message: "IMpb (420) ZIP has 4 digits; expected 5, 9 or 11"),
        Invalid(input: "(420)78745(94)001112062064062607A7", kind: .invalidCharacter, offset: 32,
                message: "'A' in a USPS package identifier, which is all digits"),
        Invalid(input: "420787459400111206206406260", kind: .malformed, offset: 3,
                message: "IMpb: 24 digits after (420) do not split into a 5- or 9-digit ZIP and a 22, 26, 30 or 34-digit package identifier starting 91 to 95"),
        // GS1 data that is no tracking number, and an SSCC with a bad check digit.
        Invalid(input: "]C10109520123456788", kind: .malformed, offset: 3, message: "GS1 data carries neither an (00) SSCC nor a (420) IMpb routing code"),
        Invalid(input: "", kind: .empty, offset: 0, message: "no tracking number data"),
    ]

    @Test(arguments: invalid)
    func rejectsInvalidNumbers(_ v: Invalid) {
        guard case .failure(let e) = TrackingNumber.recognize(v.input) else {
            Issue.record("\(v.input) was accepted"); return
        }
        #expect(e.kind == v.kind)
        #expect(e.offset == v.offset)
        #expect(e.message == v.message)
    }

    /// The SSCC check in a GS1-128 scan is the GS1 parser's own check.
    @Test func ssccCheckDigitComesFromTheGS1Parser() {
        guard case .failure(let e) = TrackingNumber.recognize("]C100000123450000000028") else {
            Issue.record("bad SSCC accepted"); return
        }
        #expect(e.kind == .checkDigit)
        #expect(e.offset == 22)
        #expect(e.message.contains("expected 7"))
    }

    @Test func siteRulesMatchOtherCarriers() throws {
        let rules = [TrackingRule(carrier: "DHL", pattern: "JJD*"), TrackingRule(carrier: "OnTrac", pattern: "C##############")]
        let dhl = try TrackingNumber.recognize("jjd0001234567", extraRules: rules).get()
        #expect(dhl.carrier == Carrier("DHL"))
        #expect(dhl.trackingNumber == "JJD0001234567")
        #expect(dhl.rule == .custom(rules[0]))
        #expect(try TrackingNumber.recognize("C10999911320231", extraRules: rules).get().carrier.name == "OnTrac")
        // A `?` does not match a byte outside printable ASCII (found by the
        // fuzzer: "n84\xD2" would not come back from its String form).
        let anyFourth = [TrackingRule(carrier: "Site", pattern: "@##?")]
        #expect(try TrackingNumber.recognize("n84x", extraRules: anyFourth).get().trackingNumber == "N84X")
        #expect((try? TrackingNumber.recognize([0x6E, 0x38, 0x34, 0xD2], extraRules: anyFourth).get()) == nil)
        // No rule matches: the built-in reason stands.
        guard case .failure(let e) = TrackingNumber.recognize("XY123", extraRules: rules) else { Issue.record("accepted"); return }
        #expect(e.kind == .unrecognized)
    }

    /// A valid built-in number wins over a site rule of the same shape; a
    /// number failing its built-in check may still be a site format.
    @Test func builtInRulesComeFirst() throws {
        let twelve = [TrackingRule(carrier: "Local", pattern: "############")]
        #expect(try TrackingNumber.recognize("986578788855", extraRules: twelve).get().carrier == .fedex)
        #expect(try TrackingNumber.recognize("996578788855", extraRules: twelve).get().carrier == Carrier("Local"))
    }

    @Test func descriptionNamesRuleServiceAndZIP() throws {
        let t = try TrackingNumber.recognize("420787459400111206206406260787").get()
        #expect(t.description == "USPS 9400111206206406260787 (usps-impb, service 001, to ZIP 78745)")
        let e = TrackingError(.checkDigit, offset: 11, "FedEx Express check digit is 5, expected 6")
        #expect(e.description == "FedEx Express check digit is 5, expected 6 (at byte 11)")
    }
}
