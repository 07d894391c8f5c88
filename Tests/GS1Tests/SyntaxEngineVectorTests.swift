import Foundation
import Testing
import ScanModel
@testable import GS1

/// The GS1 Syntax Engine's own unit-test cases (copied into Vectors/ with
/// their licence), run against our parser. Each test collects the source
/// line numbers of the cases where we disagree and compares them with the
/// documented, deliberate differences below; any other disagreement fails.
@Suite struct SyntaxEngineVectorTests {
    struct Case: Sendable {
        let test: String
        /// args[0] is the expected success; the rest are strings.
        let ok: Bool
        let args: [String]
        let flags: [String: Bool]
        let line: Int
        let linter: String?
        let input: String?
        let pass: Bool?
    }

    static let cases: [Case] = {
        guard let url = Bundle.module.url(forResource: "syntax-engine-cases", withExtension: "json", subdirectory: "Vectors")
                ?? Bundle.module.url(forResource: "syntax-engine-cases", withExtension: "json"),
              let data = try? Data(contentsOf: url),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = root["cases"] as? [[String: Any]] else { return [] }
        return list.map {
            let args = $0["args"] as? [Any] ?? []
            return Case(test: $0["test"] as? String ?? "", ok: args.first as? Bool ?? false,
                 args: args.map { $0 as? String ?? "" },
                 flags: $0["flags"] as? [String: Bool] ?? [:], line: $0["line"] as? Int ?? 0,
                 linter: $0["linter"] as? String, input: $0["input"] as? String, pass: $0["pass"] as? Bool)
        }
    }()

    static func cases(_ test: String) -> [Case] { cases.filter { $0.test == test } }

    /// The engine writes FNC1 as '^' with a leading one for "GS1 data";
    /// our raw form has GS separators and no leading FNC1.
    static func engineRaw(_ es: ElementString) -> String {
        "^" + String(decoding: es.raw.map { $0 == 0x1D ? UInt8(ascii: "^") : $0 }, as: UTF8.self)
    }

    static let engineYear = 2021   // the engine's linter tests assume 2021

    func options(_ flags: [String: Bool]) -> GS1ParseOptions {
        var o = GS1ParseOptions(currentYear: Self.engineYear)
        o.permitUnknownAIs = flags["permitUnknownAIs"] ?? false
        o.permitConvenienceAlphas = flags["permitConvenienceAlphas"] ?? false
        o.permitZeroSuppressedGTIN = flags["permitZeroSuppressedGTINinDLuris"] ?? false
        return o
    }

    @Test func vectorsArePresent() {
        #expect(Self.cases.count > 5000)
    }

    @Test func parseAIdata() {
        var mismatches: [Int] = [], passed = 0
        for c in Self.cases("parseAIdata") {
            let ok = c.ok; guard let input = Optional(c.args[1]), let expected = Optional(c.args[2]) else { continue }
            var o = options(c.flags)
            o.validateAssociations = false
            let r = ElementStringParser.parseBracketed(input, options: o)
            let same: Bool
            switch r {
            case .success(let es): same = ok && Self.engineRaw(es) == expected
            case .failure: same = !ok
            }
            if same { passed += 1 } else { mismatches.append(c.line) }
        }
        print("parseAIdata: \(passed) agree, differ at lines \(mismatches)")
        #expect(passed >= 27)
        #expect(mismatches == [])
    }

    @Test func processAIdata() {
        var mismatches: [Int] = [], passed = 0, notApplicable = 0
        for c in Self.cases("processAIdata") {
            let ok = c.ok; guard let data = Optional(c.args[1]) else { continue }
            // Without the leading FNC1 the engine treats data as non-GS1;
            // our raw parser is only called for data already known to be GS1.
            guard data.hasPrefix("^") else { notApplicable += 1; continue }
            var o = options(c.flags)
            o.validateAssociations = false
            let bytes = Array(data.dropFirst().utf8).map { $0 == UInt8(ascii: "^") ? 0x1D : $0 }
            let r = ElementStringParser.parseRaw(bytes, options: o)
            if (try? r.get()) != nil ? ok : !ok { passed += 1 } else { mismatches.append(c.line) }
        }
        print("processAIdata: \(passed) agree, \(notApplicable) not applicable, differ at lines \(mismatches)")
        #expect(passed >= 75)
        #expect(mismatches == [])
    }

    @Test func validateAIs() {
        var mismatches: [Int] = [], passed = 0
        for c in Self.cases("validateAIs") {
            let ok = c.ok; guard let input = Optional(c.args[2]) else { continue }
            let r = ElementStringParser.parseBracketed(input, options: options(c.flags))
            if (try? r.get()) != nil ? ok : !ok { passed += 1 } else { mismatches.append(c.line) }
        }
        print("validateAIs: \(passed) agree, differ at lines \(mismatches)")
        #expect(passed >= 77)
        #expect(mismatches == [])
    }

    @Test func parseDLuri() {
        var mismatches: [Int] = [], passed = 0
        for c in Self.cases("parseDLuri") {
            let ok = c.ok; guard let uri = Optional(c.args[1]), let expected = Optional(c.args[2]) else { continue }
            let r = DigitalLink.parse(uri, options: options(c.flags))
            let same: Bool
            switch r {
            case .success(let es): same = ok && Self.engineRaw(es) == expected
            case .failure: same = !ok
            }
            if same { passed += 1 } else { mismatches.append(c.line) }
        }
        print("parseDLuri: \(passed) agree, differ at lines \(mismatches)")
        #expect(passed >= 100)
        #expect(mismatches == SyntaxEngineVectorTests.dlDifferences)
    }

    @Test func processScanData() {
        var mismatches: [Int] = [], passed = 0
        let decoder = ScanDecoder(options: options([:]))
        for c in Self.cases("testProcessScanData") {
            let ok = c.ok; guard let scan = Optional(c.args[1]), let expected = Optional(c.args[3]) else { continue }
            let r = decoder.decode(Array(scan.utf8))
            let same: Bool
            switch r {
            case .success(let d):
                if let es = d.elements, expected.hasPrefix("^") {
                    same = ok && Self.engineRaw(es) == expected
                } else {
                    same = ok
                }
            case .failure: same = !ok
            }
            if same { passed += 1 } else { mismatches.append(c.line) }
        }
        print("testProcessScanData: \(passed) agree, differ at lines \(mismatches)")
        #expect(passed >= 45)
        #expect(mismatches == SyntaxEngineVectorTests.scanDifferences)
    }

    @Test func linters() {
        var mismatches: [String: [Int]] = [:], passed: [String: Int] = [:]
        let ctx = LintContext(currentYear: Self.engineYear)
        for c in Self.cases("lint") {
            guard let name = c.linter, let input = c.input, let pass = c.pass, let linter = Linter(rawValue: name) else {
                if let name = c.linter, !["cset82", "cset39", "cset64", "csetnumeric"].contains(name) {
                    Issue.record("linter \(name) has no implementation")
                }
                continue
            }
            let issue = Array(input.utf8).withUnsafeBufferPointer { Linting.check(linter, $0, ctx) }
            if (issue == nil) == pass { passed[name, default: 0] += 1 } else { mismatches[name, default: []].append(c.line) }
        }
        print("lint: \(passed.values.reduce(0, +)) agree over \(passed.count) linters; differ: \(mismatches)")
        #expect(passed.values.reduce(0, +) > 4800)
        #expect(mismatches == SyntaxEngineVectorTests.lintDifferences)
    }

    @Test func characterSets() {
        var mismatches: [Int] = [], passed = 0
        let sets: [String: AICharacterSet] = ["cset82": .cset82, "cset39": .cset39, "cset64": .cset64, "csetnumeric": .numeric]
        for c in Self.cases("lint") {
            guard let name = c.linter, let set = sets[name], let input = c.input, let pass = c.pass else { continue }
            let bad = Array(input.utf8).withUnsafeBufferPointer { CharacterSets.firstInvalid($0, set) }
            if (bad == nil) == pass { passed += 1 } else { mismatches.append(c.line) }
        }
        print("character sets: \(passed) agree, differ at lines \(mismatches)")
        #expect(passed > 800)
        #expect(mismatches == [])
    }

    /// Deliberate differences from the engine's linter tests: these coupon
    /// cases install a mock GS1 Company Prefix lookup that rejects the
    /// prefix; we have no GCP lookup (it needs GS1's online data), so the
    /// same structurally valid coupons pass here.
    static let lintDifferences: [String: [Int]] = ["couponcode": [1431, 1433, 1438, 1441, 1446, 1449, 1454, 1457]]
    /// Deliberate differences from the engine, by source line in dl.c:
    /// 1763 is the same URI and flags as 1764 with the opposite expectation
    /// (the C test sets a further option between them that the extraction
    /// did not capture); we follow 1764 and accept (89) with permitUnknownAIs.
    static let dlDifferences: [Int] = [1763]
    /// Deliberate differences from the engine, by source line in scandata.c:
    /// 844 "ABC" without an AIM identifier: scanners are often configured not
    ///     to send one, so we decode it as plain data (kind unknown).
    /// 847 "]XX": a well-formed identifier of a symbology we do not know is
    ///     plain data to us, not an error.
    /// 930 "]E0" + 12 digits: some scanners send UPC-A as 12 digits under ]E0;
    ///     we accept it when the check digit is right.
    static let scanDifferences: [Int] = [844, 847, 930]
}
