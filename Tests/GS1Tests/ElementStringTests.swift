import Testing
import ScanModel
@testable import GS1

@Suite struct ElementStringTests {
    static let y2026 = GS1ParseOptions(currentYear: 2026)

    func raw(_ s: String) -> [UInt8] { Array(s.utf8).map { $0 == UInt8(ascii: "|") ? 0x1D : $0 } }

    @Test func parsesRawWithSeparatorsAndPredefinedLengths() throws {
        // (01) and (17) are predefined-length: no GS needed after them.
        let es = try ElementStringParser.parseRaw(raw("0109520123456788172512311010ABC|21XYZ"), options: Self.y2026).get()
        #expect(es.pairs.map(\.ai) == ["01", "17", "10", "21"])
        #expect(es.pairs.map(\.value) == ["09520123456788", "251231", "10ABC", "XYZ"])
    }

    @Test func toleratesLeadingAndTrailingGS() throws {
        let es = try ElementStringParser.parseRaw(raw("|0109520123456788|10ABC|"), options: Self.y2026).get()
        #expect(es.pairs.map(\.value) == ["09520123456788", "ABC"])
    }

    @Test func decimalAIsAndTheirPlaces() throws {
        let es = try ElementStringParser.parseRaw(raw("01095201234567883103000195"), options: Self.y2026).get()
        #expect(es.value(of: "3103") == "000195")
        #expect(AIDictionary.shared.entry("3103")?.decimalPlaces == 3)
        #expect(AIDictionary.shared.entry("3922")?.decimalPlaces == 2)
        #expect(AIDictionary.shared.entry("10")?.decimalPlaces == nil)
    }

    @Test func tableIsComplete() {
        let d = AIDictionary.shared
        #expect(d.entries.count > 500)           // ranges expanded: 310n…369n, 91-99, …
        #expect(d.entry("8200")?.title == "PRODUCT URL")
        #expect(d.entry("01")?.hasPredefinedLength == true)
        #expect(d.entry("10")?.hasPredefinedLength == false)
        #expect(d.entry("00")?.digitalLinkQualifiers == [[]])
        #expect(d.entry("01")?.digitalLinkQualifiers == [["22", "10", "21"], ["235"]])
        #expect(d.entry("89") == nil)
        #expect(d.entry("0") == nil)
        #expect(d.entry("12345") == nil)
    }

    @Test(arguments: [
        ("0109520123456789", GS1Error.Kind.lintFailure, "01", 15),        // wrong check digit
        ("01095201234567", .valueTooShort, "01", 2),                      // cut short
        ("0109520123456788|10", .valueTooShort, "10", 19),               // empty lot
        ("10ABCDEFGHIJKLMNOPQRSTU", .valueTooLong, "10", 22),            // 21 chars > 20
        ("0109520123456788171399", .valueTooShort, "17", 18),            // 17 needs 6 digits
        ("0109520123456788171313010", .lintFailure, "17", 20),           // month 13
        ("0109520123456788172302290", .lintFailure, "17", 22),           // 29 Feb 2023
        ("10AB~C", .invalidCharacter, "10", 4),
        ("010952012345678A", .invalidCharacter, "01", 15),
    ])
    func errorsNameAIAndOffset(input: String, kind: GS1Error.Kind, ai: String, offset: Int) {
        let r = ElementStringParser.parseRaw(raw(input), options: { var o = Self.y2026; o.validateAssociations = false; return o }())
        guard case .failure(let e) = r else { Issue.record("\(input) decoded"); return }
        #expect(e.kind == kind)
        #expect(e.ai == ai)
        #expect(e.offset == offset)
        #expect(e.message.contains("(\(ai))"))
    }

    @Test func unknownAndMalformedAIs() {
        for input in ["891234", "0", "AB12", "||", "|"] {
            #expect((try? ElementStringParser.parseRaw(raw(input)).get()) == nil, "\(input)")
        }
        guard case .failure(let e) = ElementStringParser.parseRaw(raw("0109520123456788|891234")) else { Issue.record("decoded"); return }
        #expect(e.kind == .unknownAI)
        #expect(e.offset == 17)
    }

    @Test func associationRules() {
        func check(_ s: String) -> GS1Error.Kind? {
            if case .failure(let e) = ElementStringParser.parseBracketed(s, options: Self.y2026) { return e.kind }
            return nil
        }
        #expect(check("(02)09520123456788") == .missingAssociation)            // (02) requires (37)
        #expect(check("(02)09520123456788(37)12(00)095201234567891235") == nil)
        #expect(check("(01)09520123456788(02)09520123456788") == .exclusiveAIs)
        #expect(check("(21)ABC") == .missingAssociation)                        // serial needs a GTIN
        #expect(check("(01)09520123456788(10)A(10)B") == .conflictingRepeat)
        #expect(check("(01)09520123456788(10)A(10)A") == nil)                  // same value repeated is fine
        #expect(check("(01)09520123456788(3103)000195(3103)000196") == .conflictingRepeat)
        #expect(check("(01)09520123456788(3103)000195(3102)001950") == .exclusiveAIs)
    }

    @Test func centuryRuleFollowsInjectedYear() {
        // 29 Feb of YY=00 is valid only when 00 means 2000 (a leap year), not 2100.
        var o = GS1ParseOptions(currentYear: 2021)
        o.validateAssociations = false
        #expect((try? ElementStringParser.parseRaw(raw("17000229"), options: o).get()) != nil)
        o = GS1ParseOptions(currentYear: 2060)     // 00 is now 2100: not a leap year
        o.validateAssociations = false
        #expect((try? ElementStringParser.parseRaw(raw("17000229"), options: o).get()) == nil)
        #expect(Linting.fullYear(twoDigit: 99, currentYear: 2026) == 1999)
        #expect(Linting.fullYear(twoDigit: 75, currentYear: 2026) == 2075)
        #expect(Linting.fullYear(twoDigit: 77, currentYear: 2026) == 1977)
        #expect(Linting.fullYear(twoDigit: 10, currentYear: 2090) == 2110)
    }

    @Test func dayZeroOnlyWhereAllowed() {
        var o = Self.y2026
        o.validateAssociations = false
        #expect((try? ElementStringParser.parseRaw(raw("17261200"), options: o).get()) != nil)      // yymmd0
        #expect((try? ElementStringParser.parseRaw(raw("7006261200"), options: o).get()) == nil)    // yymmdd
    }

    @Test(arguments: [
        "(01)09520123456788(10)ABC123(17)251231",
        "(00)095201234567891235",
        "(01)09520123456788(3103)000195(3922)0299(17)201225",
        "(01)09520123456788(10)A\\(B(21)x",
        "(414)9520123456788(254)32a/b",
        "(8004)9520614141234567(01)09520123456788",
        "(01)09520123456788(235)XYZ(10)BATCH",
    ])
    func roundTripHumanReadableAndRaw(text: String) throws {
        let es = try ElementStringParser.parseBracketed(text, options: Self.y2026).get()
        #expect(es.humanReadable == text)
        let again = try ElementStringParser.parseRaw(es.raw, options: Self.y2026).get()
        #expect(again.humanReadable == text)
        #expect(again.pairs.map(\.value) == es.pairs.map(\.value))
    }

    @Test func rawOmitsSeparatorAfterPredefinedLengthAndAtEnd() throws {
        let es = try ElementStringParser.parseBracketed("(01)09520123456788(10)ABC(17)251231(21)S1", options: Self.y2026).get()
        #expect(es.raw == raw("010952012345678810ABC|1725123121S1"))
    }

    @Test func generatedRoundTrips() throws {
        // Every lot length and character class of CSET 82 survives both forms.
        let cset82 = Array("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".utf8)
        var rng = SystemRandomNumberGenerator()
        for length in 1...20 {
            let lot = String(decoding: (0..<length).map { _ in cset82[Int.random(in: 0..<cset82.count, using: &rng)] }, as: UTF8.self)
            let text = "(01)09520123456788(10)\(lot.replacingOccurrences(of: "(", with: "\\("))(17)251231"
            let es = try ElementStringParser.parseBracketed(text, options: Self.y2026).get()
            #expect(es.value(of: "10") == lot)
            let back = try ElementStringParser.parseRaw(es.raw, options: Self.y2026).get()
            #expect(back.value(of: "10") == lot)
            #expect(back.humanReadable == text)
        }
    }

    @Test func garbageNeverCrashes() {
        // Deterministic pseudo-random bytes biased towards digits and GS.
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        let alphabet: [UInt8] = Array("0123456789()]CdeEQ1234|%/?=&:htps".utf8) + [0x1D, 0x00, 0xFF]
        var parsed = 0
        for _ in 0..<10_000 {
            let n = Int(next() % 40)
            let bytes = (0..<n).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
            let uri = Array("https://a/".utf8) + bytes
            for (input, result) in [(bytes, ElementStringParser.parseRaw(bytes)), (bytes, ElementStringParser.parseBracketed(bytes)),
                                    (uri, DigitalLink.parse(uri))] {
                switch result {
                case .failure(let e):
                    // Invariant: an error offset points into (or just past) the input.
                    if let o = e.offset { #expect(o >= 0 && o <= input.count, "\(e) for \(input)") }
                    #expect(!e.message.isEmpty)
                case .success(let es):
                    // Invariant: whatever parses re-parses from its raw form to the same pairs.
                    parsed += 1
                    let again = try? ElementStringParser.parseRaw(es.raw).get()
                    #expect(again?.pairs.map(\.value) == es.pairs.map(\.value))
                }
            }
            if case .failure(let e) = ScanDecoder.decode(bytes), let o = e.offset {
                #expect(o >= 0 && o <= bytes.count)
            }
        }
        #expect(parsed > 0)   // the generator does reach valid element strings
    }
}
