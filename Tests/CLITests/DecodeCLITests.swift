import Foundation
import Testing

@Suite struct DecodeCLITests {
    @Test func decodesArgumentsInOrderWithConvenienceFields() throws {
        let out = try CLI.run("scanledger", ["decode",
            "]C1010952012345678810ABC123\\x1d17261200\\x1d2112345",
            "]E00416000336108",
            "]d200095201234567891235",
            "LOC:A-01-02",
            "CMD:CLOSE",
            "https://id.gs1.org/01/09520123456788/10/L1?3103=000195"])
        #expect(out.status == 0)
        let j = out.json
        try #require(j.count == 6)
        #expect(j[0]["symbology"] as? String == "gs1-128")
        #expect(j[0]["kind"] as? String == "trade-item")
        #expect(j[0]["gtin"] as? String == "09520123456788")
        #expect(j[0]["lot"] as? String == "ABC123")
        #expect(j[0]["serial"] as? String == "12345")
        #expect(j[0]["expiry"] as? String == "2026-12-31")
        #expect((j[0]["ais"] as? [[String]])?.map { $0[0] } == ["01", "10", "17", "21"])
        #expect(j[0]["input"] as? String == "]C1010952012345678810ABC123\\x1d17261200\\x1d2112345")
        #expect(j[1]["symbology"] as? String == "upc-a")
        #expect(j[1]["ais"] as? [[String]] == [["01", "00416000336108"]])
        #expect(j[2]["kind"] as? String == "logistic-unit")
        #expect(j[2]["sscc"] as? String == "095201234567891235")
        #expect(j[3]["kind"] as? String == "location")
        #expect(j[3]["location"] as? String == "A-01-02")
        #expect(j[3]["symbology"] is NSNull)
        #expect(j[4]["kind"] as? String == "command")
        #expect(j[5]["ais"] as? [[String]] == [["01", "09520123456788"], ["10", "L1"], ["3103", "000195"]])
    }

    @Test func keysAreSortedAndStable() throws {
        let out = try CLI.run("scanledger", ["decode", "(01)09520123456788(10)X"])
        #expect(out.stdout == #"{"ais":[["01","09520123456788"],["10","X"]],"gtin":"09520123456788","input":"(01)09520123456788(10)X","kind":"trade-item","lot":"X","symbology":null}"# + "\n")
    }

    @Test func failuresPrintErrorAndOffsetAndExitOne() throws {
        let out = try CLI.run("scanledger", ["decode", "(01)09520123456789", "]E00416000336108", "]C1019520\\x1d10A"])
        #expect(out.status == 1)
        let j = out.json
        try #require(j.count == 3)                     // every line still printed
        #expect((j[0]["error"] as? String)?.contains("(01)") == true)
        #expect(j[0]["offset"] as? Int == 17)
        #expect(j[1]["gtin"] as? String == "00416000336108")
        #expect(j[2]["ai"] as? String == "01")
        #expect(j[2]["offset"] as? Int == 5)
    }

    /// Carrier labels: the tracking reading is added; a 12-digit FedEx number
    /// that is no valid UPC-A still fails the GS1 decode (exit 1) but shows it.
    @Test func showsRecognisedTrackingNumbers() throws {
        let out = try CLI.run("scanledger", ["decode", "1Z5R89390357567127", "]C142078745\\x1d9400111206206406260787", "986578788855", "1Z5R89390357567128"])
        #expect(out.status == 1)
        let j = out.json
        try #require(j.count == 4)
        let ups = try #require(j[0]["tracking"] as? [String: Any])
        #expect(ups["carrier"] as? String == "UPS")
        #expect(ups["rule"] as? String == "ups-1z")
        #expect(ups["service"] as? String == "03")
        let usps = try #require(j[1]["tracking"] as? [String: Any])
        #expect(usps["number"] as? String == "9400111206206406260787")
        #expect(usps["zip"] as? String == "78745")
        #expect(j[2]["error"] != nil)
        #expect((j[2]["tracking"] as? [String: Any])?["rule"] as? String == "fedex-express-12")
        #expect(j[3]["tracking"] == nil)
    }

    @Test func readsStdinOneScanPerLine() throws {
        let input = "]C10109520123456788\u{1D}10LOT\n\n]C10109520123456788\\x1D10LOT\r\n96385074\n"
        let out = try CLI.run("scanledger", ["decode"], stdin: Data(input.utf8))
        #expect(out.status == 0)
        let j = out.json
        try #require(j.count == 3)                     // blank line skipped, CR stripped
        #expect(j[0]["lot"] as? String == "LOT")
        #expect(j[1]["lot"] as? String == "LOT")
        #expect(j[2]["symbology"] as? String == "ean-8")
    }

    @Test func usageErrorsExitTwo() throws {
        let out = try CLI.run("scanledger", ["decode", "--frobnicate"])
        #expect(out.status == 2)
        #expect(out.stdout.isEmpty)
        #expect(out.stderr.contains("usage"))
    }

    @Test func epcModeReportsEveryInput() throws {
        let out = try CLI.run("scanledger", ["decode", "--epc", "3074257BF7194E4000001A85", "not-hex"])
        #expect(out.status == 1)                       // "not-hex" always fails
        let j = out.json
        try #require(j.count == 2)
        #expect(j[0]["input"] as? String == "3074257BF7194E4000001A85")
        #expect(j[0]["scheme"] != nil || j[0]["error"] != nil)
        #expect(j[1]["error"] != nil)
    }

    @Test func exampleScansAllDecode() throws {
        let scans = try Data(contentsOf: CLI.repoRoot.appendingPathComponent("examples/scans.txt"))
        let out = try CLI.run("scanledger", ["decode"], stdin: scans)
        #expect(out.status == 0, "\(out.stdout)")
        #expect(out.json.count >= 10)
        #expect(out.json.allSatisfy { $0["error"] == nil })
    }

    @Test func fuzzSeedCorpusReplaysClean() throws {
        let out = try CLI.run("scanledger-fuzz", [CLI.repoRoot.appendingPathComponent("Tests/Fuzz/corpus").path])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("replayed"))
    }
}
