import Testing
import ScanModel
@testable import GS1

/// Generated values for every scheme: encode → decode gives back the input.
@Suite struct EPCRoundTripTests {
    static let fixed96: [EPCScheme] = [.sgtin96, .sscc96, .sgln96, .grai96, .giai96, .gsrn96, .gsrnp96, .gdti96, .sgcn96]
    static let stringSchemes: [EPCScheme] = [.sgtin198, .sgln195, .grai170, .giai202, .gdti174]
    static let plusSchemes: [EPCScheme] = [.sgtinPlus, .ssccPlus, .sglnPlus, .graiPlus, .giaiPlus, .gsrnPlus, .dsgtinPlus]

    static let set82 = Array("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".utf8)

    static func digits(_ n: Int, _ rng: inout SplitMix64) -> String {
        String(decoding: (0..<n).map { _ in UInt8(0x30 + rng.next() % 10) }, as: UTF8.self)
    }

    static func below(_ limit: UInt64, _ rng: inout SplitMix64) -> UInt64 { limit == 0 ? 0 : rng.next() % limit }

    /// A random value of one of the alphabets the '+' encodings distinguish.
    static func serial(_ maxLength: Int, _ rng: inout SplitMix64) -> String {
        let n = 1 + Int(rng.next() % UInt64(maxLength))
        let alphabets: [[UInt8]] = [Array("0123456789".utf8), Array("0123456789ABCDEF".utf8), Array("0123456789abcdef".utf8),
                                    Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8), set82]
        let alphabet = alphabets[Int(rng.next() % UInt64(alphabets.count))]
        return String(decoding: (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }, as: UTF8.self)
    }

    static func withCheckDigit(_ body: String) -> String { body + String(EPCText.checkDigit(body)) }

    @Test(arguments: fixed96)
    func typedIdentityRoundTrip(scheme: EPCScheme) throws {
        var rng = SplitMix64(seed: UInt64(scheme.rawValue))
        for _ in 0..<1500 {
            let p = Int(rng.next() % 7)
            let l = EPC96.layout(scheme, p)
            var id = EPCIdentity(scheme: scheme, filter: UInt8(rng.next() % 8), companyPrefixDigits: UInt8(l.cpDigits),
                                 companyPrefix: Self.below(EPCText.pow10(l.cpDigits), &rng),
                                 referenceDigits: UInt8(l.refDigits), reference: Self.below(EPCText.pow10(l.refDigits), &rng))
            switch scheme {
            case .giai96: id.reference = 0; id.referenceDigits = 0; id.serial = Self.below(1 << UInt64(l.refBits), &rng)
            case .sgtin96, .grai96: id.serial = Self.below(1 << 38, &rng)
            case .sgln96, .gdti96: id.serial = Self.below(1 << 41, &rng)
            case .sgcn96:
                id.serialDigits = UInt8(1 + rng.next() % 12)
                id.serial = Self.below(EPCText.pow10(Int(id.serialDigits)), &rng)
            default: break
            }
            let epc = try #require(EPCEncoder.encode(id).epcSuccess, "\(id)")
            #expect(epc.bitCount == 96)
            #expect(EPCDecoder.identity(epc) == id)
            // The string path agrees, and its pure URI encodes back to the same bits.
            let d = try #require(EPCDecoder.decode(epc).epcSuccess)
            #expect(d.scheme == scheme.name && d.filter == Int(id.filter))
            // Integer formatter and string formatter agree.
            let f = try #require(EPCDecoder.fields(epc).epcSuccess)
            #expect(id.pureURI == f.pureURI && id.tagURI == f.tagURI && d.pureURI == f.pureURI)
            #expect(EPCEncoder.encode(pureURI: d.pureURI, scheme: scheme, filter: Int(id.filter)).epcSuccess == epc, "\(d.pureURI)")
            if scheme == .sgtin96 { #expect(d.gs1Key == id.gtin.map { String($0).leftPadded(14) }) }
            if scheme == .sscc96 { #expect(d.gs1Key == id.sscc.map { String($0).leftPadded(18) }) }
        }
    }

    @Test(arguments: stringSchemes)
    func stringSchemeRoundTrip(scheme: EPCScheme) throws {
        var rng = SplitMix64(seed: 1000 + UInt64(scheme.rawValue))
        for _ in 0..<800 {
            let p = Int(rng.next() % 7)
            let part = EPCPartitionTable.table(for: scheme)[p]
            var f = EPCFields(scheme: scheme, filter: Int(rng.next() % 8))
            f.companyPrefix = Self.digits(part.companyPrefixDigits, &rng)
            let maxChars: Int
            if scheme == .giai202 {
                maxChars = part.referenceDigits
            } else {
                f.reference = Self.digits(part.referenceDigits, &rng)
                maxChars = EPCStringSchemeDecoding.stringChars(scheme)
            }
            f.serial = Self.serial(maxChars, &rng)
            let epc = try #require(EPCEncoder.encode(f).epcSuccess, "\(f)")
            #expect(EPCDecoder.fields(epc).epcSuccess == f)
            let d = try #require(EPCDecoder.decode(epc).epcSuccess)
            #expect(EPCEncoder.encode(pureURI: d.pureURI, scheme: scheme, filter: f.filter).epcSuccess == epc, "\(d.pureURI)")
            #expect(EPCURIParser.parse(d.pureURI).epcSuccess?.elementString == d.elementString)
        }
    }

    @Test(arguments: plusSchemes)
    func plusSchemeRoundTrip(scheme: EPCScheme) throws {
        var rng = SplitMix64(seed: 2000 + UInt64(scheme.rawValue))
        let extras: [[EPCElement]] = [[], [EPCElement("17", "281231")], [EPCElement("10", "LOT-42"), EPCElement("3103", "001250")],
                                      [EPCElement("30", "12"), EPCElement("00", "106141412345678908")], [EPCElement("7006", "260101"), EPCElement("242", "123")]]
        for i in 0..<600 {
            var f = EPCFields(scheme: scheme, filter: Int(rng.next() % 8))
            // EPC holds 256 bits: long serials only without +AIDC data.
            let serialMax = i % extras.count == 0 ? 20 : 6
            switch scheme {
            case .sgtinPlus, .dsgtinPlus:
                f.key = Self.withCheckDigit(Self.digits(13, &rng)); f.serial = Self.serial(serialMax, &rng)
                if scheme == .dsgtinPlus {
                    let ai = EPCPlusDecoding.dsgtinDateAIs[Int(rng.next() % 7)]
                    let date = Self.digits(2, &rng) + String(format2: 1 + rng.next() % 12) + String(format2: rng.next() % 29)
                    f.date = EPCElement(ai, date)
                }
            case .ssccPlus, .gsrnPlus: f.key = Self.withCheckDigit(Self.digits(17, &rng))
            case .sglnPlus: f.key = Self.withCheckDigit(Self.digits(12, &rng)); f.serial = Self.serial(serialMax, &rng)
            case .graiPlus: f.key = "0" + Self.withCheckDigit(Self.digits(12, &rng)); f.serial = i % 5 == 0 ? "" : Self.serial(min(16, serialMax), &rng)
            case .giaiPlus:
                // Digits, optionally followed by an alphanumeric tail (delimited numeric).
                let lead = Self.digits(Int(rng.next() % UInt64(serialMax)) + 1, &rng)
                f.key = i % 2 == 0 ? lead : lead + Self.serial(min(30 - lead.count, serialMax), &rng)
            default: Issue.record("not a plus scheme")
            }
            let ownAIs = Set(f.elements.map(\.ai))
            f.additional = extras[i % extras.count].filter { !ownAIs.contains($0.ai) }
            f.aidcToggle = !f.additional.isEmpty
            let epc = try #require(EPCEncoder.encode(f).epcSuccess, "\(f)")
            #expect(epc.bitCount % 16 == 0)
            #expect(EPCDecoder.fields(epc).epcSuccess == f, "\(epc.hex)")
            let d = try #require(EPCDecoder.decode(epc).epcSuccess)
            #expect(d.pureURI.hasPrefix("https://id.gs1.org/"))
            #expect(d.hasAIDCData == f.aidcToggle)
        }
    }

    /// The public encodePlus API with the TDS 2.x E.3 example values.
    @Test func sgtinPlusExample() throws {
        let epc = try #require(EPCEncoder.encodePlus(.sgtinPlus, filter: 3, key: "79521141123453", serial: "32a/b").epcSuccess)
        #expect(epc.hex == "F73795211411234538566CB0AFC4")
        let d = try #require(EPCDecoder.decode(epc).epcSuccess)
        #expect(d.elementString == "(01)79521141123453(21)32a/b")
        #expect(d.digitalLinkURI == "https://id.gs1.org/01/79521141123453/21/32a%2Fb")
        #expect(d.companyPrefix == nil)
        let dated = try #require(EPCEncoder.encodePlus(.dsgtinPlus, filter: 3, key: "79521141123453", serial: "32a/b",
                                                       date: EPCElement("17", "220630")).epcSuccess)
        let dd = try #require(EPCDecoder.decode(dated).epcSuccess)
        #expect(dd.elementString == "(01)79521141123453(17)220630(21)32a/b")
        #expect(dd.digitalLinkURI == "https://id.gs1.org/01/79521141123453/21/32a%2Fb?17=220630")
    }

    /// URN Code 40 (encoding indicator 5) is decoded even though the encoder never picks it.
    @Test func urnCode40Serial() throws {
        var w = EPCBitWriter()
        w.append(0xF7, bits: 8); w.append(0, bits: 1); w.append(1, bits: 3)
        EPCPlusCodec.writeDigits(&w, "79521141123453")
        w.append(5, bits: 3); w.append(4, bits: 5)
        w.append(1600 * 1 + 40 * 2 + 3 + 1, bits: 16)        // "ABC"
        w.append(1600 * 30 + 1, bits: 16)                      // "0" + pad + pad
        w.pad(to: (w.count + 15) / 16 * 16)
        let epc = try #require(w.epc())
        let d = try #require(EPCDecoder.decode(epc).epcSuccess)
        #expect(d.serial == "ABC0")
    }

    @Test func sgtin96FromGTIN() throws {
        let epc = try #require(EPCEncoder.sgtin96(gtin: "80614141123458", serial: 6789, filter: 3, companyPrefixLength: 7).epcSuccess)
        #expect(epc.hex == "3074257BF7194E4000001A85")
        let id = try #require(EPCDecoder.identity(epc))
        #expect(id.gtin == 80614141123458)
        #expect(id.serial == 6789 && id.filter == 3 && id.companyPrefix == 614141 && id.companyPrefixDigits == 7)
        // GTIN-13 is padded to GTIN-14.
        #expect(EPCEncoder.sgtin96(gtin: "4006381333931", serial: 1, filter: 1, companyPrefixLength: 7).epcSuccess != nil)
        #expect(EPCEncoder.sgtin96(gtin: "80614141123459", serial: 1, filter: 3, companyPrefixLength: 7).epcFailure?.kind == .badCheckDigit)
        #expect(EPCEncoder.sgtin96(gtin: "80614141123458", serial: 1 << 38, filter: 3, companyPrefixLength: 7).epcFailure?.kind == .notEncodable)
        #expect(EPCEncoder.sgtin96(gtin: "80614141123458", serial: 1, filter: 8, companyPrefixLength: 7).epcFailure != nil)
        #expect(EPCEncoder.sgtin96(gtin: "80614141123458", serial: 1, filter: 3, companyPrefixLength: 5).epcFailure != nil)
        #expect(EPCEncoder.sgtin96(gtin: "8061414112345X", serial: 1, filter: 3, companyPrefixLength: 7).epcFailure != nil)
        let ssccEPC = try #require(EPC(hex: "3174257BF4499602D2000000"))
        let sscc = try #require(EPCDecoder.identity(ssccEPC))
        #expect(sscc.sscc == 106141412345678908)
    }
}

private extension String {
    init(format2 v: UInt64) { self = v < 10 ? "0\(v)" : "\(v)" }
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

@Suite struct EPCDecodedFieldTests {
    @Test func canonicalSGTIN96Fields() throws {
        let d = try #require(EPCDecoder.decode(hex: "3074257BF7194E4000001A85").epcSuccess)
        #expect(d.scheme == "sgtin-96" && d.schemeKind == .sgtin96 && d.filter == 3)
        #expect(d.companyPrefix == "0614141" && d.gs1Key == "80614141123458" && d.serial == "6789")
        #expect(d.elements == [EPCElement("01", "80614141123458"), EPCElement("21", "6789")])
        #expect(d.digitalLinkURI == "https://id.gs1.org/01/80614141123458/21/6789")
        #expect(!d.hasAIDCData)
    }

    @Test func sglnExtensionZeroHasNoAI254() throws {
        let d = try #require(EPCEncoder.encode(pureURI: "urn:epc:id:sgln:0614141.12345.0", scheme: .sgln96, filter: 0).epcSuccess)
        let decoded = try #require(EPCDecoder.decode(d).epcSuccess)
        #expect(decoded.elementString == "(414)0614141123452")
        #expect(decoded.pureURI == "urn:epc:id:sgln:0614141.12345.0")
    }

    @Test func aidcDataAppearsInElementString() throws {
        let epc = try #require(EPCEncoder.encodePlus(.sgtinPlus, filter: 1, key: "79521141123453", serial: "12345",
                                                     additional: [EPCElement("17", "271231"), EPCElement("10", "AB12")]).epcSuccess)
        let d = try #require(EPCDecoder.decode(epc).epcSuccess)
        #expect(d.hasAIDCData)
        #expect(d.elementString == "(01)79521141123453(21)12345(17)271231(10)AB12")
        #expect(d.digitalLinkURI == "https://id.gs1.org/01/79521141123453/10/AB12/21/12345?17=271231")
        let withSSCC = try #require(EPCEncoder.encodePlus(.sgtinPlus, filter: 1, key: "79521141123453", serial: "7",
                                                          additional: [EPCElement("00", "106141412345678908")]).epcSuccess)
        #expect(EPCDecoder.decode(withSSCC).epcSuccess?.digitalLinkURI == "https://id.gs1.org/01/79521141123453/21/7?00=106141412345678908")
        // An AI without a supported +AIDC encoding is refused, not guessed.
        #expect(EPCEncoder.encodePlus(.sgtinPlus, filter: 1, key: "79521141123453", serial: "1",
                                      additional: [EPCElement("8200", "x")]).epcFailure?.kind == .notEncodable)
    }
}

@Suite struct EPCCompanyPrefixLengthTests {
    @Test func plusSchemesGetURNsWhenThePrefixLengthIsKnown() throws {
        let cases: [(String, Int, String)] = [
            ("F73795211411234538566CB0AFC4", 7, "urn:epc:id:sgtin:9521141.712345.32a%2Fb"),
            ("F90095201234567891235", 7, "urn:epc:id:sscc:9520123.0456789123"),
            ("F2395211411234548566CB0AFC4", 7, "urn:epc:id:sgln:9521141.12345.32a%2Fb"),
            ("F13095211411234548566CB0AFC4", 7, "urn:epc:id:grai:9521141.12345.32a%2Fb"),
            ("FA3952114132E83C2BF10", 7, "urn:epc:id:giai:9521141.32a%2Fb"),
            ("F43952114112345678906", 7, "urn:epc:id:gsrn:9521141.1234567890"),
        ]
        for (hex, length, urn) in cases {
            let epc = try #require(EPC(hex: hex))
            let d = try #require(EPCDecoder.decode(epc, companyPrefixLength: { _ in length }).epcSuccess)
            #expect(d.pureURI == urn, "\(hex)")
            #expect(d.companyPrefix == "9521141" || d.companyPrefix == "9520123")
            // The URN encodes back into the matching legacy scheme with the same identity.
            let parsed = try #require(EPCURIParser.parse(urn).epcSuccess)
            #expect(parsed.gs1Key == d.gs1Key)
            // No answer, or a nonsense answer: the Digital Link stays, nothing is guessed.
            #expect(EPCDecoder.decode(epc, companyPrefixLength: { _ in nil }).epcSuccess?.pureURI.hasPrefix("https://id.gs1.org/") == true)
            #expect(EPCDecoder.decode(epc, companyPrefixLength: { _ in 13 }).epcSuccess?.pureURI.hasPrefix("https://id.gs1.org/") == true)
        }
    }
}
