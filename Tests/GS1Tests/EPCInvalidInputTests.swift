import Testing
import ScanModel
@testable import GS1

/// Malformed EPCs are reported with a reason and the raw hex; garbage never traps.
@Suite struct EPCInvalidInputTests {
    @Test(arguments: [
        ("303C83F1B7DD441678901234", EPCError.Kind.invalidPartition),   // SGTIN-96 partition 7
        ("31FC83F1B7DD441678901234", .invalidPartition),                // SSCC-96 partition 7
        ("363C83F1B7DD441678901234000000000000000000000000000", .invalidPartition),
        ("3174257BF4499602D2000001", .badPadding),                      // SSCC-96 reserved bits set
        ("2D14257BF4499602D2000100", .badPadding),                      // GSRN-96 reserved bits set
        ("3074257BF7194E4000001A850001", .badPadding),                  // data after bit 96
        ("3074257BF7194E40", .truncated),
        ("30", .truncated),
        ("", .truncated),
        ("00112233445566778899AABB", .unknownHeader),
        ("FF112233445566778899AABB", .unknownHeader),
        ("355AB1C60003039000000190", .unsupportedScheme),               // GID-96: assigned, not supported
        ("3074257BF7194E4000001A8G", .invalidCharacter),                // not hex
        ("3F14F4E4E612640000000000", .valueOutOfRange),                 // SGCN-96 serial without leading 1
        ("F73795211411234438566CB0AFC4", .badCheckDigit),               // SGTIN+ GTIN check digit wrong
        ("F737952A1411234538566CB0AFC4", .invalidCharacter),            // SGTIN+ non-BCD nibble in GTIN
        ("F7379521141123453C566CB0AFC4", .notEncodable),                // SGTIN+ reserved encoding indicator 6
        ("F73795211411234538566CB0AFC5", .badPadding),                  // SGTIN+ padding not zero
        ("F737952114112345", .truncated),
    ])
    func rejects(hex: String, kind: EPCError.Kind) throws {
        let error = try #require(EPCDecoder.decode(hex: hex).epcFailure, "\(hex) must not decode")
        #expect(error.kind == kind, "\(hex): \(error.message)")
        #expect(error.rawHex == hex)
        #expect(!error.message.isEmpty)
        if let epc = EPC(hex: hex) { #expect(EPCDecoder.identity(epc) == nil) }
    }

    @Test func companyPrefixOutOfRange() throws {
        // Partition 5 = 7-digit prefix in 24 bits: 0xFFFFFF = 16777215 has 8 digits.
        var w = EPCBitWriter()
        w.append(0x30, bits: 8); w.append(1, bits: 3); w.append(5, bits: 3)
        w.append(0xFFFFFF, bits: 24); w.append(1, bits: 20); w.append(1, bits: 38)
        let epc = try #require(w.epc())
        let error = try #require(EPCDecoder.decode(epc).epcFailure)
        #expect(error.kind == .valueOutOfRange)
        #expect(error.bitOffset == 14)
        #expect(error.message.contains("company prefix"))
    }

    @Test func sgtin198BadStrings() throws {
        func sgtin198(_ chars: [UInt64], trailing: UInt64 = 0) throws -> EPC {
            var w = EPCBitWriter()
            w.append(0x36, bits: 8); w.append(1, bits: 3); w.append(5, bits: 3)
            w.append(614141, bits: 24); w.append(812345, bits: 20)
            for c in chars { w.append(c, bits: 7) }
            w.appendZeros(140 - chars.count * 7 - 1); w.append(trailing, bits: 1)
            w.pad(to: 208)
            return try #require(w.epc())
        }
        #expect(EPCDecoder.decode(try sgtin198([0x41, 0x42])).epcSuccess?.serial == "AB")
        #expect(EPCDecoder.decode(try sgtin198([0x41, 0x23])).epcFailure?.kind == .invalidCharacter)  // '#'
        #expect(EPCDecoder.decode(try sgtin198([0x41], trailing: 1)).epcFailure?.kind == .badPadding)
        #expect(EPCDecoder.decode(try sgtin198([])).epcFailure?.kind == .valueOutOfRange)            // empty serial
    }

    @Test func uriParserRejections() {
        for uri in ["urn:epc:id:sgtin:0614141.812345", "urn:epc:tag:sgtin-96:3.0614141.812345.6789", "urn:epc:id:xyz:1.2.3",
                    "urn:epc:id:sscc:0614141.1234567890.1", "urn:epc:id:sgtin:0614141.812345.6%2", "urn:epc:id:sgtin:061414a.812345.1",
                    "urn:epc:id:sgtin:0614141.812345.%C3%A9"] {
            #expect(EPCURIParser.parse(uri).epcFailure?.kind == .invalidURI, "\(uri)")
        }
        // Scheme and identity type must match.
        #expect(EPCEncoder.encode(pureURI: "urn:epc:id:sscc:0614141.1234567890", scheme: .sgtin96, filter: 0).epcFailure != nil)
    }

    /// Random bytes of random lengths, biased towards known headers, never
    /// trap; whatever decodes is consistent between the typed and string paths,
    /// and a decoded legacy EPC re-encodes to the same bits.
    @Test func garbageNeverTraps() throws {
        var rng = SplitMix64(seed: 42)
        let headers = EPCScheme.allCases.map(\.rawValue) + [0x35, 0xFD, 0x00, 0xFF]
        var decoded = 0
        for i in 0..<40_000 {
            let count = Int(rng.next() % 33)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if count > 0, i % 4 != 0 { bytes[0] = headers[Int(rng.next() % UInt64(headers.count))] }
            // Keep some partitions valid so deeper code runs.
            if count > 1, i % 3 == 0 { bytes[1] &= 0xE3 }
            guard let epc = EPC(bytes: bytes) else { continue }
            let full = EPCDecoder.decode(epc)
            if let id = EPCDecoder.identity(epc) {
                #expect(EPCDecoder.fields(epc).epcSuccess == EPCDecoder.fields(from: id))
                #expect(EPCEncoder.encode(id).epcSuccess?.hex == String(epc.hex.prefix(24)))
            }
            if let d = full.epcSuccess {
                decoded += 1
                if let bits = d.schemeKind.fixedBitLength, Int(epc.bitCount) == (bits + 15) / 16 * 16 {
                    #expect(EPCEncoder.encode(pureURI: d.pureURI, scheme: d.schemeKind, filter: d.filter ?? 0).epcSuccess == epc, "\(epc.hex)")
                }
            } else if let e = full.epcFailure {
                #expect(e.rawHex == epc.hex && !e.message.isEmpty)
            }
        }
        #expect(decoded > 50)  // the bias really exercised the decoders
    }

    /// Every single-bit flip of valid EPCs of each family decodes or fails cleanly.
    @Test func bitFlipsNeverTrap() throws {
        let samples = ["3074257BF7194E4000001A85", "3674257BF6B7A659B2C2BF100000000000000000000000000000",
                       "3714257BF40C0E60C287118B266D1780000000000000", "3814257BF58C1858D7C400000000000000000000000000000000",
                       "F73795211411234538566CB0AFC4", "3F14F4E4E612640000019907"]
        for hex in samples {
            let epc = try #require(EPC(hex: hex))
            for bit in 0..<Int(epc.bitCount) {
                var bytes = epc.bytes
                bytes[bit / 8] ^= UInt8(0x80) >> UInt8(bit % 8)
                let flipped = try #require(EPC(bytes: bytes))
                switch EPCDecoder.decode(flipped) {
                case .success(let d): #expect(d.rawHex == flipped.hex)
                case .failure(let e): #expect(e.rawHex == flipped.hex)
                }
                _ = EPCDecoder.identity(flipped)
            }
        }
    }

    @Test func hexInputTolerance() throws {
        #expect(EPCDecoder.decode(hex: " 0x3074257bf7194e4000001a85\n").epcSuccess?.tagURI == "urn:epc:tag:sgtin-96:3.0614141.812345.6789")
        #expect(EPCDecoder.decode(hex: String(repeating: "30", count: 33)).epcFailure?.kind == .notEncodable)
    }
}
