import Testing
import ScanModel
@testable import GS1

@Suite struct ScanDecoderTests {
    let decoder = ScanDecoder(options: GS1ParseOptions(currentYear: 2026))

    func decode(_ s: String) -> Result<DecodedScan, GS1Error> {
        decoder.decode(Array(s.utf8).map { $0 == UInt8(ascii: "~") ? 0x1D : $0 })
    }

    // MARK: EAN/UPC

    @Test(arguments: [
        ("]E04006381333931", "04006381333931", Symbology.ean13),
        ("]E00416000336108", "00416000336108", .upcA),
        ("416000336108", "00416000336108", .upcA),
        ("4006381333931", "04006381333931", .ean13),
        ("]E496385074", "00000096385074", .ean8),
        ("96385074", "00000096385074", .ean8),
        ("10614141000415", "10614141000415", .interleaved2of5),
        ("]I110614141000415", "10614141000415", .interleaved2of5),
        // UPC-E 04252614 expands to UPC-A 042100005264.
        ("]E004252614", "00042100005264", .upcE),
    ])
    func eanUPCNormalisesToGTIN14(input: String, gtin: String, symbology: Symbology) throws {
        let scan = try decode(input).get()
        #expect(scan.gtin == gtin)
        #expect(scan.symbology == symbology)
        #expect(scan.kind == .tradeItem)
        #expect(scan.ais.map { [$0.ai, $0.value] } == [["01", gtin]])
    }

    @Test func upcEExpansionRules() {
        // GS1 GenSpecs zero-suppression table, one example per last digit class.
        let cases = [("01234505", "012000003455"), ("01234531", "012300000451"),
                     ("01234543", "012340000053"), ("01234558", "012345000058")]
        for (e, a) in cases {
            #expect(EANUPC.expandUPCE(Array(e.utf8)).map { String(decoding: $0, as: UTF8.self) } == a, "\(e)")
        }
        #expect(EANUPC.expandUPCE(Array("21234505".utf8)) == nil)   // number system 2 is not UPC-E
    }

    @Test(arguments: ["]E04006381333932", "]E4963850741", "4006381333932", "]E00123", "]E0ABCDEFGHIJKLM"])
    func eanUPCRejectsBadData(input: String) {
        guard case .failure(let e) = decode(input) else { Issue.record("\(input) decoded"); return }
        #expect(e.kind == .eanUPC)
    }

    // ISO/IEC 15424: ]E3 is the main symbol and its add-on in one packet.
    // The add-on is kept beside the GTIN, never mixed into it.
    @Test(arguments: [
        ("]E3977123456700305", "09771234567003", "05", Symbology.ean13),     // periodical: ISSN + issue
        ("]E3978030640615751995", "09780306406157", "51995", .ean13),          // book: ISBN + price
        ("]E3041600033610812", "00416000336108", "12", .upcA),
        ("]E30425261412", "00042100005264", "12", .upcE),
        ("]E3042526149", "", "", .upcE),
    ])
    func eanUPCWithAddOnKeepsTheAddOnBesideTheGTIN(input: String, gtin: String, addOn: String, symbology: Symbology) throws {
        guard !gtin.isEmpty else {
            // 11 digits: neither 13+2/13+5 nor 8+2/8+5.
            guard case .failure(let e) = decode(input) else { Issue.record("\(input) decoded"); return }
            #expect(e.message.contains("expected 13+2, 13+5, 8+2 or 8+5"))
            return
        }
        let scan = try decode(input).get()
        #expect(scan.gtin == gtin)
        #expect(scan.addOn == addOn)
        #expect(scan.symbology == symbology)
        #expect(scan.kind == .tradeItem)
        #expect(scan.ais.map { [$0.ai, $0.value] } == [["01", gtin]])
    }

    @Test(arguments: [("]E3977123456700405", 15), ("]E397712345670030X", 17), ("]E3", 3)])
    func eanUPCWithAddOnRejectsBadMainSymbolsAndNonDigits(input: String, offset: Int) {
        guard case .failure(let e) = decode(input) else { Issue.record("\(input) decoded"); return }
        #expect(e.kind == .eanUPC)
        #expect(e.offset == offset)
    }

    @Test func eanWithCompositeComponent() throws {
        let scan = try decode("]E04006381333931|]e010ABC~21X").get()
        #expect(scan.ais.map(\.ai) == ["01", "10", "21"])
        #expect(scan.lot == "ABC")
    }

    // MARK: GS1 symbologies and Digital Link

    @Test func gs1128TradeItemWithAllConveniences() throws {
        let scan = try decode("]C1010952012345678810LOT7~17261100~2112345~3012").get()
        #expect(scan.symbology == .gs1_128)
        #expect(scan.kind == .tradeItem)
        #expect(scan.gtin == "09520123456788")
        #expect(scan.lot == "LOT7")
        #expect(scan.serial == "12345")
        #expect(scan.quantity == 12)
        #expect(scan.expiry(currentYear: 2026) == "2026-11-30")   // day 00 = end of month
    }

    @Test func ssccIsLogisticUnit() throws {
        let scan = try decode("]d200095201234567891235~02095201234567883720").get()
        #expect(scan.symbology == .gs1DataMatrix)
        #expect(scan.kind == .logisticUnit)
        #expect(scan.sscc == "095201234567891235")
        #expect(scan.quantity == 20)
    }

    @Test func glnIsLocationWithExtension() throws {
        let scan = try decode("]C14149520123456788254SHELF-7").get()
        #expect(scan.kind == .location)
        #expect(scan.value == "9520123456788.SHELF-7")
    }

    @Test(arguments: ["(400)PO-4711", "(401)9520123ABC", "(402)95201234567890122"])
    func gs1DocumentAIs(input: String) throws {
        #expect(try decode(input).get().kind == .document)
    }

    @Test func digitalLinkInQR() throws {
        let scan = try decode("]Q1https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426").get()
        #expect(scan.symbology == .qr)
        #expect(scan.kind == .tradeItem)
        #expect(scan.serial == "12345")
        #expect(scan.elements?.humanReadable == "(01)09520123456788(10)ABC1(21)12345(17)180426")
    }

    @Test func digitalLinkErrorsCarryOffsetsAfterAIM() {
        guard case .failure(let e) = decode("]Q1https://a/01/09520123456788/99/X") else { Issue.record("decoded"); return }
        #expect(e.kind == .digitalLink)
        #expect(e.offset == 3 + 28)   // at the "99" segment
    }

    @Test(arguments: [
        ("https://id.gs1.org/01/9520123456788", "(01)09520123456788"),           // zero-suppressed GTIN
        ("https://example.com/shop/01/09520123456788/22/2A?3103=000195", "(01)09520123456788(22)2A(3103)000195"),
        ("https://id.gs1.org/00/095201234567891235?02=09520123456788&37=25", "(00)095201234567891235(02)09520123456788(37)25"),
        ("https://id.gs1.org/414/9520123456788/254/32a%2Fb", "(414)9520123456788(254)32a/b"),
        ("https://example.com/01/09520123456788?10=A&utm_source=x", nil),        // (10) qualifier in the query
        ("https://example.com/01/09520123456788/21/1/10/A", nil),                 // qualifiers out of order
        ("https://example.com/01/09520123456788/", nil),
        ("https://example.com/01/09520123456789", nil),                           // check digit
        ("https://example.com/01/09520123456788?17=991332", nil),                 // bad date in query
        ("https://example.com/01/09520123456788?21=1", nil),                       // (21) is a qualifier
    ] as [(String, String?)])
    func digitalLinkCases(uri: String, expected: String?) {
        let r = DigitalLink.parse(uri, options: GS1ParseOptions(currentYear: 2026))
        #expect((try? r.get())?.humanReadable == expected, "\(uri)")
    }

    // MARK: plain data and classification

    @Test func sitePatterns() throws {
        let loc = try decode("LOC:A-01-02").get()
        #expect(loc.kind == .location && loc.value == "A-01-02")
        let cmd = try decode("]C0CMD:CLOSE").get()
        #expect(cmd.kind == .command && cmd.value == "CLOSE" && cmd.symbology == .code128)
        #expect(try decode("DOC:ASN-1").get().kind == .document)
        #expect(try decode("something else").get().kind == .unknown)
    }

    @Test func customPatterns() throws {
        let d = ScanDecoder(classifier: ScanClassifier(patterns: [
            ScanPattern(.location, "@-##-##"), ScanPattern(.document, "SO#####*"), ScanPattern(.command, "!*"),
        ]))
        #expect(try d.decode(Array("B-12-07".utf8)).get().kind == .location)
        #expect(try d.decode(Array("B-12-7".utf8)).get().kind == .unknown)
        let so = try d.decode(Array("SO12345-7".utf8)).get()
        #expect(so.kind == .document && so.value == "-7")
        #expect(try d.decode(Array("!RESET".utf8)).get().value == "RESET")
        #expect(try d.decode(Array("LOC:A-01-02".utf8)).get().kind == .unknown)   // defaults replaced
    }

    @Test func epcRecognised() throws {
        let hex = try decode("3074257BF7194E4000001A85").get()
        #expect(hex.kind == .epc)
        #expect(hex.epc?.hex == "3074257BF7194E4000001A85")
        #expect(try decode("urn:epc:id:sgtin:0614141.812345.6789").get().kind == .epc)
        #expect(try decode("ZZ74257BF7194E4000001A85").get().kind == .unknown)
    }

    @Test(arguments: ["", "]", "]C", "]C1", "]e0", "]d2"])
    func emptyOrMalformedAIMFails(input: String) {
        #expect((try? decode(input).get()) == nil)
    }
}
