import Testing
import ScanModel
@testable import GS1

@Suite struct AIMTests {
    @Test(arguments: [
        ("]C1011234", Symbology.gs1_128, AIMIdentifier.Content.gs1ElementString),
        ("]E00416000336108", .ean13, .eanUPC),
        ("]E412345670", .ean8, .eanUPC),
        ("]Q1https://id.gs1.org/01/09520123456788", .qr, .plain),
        ("]d2010952", .gs1DataMatrix, .gs1ElementString),
    ])
    func splitsKnownIdentifiers(input: String, symbology: Symbology, content: AIMIdentifier.Content) throws {
        let (id, offset) = AIMIdentifier.split(Array(input.utf8))
        let aim = try #require(id)
        #expect(offset == 3)
        #expect(aim.symbology == symbology)
        #expect(aim.content == content)
    }

    @Test(arguments: ["", "]", "]C", "]#1", "0101234", "]c;"])
    func noIdentifier(input: String) {
        let (id, offset) = AIMIdentifier.split(Array(input.utf8))
        #expect(id == nil)
        #expect(offset == 0)
    }
}
