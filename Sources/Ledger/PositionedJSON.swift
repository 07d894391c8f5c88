/// A small JSON parser that remembers where each value starts, so import
/// errors can name file:line:column. Master-data files are small; the posting
/// stream uses Foundation's parser per line instead.
public struct SourcePosition: Sendable, Equatable {
    public var line: Int
    public var column: Int
}

public indirect enum JSONNode: Sendable {
    case object([(String, PositionedJSON)])
    case array([PositionedJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null
}

public struct PositionedJSON: Sendable {
    public var node: JSONNode
    public var position: SourcePosition

    public struct ParseError: Error, Sendable {
        public var position: SourcePosition
        public var message: String
    }

    public static func parse(_ text: String) throws(ParseError) -> PositionedJSON {
        var p = Parser(bytes: Array(text.utf8))
        let value = try p.value(depth: 0)
        p.skipSpace()
        if p.i < p.bytes.count { throw p.error("unexpected text after the JSON value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        var lineStart = 0

        var position: SourcePosition { SourcePosition(line: line, column: i - lineStart + 1) }
        func error(_ m: String) -> ParseError { ParseError(position: position, message: m) }

        mutating func skipSpace() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x09, 0x0D: i += 1
                case 0x0A: i += 1; line += 1; lineStart = i
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(ParseError) -> PositionedJSON {
            guard depth < 64 else { throw error("JSON nested too deeply") }
            skipSpace()
            let start = position
            guard i < bytes.count else { throw error("unexpected end of file, expected a value") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var fields: [(String, PositionedJSON)] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return PositionedJSON(node: .object(fields), position: start) }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
                    let key = try string()
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
                    i += 1
                    fields.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < bytes.count else { throw error("unexpected end of file inside an object") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return PositionedJSON(node: .object(fields), position: start) }
                    throw error("expected ',' or '}' in an object")
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [PositionedJSON] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return PositionedJSON(node: .array(items), position: start) }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < bytes.count else { throw error("unexpected end of file inside an array") }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return PositionedJSON(node: .array(items), position: start) }
                    throw error("expected ',' or ']' in an array")
                }
            case UInt8(ascii: "\""):
                return PositionedJSON(node: .string(try string()), position: start)
            case UInt8(ascii: "t"): try literal("true"); return PositionedJSON(node: .bool(true), position: start)
            case UInt8(ascii: "f"): try literal("false"); return PositionedJSON(node: .bool(false), position: start)
            case UInt8(ascii: "n"): try literal("null"); return PositionedJSON(node: .null, position: start)
            default:
                let from = i
                while i < bytes.count, let c = Optional(bytes[i]), (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { i += 1 }
                guard i > from else { throw error("unexpected character, expected a JSON value") }
                return PositionedJSON(node: .number(String(decoding: bytes[from..<i], as: UTF8.self)), position: start)
            }
        }

        mutating func literal(_ word: String) throws(ParseError) {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw error("expected '\(word)'") }
            i += w.count
        }

        mutating func string() throws(ParseError) -> String {
            i += 1 // opening quote
            var out: [UInt8] = []
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
                if c == 0x0A || c < 0x20 { throw error("control character inside a string") }
                if c == UInt8(ascii: "\\") {
                    guard i + 1 < bytes.count else { break }
                    let e = bytes[i + 1]
                    i += 2
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                            throw error("bad \\u escape")
                        }
                        i += 4
                        out.append(contentsOf: Array(String(Unicode.Scalar(v).map { Character($0) } ?? "\u{FFFD}").utf8))
                    default: out.append(e)
                    }
                    continue
                }
                out.append(c)
                i += 1
            }
            throw error("unterminated string")
        }
    }
}
