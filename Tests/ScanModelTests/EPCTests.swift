import Testing
@testable import ScanModel

@Suite struct EPCTests {
    @Test func hexRoundTrip96() throws {
        let epc = try #require(EPC(hex: "3074257BF7194E4000001A85"))
        #expect(epc.bitCount == 96)
        #expect(epc.hex == "3074257BF7194E4000001A85")
        #expect(epc.bits(at: 0, count: 8) == 0x30)
        #expect(epc.bits(at: 8, count: 3) == 3)     // filter
        #expect(epc.bits(at: 58, count: 38) == 6789) // serial
        #expect(EPC(bytes: epc.bytes) == epc)
    }

    @Test func longEPCAcrossWords() throws {
        let hex = String(repeating: "A5", count: 32)
        let epc = try #require(EPC(hex: hex))
        #expect(epc.bitCount == 256)
        #expect(epc.hex == hex)
        #expect(epc.bits(at: 60, count: 8) == 0x5A)
    }

    @Test func rejectsBadHex() {
        #expect(EPC(hex: "") == nil)
        #expect(EPC(hex: "30G4") == nil)
        #expect(EPC(hex: String(repeating: "0", count: 65)) == nil)
        #expect(EPC(bytes: [UInt8](repeating: 0, count: 33)) == nil)
    }

    @Test func lengthIsPartOfIdentity() throws {
        #expect(try #require(EPC(hex: "30")) != (try #require(EPC(hex: "3000"))))
    }
}

@Suite struct IdentifierTests {
    @Test func gtinNormalisesAndChecks() throws {
        #expect(try #require(GTIN("614141123452")).digits == "00614141123452")
        #expect(GTIN("80614141123458")?.digits == "80614141123458")
        #expect(GTIN("80614141123459") == nil)
        #expect(GTIN("8061414112345") == nil)
        #expect(GTIN("0061414112345x") == nil)
    }
    @Test func ssccAndGLN() {
        #expect(SSCC("106141411234567897")?.digits == "106141411234567897")
        #expect(SSCC("106141411234567898") == nil)
        #expect(GLN("0614141000418") != nil)
        #expect(GLN("0614141000419") == nil)
    }
}
