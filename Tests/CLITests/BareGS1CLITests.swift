import Foundation
import Testing

/// `scanledger decode` of labels as a scanner at factory settings sends them
/// (no AIM identifier, FNC1 dropped or sent as GS) gives the same AIs as the
/// same labels with `]C1`.
@Suite struct BareGS1CLITests {
    static let labels = [
        "01095011010209171725123110ABC123",            // (01)(17)(10) with FNC1 dropped
        "010952012345678810ABC\\x1d17261231",          // FNC1 sent as GS
        "00095201234567891235400PO-4711",              // SSCC + purchase order
        "4149520123456788254SHELF-7",                  // GLN + extension
    ]

    @Test func bareAndAIMPrefixedLabelsGiveTheSameAIs() throws {
        let out = try CLI.run("scanledger", ["decode"] + Self.labels + Self.labels.map { "]C1" + $0 })
        #expect(out.status == 0, "\(out.stdout)")
        let j = out.json
        try #require(j.count == 2 * Self.labels.count)
        for i in Self.labels.indices {
            let bare = j[i]["ais"] as? [[String]], aim = j[i + Self.labels.count]["ais"] as? [[String]]
            #expect(bare != nil && !(bare ?? []).isEmpty, "\(Self.labels[i])")
            #expect(bare == aim, "\(Self.labels[i])")
            #expect(j[i]["kind"] as? String == j[i + Self.labels.count]["kind"] as? String)
        }
        #expect(j[0]["lot"] as? String == "ABC123" && j[0]["expiry"] as? String == "2025-12-31")
    }

    @Test func ambiguousOrUncheckedBareDataStaysPlain() throws {
        // (10)ABC17261231 or (10)ABC (17)261231; (10) carries no check digit.
        let out = try CLI.run("scanledger", ["decode", "010952012345678810ABC17261231", "10ABC123"])
        #expect(out.status == 0)
        #expect(out.json.map { $0["kind"] as? String } == ["unknown", "unknown"])
        #expect(out.json.allSatisfy { ($0["ais"] as? [[String]] ?? []).isEmpty })
    }
}
