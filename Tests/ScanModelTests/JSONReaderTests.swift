import Foundation
import Testing
import ScanModel

/// The one JSON reader: strict RFC 8259, positions on every value, errors as file:line:column.
@Suite struct JSONReaderTests {
    func parse(_ text: String) throws -> JSONNode { try JSONReader.parse(text, file: "t.json") }

    /// The error text for `text`, or "accepted".
    func error(_ text: String, maxDepth: Int = JSONReader.defaultMaxDepth) -> String {
        do { _ = try JSONReader.parse(text, file: "t.json", maxDepth: maxDepth); return "accepted" } catch { return error.description }
    }

    func string(_ literal: String) throws -> String {
        guard case .string(let s) = try parse(literal).value else { Issue.record("not a string"); return "" }
        return s
    }

    @Test func escapesDecode() throws {
        #expect(try string(#""a\"b\\c\/d\be\ff\ng\rh\ti""#) == "a\"b\\c/d\u{8}e\u{C}f\ng\rh\ti")
        #expect(try string(#""\u00e9\u00C9\u0000""#) == "éÉ\u{0}")
        #expect(try string(#""plain ünïcödé ✓""#) == "plain ünïcödé ✓")
    }

    @Test func surrogatePairsDecodeToOneScalar() throws {
        #expect(try string(#""\uD83D\uDCE6 box""#) == "\u{1F4E6} box")
        #expect(try string(#""x\ud834\udd1ey""#) == "x\u{1D11E}y")
    }

    @Test func loneSurrogatesAreErrors() {
        #expect(error(#""\uD83D""#).hasPrefix("t.json:1:2: lone high surrogate"))
        #expect(error(#""\uD83Dx""#).hasPrefix("t.json:1:2: lone high surrogate"))
        #expect(error(#""\uD83D\u0041""#).hasPrefix("t.json:1:2: lone high surrogate"))
        #expect(error(#""ab\uDCE6""#).hasPrefix("t.json:1:4: lone low surrogate"))
    }

    @Test func badEscapesAndControlsAreErrors() {
        #expect(error(#""\x41""#).hasPrefix("t.json:1:2: unknown escape"))
        #expect(error(#""\u12G4""#).hasPrefix(#"t.json:1:6: \u needs four hex digits"#))
        #expect(error("\"tab\there\"").hasPrefix("t.json:1:5: control character"))
        #expect(error("\"open").hasPrefix("t.json:1:6: unterminated string"))
    }

    @Test func aMissingCommaOrBracketIsNamed() {
        #expect(error(#"{"a": 1 "b": 2}"#) == "t.json:1:9: expected ',' or '}' after a member")
        #expect(error(#"{"a": 1"#) == "t.json:1:8: unexpected end of input, expected ',' or '}'")
        #expect(error("[1 2]") == "t.json:1:4: expected ',' or ']' after an element")
        #expect(error("[1, 2") == "t.json:1:6: unexpected end of input, expected ',' or ']'")
        #expect(error(#"{"a": [1], "b": {}}"#) == "accepted")
    }

    @Test func invalidUTF8IsAnError() {
        var bytes = Array(#"{"a": "x"#.utf8)
        bytes += [0xC3, 0x28] // a lead byte without its continuation
        bytes += Array(#""}"#.utf8)
        do {
            _ = try JSONReader.parse(bytes, file: "t.json")
            Issue.record("invalid UTF-8 accepted")
        } catch {
            #expect(error.description.hasPrefix("t.json:1:9: invalid UTF-8 byte 0xC3"))
        }
    }

    @Test func trailingCommasCommentsAndLeadingZerosAreRefused() {
        #expect(error("{\"a\": 1,}") == "t.json:1:9: trailing comma before '}'")
        #expect(error("[1, 2,\n]") == "t.json:2:1: trailing comma before ']'")
        #expect(error("[1, // two\n 2]").hasPrefix("t.json:1:5: comments are not JSON"))
        #expect(error("[01]") == "t.json:1:3: leading zeros are not allowed in numbers")
        #expect(error("[-]").hasPrefix("t.json:1:3: expected a digit"))
        #expect(error("[1.]").hasPrefix("t.json:1:4: expected a digit after the decimal point"))
        #expect(error("[1e]").hasPrefix("t.json:1:4: expected a digit in the exponent"))
        #expect(error("[+1]").hasPrefix("t.json:1:2: unexpected '+'"))
        #expect(error("[.5]").hasPrefix("t.json:1:2: unexpected '.'"))
        #expect(error("[tru]").hasPrefix("t.json:1:2: invalid literal"))
        #expect(error("{} x") == "t.json:1:4: unexpected text after the JSON value")
        #expect(error("") == "t.json:1:1: unexpected end of input, expected a value")
        #expect(error("{'a': 1}").hasPrefix("t.json:1:2: expected a quoted key"))
    }

    @Test func numbersKeepTheirText() throws {
        guard case .array(let items) = try parse("[0, -0, 12, -3.25, 1e3, 2E-2, 6.02e+23, 123456789012345678901234567890, 9223372036854775807]").value else {
            Issue.record("not an array"); return
        }
        let numbers = items.compactMap { node -> JSONNumber? in if case .number(let n) = node.value { return n } else { return nil } }
        #expect(numbers.map(\.text) == ["0", "-0", "12", "-3.25", "1e3", "2E-2", "6.02e+23", "123456789012345678901234567890", "9223372036854775807"])
        #expect(numbers[2].int64 == 12 && numbers[3].int64 == nil && numbers[4].int64 == nil)
        #expect(numbers[4].double == 1000 && numbers[5].double == 0.02)
        #expect(numbers[7].isInteger && numbers[7].int64 == nil) // too big for 64 bits, still read
        #expect(numbers[8].int64 == Int64.max)
    }

    @Test func duplicateKeysAreErrorsAtTheSecondKey() {
        #expect(error("{\n  \"a\": 1,\n  \"a\": 2\n}") == "t.json:3:3: duplicate key \"a\" (first at 2:3)")
        #expect(error(#"{"a": {"b": 1}, "c": {"b": 2}}"#) == "accepted") // same key in different objects is fine
        // Large objects switch to a set: still found, still pointing at both.
        let many = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        #expect(error("{\(many)}") == "accepted")
        #expect(error("{\(many), \"k3\": 0}").hasSuffix("duplicate key \"k3\" (first at 1:29)"))
        #expect(error("{\(many), \"k39\": 0}").hasSuffix("duplicate key \"k39\" (first at 1:411)"))
    }

    @Test func nestingDeeperThanTheLimitIsRefused() {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(error(ok) == "accepted")
        #expect(error(deep) == "t.json:1:65: nested deeper than 64 levels")
        #expect(error(#"{"a": {"b": {}}}"#, maxDepth: 2) == "t.json:1:13: nested deeper than 2 levels")
        // A hostile document cannot overflow the stack.
        #expect(error(String(repeating: "[", count: 100_000)).hasSuffix("nested deeper than 64 levels"))
    }

    @Test func positionsCountLinesAndScalarColumns() throws {
        let root = try parse("\u{FEFF}{\n  \"ü\": \"é\",\n\t\"n\": [1,\r\n  true]\n}")
        guard case .object(let members) = root.value else { Issue.record("not an object"); return }
        #expect(root.position == SourcePosition(line: 1, column: 1))
        #expect(members.map(\.key) == ["ü", "n"]) // file order kept
        #expect(members[0].keyPosition == SourcePosition(line: 2, column: 3))
        #expect(members[0].value.position == SourcePosition(line: 2, column: 8))
        #expect(members[1].value.position == SourcePosition(line: 3, column: 7))
        guard case .array(let items) = members[1].value.value else { Issue.record("not an array"); return }
        #expect(items[1].position == SourcePosition(line: 4, column: 3))
    }

    @Test func writerRoundTripsWhatTheReaderReads() throws {
        let text = "{\"b\": [1, -2.5e3, true, null, \"x\\u00e9\\n\\uD83D\\uDCE6\\u007f/\"], \"a\": {\"\\\"q\": {}}, \"e\": []}"
        let once = JSONText.encode(try parse(text).value)
        #expect(once == #"{"b":[1,-2.5e3,true,null,"xé\n📦\u007f/"],"a":{"\"q":{}},"e":[]}"#)
        #expect(JSONText.encode(try parse(once).value) == once)
    }

    @Test func agreesWithFoundationOnValidDocuments() throws {
        let text = #"{"k": "a\u00e9\n\uD83D\uDCE6", "n": [1, -2.5, 3e2, true, false, null], "o": {}}"#
        let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let ours = try parse(text)
        guard case .string(let s) = ours["k"]?.value else { Issue.record("k is not a string"); return }
        #expect(s == foundation?["k"] as? String)
    }
}

/// The typed accessors: wrong types, missing and unknown keys name file:line:column and the key path.
@Suite struct JSONCursorTests {
    let document = """
        {
          "a": {
            "b": [1, 2, {"c": [true]}],
            "s": "text"
          }
        }
        """

    func root() throws -> JSONCursor { try JSONCursor.parse(Array(document.utf8), file: "cfg.json") }

    @Test func wrongTypeNamesKeyPathAndPosition() throws {
        let c = try root().required("a").required("b").array()[2].required("c")
        #expect(c.keyPath == "a.b[2].c")
        #expect(throws: TextError(file: "cfg.json", position: SourcePosition(line: 3, column: 23), keyPath: "a.b[2].c",
                                  message: "expected a string, got an array")) { try c.string() }
        do { _ = try c.string() } catch {
            #expect(error.description == "cfg.json:3:23: key path a.b[2].c: expected a string, got an array")
        }
    }

    @Test func typedValues() throws {
        let a = try root().required("a")
        #expect(try a.required("s").string() == "text")
        #expect(try a.required("b").array()[1].int(in: 0...9) == 2)
        #expect(try a.required("b").array()[0].double(in: 0...9) == 1)
        #expect(try a.required("b").array()[2].required("c").array()[0].bool() == true)
        #expect(try a.optional("missing") == nil)
        #expect(try a.required("s").oneOf(["text", "json"]) == "text")
    }

    @Test func missingAndUnknownKeys() throws {
        let a = try root().required("a")
        #expect(throws: TextError(file: "cfg.json", position: SourcePosition(line: 2, column: 8), keyPath: "a.x", message: "missing (required)")) {
            try a.required("x")
        }
        #expect(throws: TextError(file: "cfg.json", position: SourcePosition(line: 4, column: 5), keyPath: "a.s",
                                  message: "unknown key (known here: b)")) { try a.rejectUnknownKeys(allowed: ["b"]) }
        #expect(throws: TextError.self) { try a.required("b").array()[0].int(in: 5...9) }
        #expect(throws: TextError.self) { try a.required("s").int(in: 0...9) }
        #expect(throws: TextError.self) { try a.required("s").members() }
    }
}
