import Foundation
import Testing
import ScanModel

/// The one JSON string quoter every module uses: whatever it writes must parse
/// back, through Foundation's parser, to exactly the string that went in.
@Suite struct JSONTextTests {
    @Test(arguments: [
        ("plain", "\"plain\""),
        ("a\"b", "\"a\\\"b\""),
        ("back\\slash", "\"back\\\\slash\""),
        ("tab\there\nnl\rcr", "\"tab\\there\\nnl\\rcr\""),
        ("\u{1D}GS", "\"\\u001dGS\""),
        ("del\u{7F}", "\"del\\u007f\""),
        ("Ünïcødé ✓", "\"Ünïcødé ✓\""),
    ])
    func quotesExactly(input: String, expected: String) {
        #expect(JSONText.quote(input) == expected)
    }

    @Test func nilIsNull() {
        #expect(JSONText.quote(nil) == "null")
        #expect(JSONText.number(nil) == "null")
        #expect(JSONText.number(-42) == "-42")
    }

    @Test func everyScalarRoundTripsThroughFoundation() throws {
        // All of ASCII plus a few multi-byte scalars, one string per scalar.
        var scalars = (0..<0x80).compactMap(UnicodeScalar.init)
        scalars += ["\u{A0}", "\u{2028}", "\u{FFFD}", "\u{1F4E6}"].map { $0.unicodeScalars.first! }
        for scalar in scalars {
            let original = "x" + String(Character(scalar)) + "y"
            let document = "[" + JSONText.quote(original) + "]"
            let parsed = try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String]
            #expect(parsed == [original], "scalar U+\(String(scalar.value, radix: 16))")
        }
    }

    @Test func objectSortsKeys() {
        #expect(JSONText.object([("b", "1"), ("a", JSONText.quote("x"))]) == "{\"a\":\"x\",\"b\":1}")
    }
}
