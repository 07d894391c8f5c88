/// An import problem at a precise place: "asn.csv:12:7: qty must be …".
public struct ImportError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// A piece of text and where it started (1-based line and column, columns in characters).
struct Positioned<T> {
    var value: T
    var line: Int
    var column: Int
}

/// Walks UTF-8 bytes keeping line and column, so errors can point at the spot.
struct ByteCursor {
    let bytes: [UInt8]
    var index = 0
    var line = 1
    var column = 1

    init(_ bytes: [UInt8]) {
        // A UTF-8 byte order mark is not content.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { self.bytes = Array(bytes.dropFirst(3)) } else { self.bytes = bytes }
    }
    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func advance() {
        guard index < bytes.count else { return }
        let b = bytes[index]
        index += 1
        if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
    }
}

/// RFC 4180 CSV: comma separated, double quotes with "" escapes, CRLF or LF.
enum CSVReader {
    /// Rows of fields; blank lines are skipped.
    static func rows(_ data: [UInt8], file: String) throws -> [[Positioned<String>]] {
        var c = ByteCursor(data)
        var rows: [[Positioned<String>]] = []
        var row: [Positioned<String>] = []
        while !c.atEnd {
            let startLine = c.line, startColumn = c.column
            var field: [UInt8] = []
            if c.peek == UInt8(ascii: "\"") {
                c.advance()
                var closed = false
                while let b = c.peek {
                    c.advance()
                    if b == UInt8(ascii: "\"") {
                        if c.peek == UInt8(ascii: "\"") { field.append(b); c.advance() } else { closed = true; break }
                    } else { field.append(b) }
                }
                if !closed { throw ImportError(file: file, line: startLine, column: startColumn, message: "quoted field is never closed") }
                if let b = c.peek, b != UInt8(ascii: ","), b != 0x0A, b != 0x0D {
                    throw ImportError(file: file, line: c.line, column: c.column, message: "unexpected character after a closing quote")
                }
            } else {
                while let b = c.peek, b != UInt8(ascii: ","), b != 0x0A, b != 0x0D {
                    if b == UInt8(ascii: "\"") {
                        throw ImportError(file: file, line: c.line, column: c.column, message: "quote inside an unquoted field (quote the whole field)")
                    }
                    field.append(b); c.advance()
                }
            }
            guard let text = String(validating: field, as: UTF8.self) else {
                throw ImportError(file: file, line: startLine, column: startColumn, message: "field is not valid UTF-8")
            }
            row.append(Positioned(value: text, line: startLine, column: startColumn))
            switch c.peek {
            case UInt8(ascii: ","): c.advance()
                if c.atEnd { row.append(Positioned(value: "", line: c.line, column: c.column)) }
            case 0x0D, 0x0A, nil:
                if c.peek == 0x0D { c.advance() }
                if c.peek == 0x0A { c.advance() }
                if !(row.count == 1 && row[0].value.isEmpty) { rows.append(row) }
                row = []
            default: break
            }
        }
        if !row.isEmpty && !(row.count == 1 && row[0].value.isEmpty) { rows.append(row) }
        return rows
    }
}

/// A JSON value with the position where it starts.
indirect enum JSONNode {
    case object([(key: Positioned<String>, value: Positioned<JSONNode>)])
    case array([Positioned<JSONNode>])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    var kindName: String {
        switch self {
        case .object: return "an object"; case .array: return "an array"; case .string: return "a string"
        case .number: return "a number"; case .bool: return "true/false"; case .null: return "null"
        }
    }
}

/// A small JSON parser that remembers positions (JSONSerialization does not),
/// so semantic errors can name file:line:column.
struct JSONReader {
    private var c: ByteCursor
    private let file: String
    private var depth = 0

    static func parse(_ data: [UInt8], file: String) throws -> Positioned<JSONNode> {
        var r = JSONReader(c: ByteCursor(data), file: file)
        let v = try r.value()
        r.skipSpace()
        if !r.c.atEnd { throw r.fail("unexpected text after the JSON value") }
        return v
    }

    private init(c: ByteCursor, file: String) { self.c = c; self.file = file }

    private func fail(_ message: String) -> ImportError {
        ImportError(file: file, line: c.line, column: c.column, message: message)
    }

    private mutating func skipSpace() {
        while let b = c.peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { c.advance() }
    }

    private mutating func expect(_ literal: String) throws {
        for b in literal.utf8 {
            guard c.peek == b else { throw fail("invalid literal, expected \(literal)") }
            c.advance()
        }
    }

    private mutating func value() throws -> Positioned<JSONNode> {
        skipSpace()
        let line = c.line, column = c.column
        guard let b = c.peek else { throw fail("unexpected end of file, a value was expected") }
        depth += 1
        defer { depth -= 1 }
        if depth > 64 { throw fail("nesting deeper than 64 levels") }
        let node: JSONNode
        switch b {
        case UInt8(ascii: "{"):
            c.advance()
            var members: [(key: Positioned<String>, value: Positioned<JSONNode>)] = []
            skipSpace()
            if c.peek == UInt8(ascii: "}") { c.advance(); node = .object(members); break }
            while true {
                skipSpace()
                let kl = c.line, kc = c.column
                guard c.peek == UInt8(ascii: "\"") else { throw fail("a quoted member name was expected") }
                let key = try string()
                skipSpace()
                guard c.peek == UInt8(ascii: ":") else { throw fail("':' was expected after member name") }
                c.advance()
                members.append((Positioned(value: key, line: kl, column: kc), try value()))
                skipSpace()
                if c.peek == UInt8(ascii: ",") { c.advance(); continue }
                if c.peek == UInt8(ascii: "}") { c.advance(); break }
                throw fail("',' or '}' was expected")
            }
            node = .object(members)
        case UInt8(ascii: "["):
            c.advance()
            var items: [Positioned<JSONNode>] = []
            skipSpace()
            if c.peek == UInt8(ascii: "]") { c.advance(); node = .array(items); break }
            while true {
                items.append(try value())
                skipSpace()
                if c.peek == UInt8(ascii: ",") { c.advance(); continue }
                if c.peek == UInt8(ascii: "]") { c.advance(); break }
                throw fail("',' or ']' was expected")
            }
            node = .array(items)
        case UInt8(ascii: "\""): node = .string(try string())
        case UInt8(ascii: "t"): try expect("true"); node = .bool(true)
        case UInt8(ascii: "f"): try expect("false"); node = .bool(false)
        case UInt8(ascii: "n"): try expect("null"); node = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var digits: [UInt8] = []
            while let d = c.peek, d == UInt8(ascii: "-") || d == UInt8(ascii: "+") || d == UInt8(ascii: ".")
                    || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") || (d >= 0x30 && d <= 0x39) {
                digits.append(d); c.advance()
            }
            node = .number(String(decoding: digits, as: UTF8.self))
        default: throw fail("unexpected character, a JSON value was expected")
        }
        return Positioned(value: node, line: line, column: column)
    }

    private mutating func string() throws -> String {
        c.advance()  // opening quote
        var out: [UInt8] = []
        while true {
            guard let b = c.peek else { throw fail("string is never closed") }
            if b < 0x20 { throw fail("control character inside a string") }
            c.advance()
            if b == UInt8(ascii: "\"") { break }
            if b != UInt8(ascii: "\\") { out.append(b); continue }
            guard let e = c.peek else { throw fail("string is never closed") }
            c.advance()
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var v: UInt32 = 0
                for _ in 0..<4 {
                    guard let h = c.peek, let d = EPCHex.value(h) else { throw fail("\\u needs four hex digits") }
                    v = v << 4 | UInt32(d); c.advance()
                }
                // Surrogate pairs are rare in ASN data; a lone surrogate becomes U+FFFD.
                let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw fail("unknown escape \\\(Character(Unicode.Scalar(e)))")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
        return s
    }
}

enum EPCHex {
    static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
