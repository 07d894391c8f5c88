import Testing
import ScanModel
@testable import Forwarding

/// The forwarder's fast payload reader and the kernel JSON reader must agree
/// on every strictly valid document: generated payloads in the ledger's
/// shape (escapes of every form, surrogate pairs, unknown members, odd
/// whitespace, key order shuffled), then the same bytes randomly mutated.
@Suite struct OutboxPayloadAgreementTests {
    @Test func generatedAndMutatedPayloadsAgree() {
        var g = PayloadGenerator(rng: SplitMix64(seed: 0x5CA7_1ED6))
        var strictMutants = 0, readable = 0
        for _ in 0..<2_000 {
            let text = g.document()
            let bytes = Array(text.utf8)
            let root: JSONNode
            do { root = try JSONReader.parse(bytes, file: "gen", maxDepth: 256) } catch {
                Issue.record("the generator wrote invalid JSON (\(error)): \(text)"); return
            }
            if OutboxPayloadAgreement.project(root) != nil { readable += 1 }
            if let d = OutboxPayloadAgreement.disagreement(bytes) { Issue.record("\(d)\n  payload: \(text)"); return }
            for _ in 0..<4 {
                let mutant = g.mutate(bytes)
                if (try? JSONReader.parse(mutant, file: "m", maxDepth: 256)) != nil { strictMutants += 1 }
                if let d = OutboxPayloadAgreement.disagreement(mutant) {
                    Issue.record("\(d)\n  payload: \(String(decoding: mutant, as: UTF8.self))"); return
                }
            }
        }
        // The check must not be vacuous: most payloads are readable, and many mutants are still valid JSON.
        #expect(readable > 1_200, "only \(readable) generated payloads had a readable shape")
        #expect(strictMutants > 500, "only \(strictMutants) mutants were valid JSON")
    }

    @Test func projectionStatesWhatTheFastReaderMustRead() throws {
        let root = try JSONReader.parse(#"{"kind":"receipt","x":[1,{"y":true}],"reverses":7,"ref":null,"entries":[{"qty":-3,"item":"A\u00e9","z":1.5}]}"#, file: "p")
        let p = try #require(OutboxPayloadAgreement.project(root))
        #expect(p.fields == ["kind": .text("receipt"), "reverses": .integer(7)])
        #expect(p.entries == [["qty": .integer(-3), "item": .text("Aé")]])
        // Shapes the fast reader cannot store are refused by both.
        for refused in [#"[1]"#, #"{"kind": 1.5}"#, #"{"ref": true}"#, #"{"entries": {}}"#, #"{"entries": [1]}"#, #"{"q": "\u0000"}"#] {
            #expect(OutboxPayloadAgreement.project(try JSONReader.parse(refused, file: "p")) == nil, "\(refused)")
            #expect(OutboxPayloadAgreement.disagreement(Array(refused.utf8)) == nil, "\(refused)")
        }
    }
}

/// Random payloads in the outbox shape, written with varied but valid JSON.
struct PayloadGenerator {
    var rng: SplitMix64

    static let pool: [Unicode.Scalar] = ["a", "Z", "0", "9", " ", "-", "/", "\"", "\\", "\n", "\t", "\u{8}", "\u{C}", "\r", "\u{1}", "\u{1F}", "\u{7F}",
                                         "é", "ß", "\u{2028}", "\u{FFFD}", "\u{1F4E6}", "\u{10FFFF}", "😀"]
    static let postingKeys = ["kind", "ref", "station", "device", "sscc", "time", "reverses"]
    static let entryKeys = ["location", "item", "lot", "serial", "epc", "expiry", "qty"]

    mutating func chance(_ n: Int) -> Bool { rng.below(n) == 0 }

    mutating func space() -> String { ["", "", "", " ", "\n  ", "\t", "\r\n"][rng.below(7)] }

    /// A string literal, each scalar written raw, short-escaped or \u-escaped (surrogate pairs above the BMP).
    mutating func quoted() -> String {
        var out = "\""
        if chance(300) { out += "\\u0000" } // refused by the fast reader: PostgreSQL text cannot hold it
        for _ in 0..<rng.below(8) {
            let c = Self.pool[rng.below(Self.pool.count)]
            let mustEscape = c.value < 0x20 || c == "\"" || c == "\\"
            if mustEscape || chance(4) {
                if !mustEscape || chance(2) {
                    out += unicodeEscape(c)
                } else {
                    let short: [UInt32: String] = [0x08: "\\b", 0x0C: "\\f"]
                    out += short[c.value] ?? String(JSONText.quote(String(c)).dropFirst().dropLast())
                }
            } else if c == "/" && chance(2) {
                out += "\\/"
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    mutating func unicodeEscape(_ c: Unicode.Scalar) -> String {
        func hex(_ v: UInt32) -> String {
            let s = String(v, radix: 16, uppercase: chance(2))
            return "\\u" + String(repeating: "0", count: 4 - s.count) + s
        }
        guard c.value > 0xFFFF else { return hex(c.value) }
        let v = c.value - 0x10000
        return hex(0xD800 + (v >> 10)) + hex(0xDC00 + (v & 0x3FF))
    }

    /// Mostly what the ledger writes (strings, integers, null), sometimes a shape the reader refuses.
    mutating func scalar() -> String {
        if chance(300) { return ["1.5", "true", "[]", "2e3", "99999999999999999999"][rng.below(5)] }
        switch rng.below(20) {
        case 0: return "null"
        case 1: return String(Int64.min)
        case 2: return String(Int64.max)
        case 5, 6, 7: return String(Int64(rng.below(2_000_001)) - 1_000_000)
        default: return quoted()
        }
    }

    mutating func anyValue(depth: Int) -> String {
        switch depth > 3 ? rng.below(4) : rng.below(6) {
        case 0: return scalar()
        case 1: return ["true", "false", "null", "-0", "2e10", "0.25E-3"][rng.below(6)]
        case 2, 3: return quoted()
        case 4: return "[" + (0..<rng.below(3)).map { _ in space() + anyValue(depth: depth + 1) }.joined(separator: ",") + "]"
        // Keys distinct after decoding: "k0", sometimes written as "\u006b0".
        default: return object((0..<rng.below(3)).map { i in (chance(3) ? "\"\\u006b\(i)\"" : "\"k\(i)\"", anyValue(depth: depth + 1)) })
        }
    }

    mutating func object(_ members: [(String, String)]) -> String {
        var parts: [String] = []
        for (key, value) in members { parts.append(space() + key + space() + ":" + space() + value + space()) }
        return "{" + parts.joined(separator: ",") + space() + "}"
    }

    mutating func fields(_ keys: [String], extra: Int) -> [(String, String)] {
        var members: [(String, String)] = []
        // Known keys sometimes \u-escaped: the fast reader decodes keys too.
        for key in keys where !chance(4) { members.append((chance(5) ? "\"\\u00\(String(key.utf8.first!, radix: 16))\(key.dropFirst())\"" : JSONText.quote(key), scalar())) }
        for i in 0..<rng.below(extra + 1) { members.append((JSONText.quote("x\(i)"), anyValue(depth: 1))) }
        return members.shuffled(using: &rng)
    }

    mutating func document() -> String {
        var members = fields(Self.postingKeys, extra: 2)
        if !chance(6) {
            let entries = (0..<rng.below(4)).map { _ in object(fields(Self.entryKeys, extra: 1)) }
            members.insert((JSONText.quote("entries"), chance(10) ? "null" : "[" + entries.joined(separator: ",") + "]"),
                           at: rng.below(members.count + 1))
        }
        return space() + object(members) + space()
    }

    /// One random edit: change, delete, insert or duplicate bytes.
    mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        let significant = Array(#"{}[],:"\u0123456789-+.eE truefalsenull/"#.utf8) + [0x00, 0x0A, 0xC3, 0xED, 0xFF]
        let at = rng.below(b.count + 1)
        switch rng.below(4) {
        case 0 where at < b.count: b[at] = significant[rng.below(significant.count)]
        case 1 where at < b.count: b.remove(at: at)
        case 2: b.insert(significant[rng.below(significant.count)], at: at)
        default:
            let from = rng.below(b.count), length = min(rng.below(8) + 1, b.count - from)
            b.insert(contentsOf: b[from..<(from + length)], at: at)
        }
        return b
    }
}
