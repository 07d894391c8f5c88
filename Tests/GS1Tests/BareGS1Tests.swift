import Testing
import ScanModel
@testable import GS1

/// Bare data from scanners at factory settings (no AIM identifier, FNC1 sent
/// as GS or dropped): GS1 only when the reading is certain. docs/decoding.md
/// states the rule these tests pin down.
@Suite struct BareGS1Tests {
    let guess = ScanDecoder(options: GS1ParseOptions(currentYear: 2026))
    let off = ScanDecoder(options: GS1ParseOptions(currentYear: 2026), bareGS1: .off)

    /// `~` stands for GS (0x1D).
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8).map { $0 == UInt8(ascii: "~") ? 0x1D : $0 } }

    /// A comparable summary: kind and AIs, or the error kind.
    static func summary(_ r: Result<DecodedScan, GS1Error>) -> String {
        switch r {
        case .success(let d): return "\(d.kind.rawValue) " + d.ais.map { "(\($0.ai))\($0.value)" }.joined()
        case .failure(let e): return "error \(e.kind)"
        }
    }

    func decode(_ s: String, _ decoder: ScanDecoder? = nil) -> String { Self.summary((decoder ?? guess).decode(Self.bytes(s))) }

    // MARK: the key set

    /// Derived from the dictionary's `csum` linters: a check digit at a fixed
    /// place. (8003) qualifies through its leading fixed "0"; (401), (8004)
    /// and (8013, an alphanumeric check pair in a variable field) do not.
    @Test func openingKeysAreTheAIsWithAFixedCheckDigit() {
        #expect(BareElementString.openingKeyAIs == [
            "00", "01", "02", "03", "253", "255", "402", "410", "411", "412", "413", "414", "415", "416", "417",
            "8003", "8006", "8017", "8018", "8026",
        ])
    }

    // MARK: worked examples

    @Test(arguments: [
        // SSCC alone, and with a purchase order number (letters).
        ("00095201234567891235", "logistic-unit (00)095201234567891235"),
        ("00095201234567891235400PO-4711", "logistic-unit (00)095201234567891235(400)PO-4711"),
        // The receiving label (01)…(17)…(10)ABC123 with FNC1 dropped.
        ("01095011010209171725123110ABC123", "trade-item (01)09501101020917(17)251231(10)ABC123"),
        // FNC1 sent as GS: the separator ends the lot, so (17) may follow it.
        ("010952012345678810ABC~17261231", "trade-item (01)09520123456788(10)ABC(17)261231"),
        ("~010952012345678810ABC~2112345~", "trade-item (01)09520123456788(10)ABC(21)12345"),
        // GRAI: the check digit sits after the fixed leading "0".
        ("800309520123456788A1B2", "unknown (8003)09520123456788A1B2"),
        // GLN with extension: a location.
        ("4149520123456788254SHELF-7", "location (414)9520123456788(254)SHELF-7"),
    ])
    func bareGS1Decodes(input: String, expected: String) {
        #expect(decode(input) == expected)
    }

    @Test func theReceivingLabelIsTheSameWithAndWithoutAIM() throws {
        let bare = try guess.decode(Self.bytes("01095011010209171725123110ABC123")).get()
        let aim = try guess.decode(Self.bytes("]C101095011010209171725123110ABC123")).get()
        #expect(bare.ais.map { [$0.ai, $0.value] } == aim.ais.map { [$0.ai, $0.value] })
        #expect(bare.symbology == nil && aim.symbology == .gs1_128)
        #expect(bare.gtin == "09501101020917" && bare.lot == "ABC123" && bare.expiry(currentYear: 2026) == "2025-12-31")
        #expect(bare.value == "09501101020917")
    }

    // MARK: counter-examples: plain data

    @Test(arguments: [
        "01095011010209181725123110ABC123",    // GTIN check digit wrong
        "0009520123456789123610ABC",           // SSCC check digit wrong
        "010950110102091789XYZ",               // no AI starts with 89 after a valid (01)
        "010950110102091799",                  // (99) after (01) but empty
        "010952012345678810ABC17261231",       // (10)ABC17261231 or (10)ABC (17)261231
        "0109520123456788101232112345",        // lot/serial split several ways
        "01095011010209171725133110ABC",       // month 13 fails the date linter
        "0123456789 HELLO",                    // starts with 01 and digits, then text
        "10ABC123",                            // (10) carries no check digit: not a key
        "401ABC-123",                          // (401) neither
        "HELLO WORLD",
        "ORDER 0109501101020917",              // a key later in the text is not an opening
        "0109501101020917~~10ABC",             // two separators in a row
    ])
    func notGS1StaysPlain(input: String) {
        #expect(decode(input) == "unknown ", "\(input)")
    }

    @Test func sitePatternsStillWin() {
        #expect(decode("LOC:A-01") == "location ")
        #expect(decode("CMD:CLOSE") == "command ")
        // A site pattern that would also read as GS1: the pattern decides.
        let d = ScanDecoder(options: GS1ParseOptions(currentYear: 2026), classifier: ScanClassifier(patterns: [ScanPattern(.document, "0109*")]))
        #expect(decode("01095011010209171725123110ABC123", d) == "document ")
    }

    @Test(arguments: [
        ("4006381333931", "trade-item (01)04006381333931"),      // EAN-13
        ("96385074", "trade-item (01)00000096385074"),           // EAN-8
        ("416000336108", "trade-item (01)00416000336108"),       // UPC-A
        ("10614141000415", "trade-item (01)10614141000415"),     // GTIN-14 (ITF-14)
        ("4006381333932", "error eanUPC"),                        // bad EAN check digit: still an EAN error
    ])
    func eanUPCLengthsAreUnchanged(input: String, expected: String) {
        #expect(decode(input) == expected)
        #expect(decode(input, off) == expected)
    }

    // MARK: the switch

    /// With the guess off, bare data is decoded as before it existed: text
    /// with letters is plain, GS or all-digit data gets the strict parse
    /// (variable-length values run to the GS or the end) and its errors.
    @Test(arguments: [
        ("01095011010209171725123110ABC123", "unknown "),
        ("800309520123456788A1B2", "unknown "),
        ("010952012345678810ABC~17261231", "trade-item (01)09520123456788(10)ABC(17)261231"),
        ("0109520123456788101232112345", "trade-item (01)09520123456788(10)1232112345"),
        ("0109501101020918", "error lintFailure"),
        ("10ABC~21X", "error missingAssociation"),
        ("HELLO WORLD", "unknown "),
    ])
    func offKeepsTheOldRule(input: String, expected: String) {
        #expect(decode(input, off) == expected)
    }

    /// The switch only concerns bare data: anything with an AIM identifier,
    /// in brackets or as a Digital Link decodes the same either way.
    @Test(arguments: [
        "]C101095011010209171725123110ABC123", "]C10109520123456788101232112345", "]d200095201234567891235",
        "]E04006381333931", "]C0CMD:CLOSE", "]Q1https://id.gs1.org/01/09520123456788/10/ABC1",
        "(01)09520123456788(10)ABC(17)261231", "(01)09520123456789", "https://id.gs1.org/01/09520123456788",
    ])
    func identifiedDataIgnoresTheSwitch(input: String) {
        #expect(decode(input) == decode(input, off))
    }

    // MARK: bounded search

    /// Many variable-length AIs without separators have exponentially many
    /// splits; the search counts them per position, so this stays fast and
    /// is rejected as ambiguous.
    @Test func longAmbiguousDataIsRejectedQuickly() {
        let data = "0109520123456788" + String(repeating: "10123", count: 60)
        let clock = ContinuousClock(), start = clock.now
        #expect(decode(data) == "unknown ")
        #expect(clock.now - start < .seconds(2))
        #expect(decode(String(repeating: "0", count: BareElementString.maximumLength + 2)) == "unknown ")
    }
}
