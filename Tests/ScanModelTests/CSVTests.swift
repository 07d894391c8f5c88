import Testing
import ScanModel

/// The one CSV reader and writer (RFC 4180), errors as file:line:column.
@Suite struct CSVTests {
    func values(_ text: String) throws -> [[String]] { try CSV.rows(text, file: "t.csv").map { $0.map(\.value) } }

    func error(_ bytes: [UInt8]) -> String {
        do { _ = try CSV.rows(bytes, file: "t.csv"); return "accepted" } catch { return error.description }
    }
    func error(_ text: String) -> String { error(Array(text.utf8)) }

    @Test func quotesDoubledQuotesAndLineEnds() throws {
        #expect(try values("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n") == [["a", "b"], ["x, y", "say \"hi\""]])
        #expect(try values("a\rb\n\nc,\n") == [["a"], ["b"], ["c", ""]])
        #expect(try values("\"multi\nline\",z\nlast") == [["multi\nline", "z"], ["last"]])
        #expect(try values("a,b,") == [["a", "b", ""]])
        #expect(try values("") == [])
    }

    @Test func byteOrderMarkIsStrippedAndPositionsCountScalars() throws {
        let rows = try CSV.rows("\u{FEFF}é,b\r\n\"q\nq\",ü,z", file: "t.csv")
        #expect(rows[0][0].value == "é" && rows[0][0].position == SourcePosition(line: 1, column: 1))
        #expect(rows[0][1].position == SourcePosition(line: 1, column: 3))
        #expect(rows[1][0].position == SourcePosition(line: 2, column: 1))
        #expect(rows[1][1].position == SourcePosition(line: 3, column: 4))
        #expect(rows[1][2].position == SourcePosition(line: 3, column: 6))
    }

    @Test func invalidUTF8IsAnErrorWithLineAndColumn() {
        #expect(error(Array("item,qty\nab".utf8) + [0xFF] + Array(",1\n".utf8)) == "t.csv:2:3: invalid UTF-8 byte 0xFF")
        #expect(error(Array("\"é".utf8) + [0xE2, 0x82] + Array("\"".utf8)) == "t.csv:1:3: invalid UTF-8 byte 0xE2")
    }

    @Test func strayQuotesAreErrorsWithLineAndColumn() {
        #expect(error("a,b\nab\"c,d\n") == "t.csv:2:3: quote inside an unquoted field (quote the whole field)")
        #expect(error("a,\"b\"x\n") == "t.csv:1:6: unexpected character after a closing quote")
        #expect(error("a\n\"open,b\n") == "t.csv:2:1: quoted field is never closed")
    }

    @Test func writerRoundTripsThroughTheReader() throws {
        let fields = ["plain", "com,ma", "quo\"te", "line\nbreak", "cr\rhere", "", "ünï"]
        #expect(CSV.field("plain") == "plain" && CSV.field("a\"b") == "\"a\"\"b\"")
        let text = CSV.record(fields) + CSV.record(["x"])
        #expect(try values(text) == [fields, ["x"]])
        // A first field starting with U+FEFF is quoted, so it is not read as a byte order mark.
        let bomField = ["\u{FEFF}a", "b"]
        #expect(try values(CSV.record(bomField)) == [bomField])
    }
}
