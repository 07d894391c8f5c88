/// The one JSON reader: strict RFC 8259 on UTF-8 bytes, with positions.
/// Refused, each with file:line:column: trailing commas, comments, leading
/// zeros, raw control characters in strings, unknown escapes, lone UTF-16
/// surrogates, invalid UTF-8, duplicate keys, text after the value, and
/// nesting deeper than `maxDepth`. A leading UTF-8 byte order mark is
/// skipped (RFC 8259 §8.1 allows ignoring it).
public enum JSONReader {
    public static let defaultMaxDepth = 64

    public static func parse(_ text: String, file: String, maxDepth: Int = defaultMaxDepth) throws(TextError) -> JSONNode {
        try parse(Array(text.utf8), file: file, maxDepth: maxDepth)
    }

    public static func parse(_ bytes: [UInt8], file: String, maxDepth: Int = defaultMaxDepth) throws(TextError) -> JSONNode {
        try bytes.withUnsafeBufferPointer { buffer throws(TextError) in try parse(buffer, file: file, maxDepth: maxDepth) }
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, file: String, maxDepth: Int = defaultMaxDepth) throws(TextError) -> JSONNode {
        var parser = JSONParser(bytes: bytes, file: file, maxDepth: maxDepth)
        let root = try parser.value(depth: 1)
        parser.skipSpace()
        if parser.index < bytes.count { throw parser.failure("unexpected text after the JSON value") }
        return root
    }
}

/// The recursive-descent parser behind `JSONReader`.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let file: String
    let maxDepth: Int
    var index: Int
    var lines: LineTracker

    init(bytes: UnsafeBufferPointer<UInt8>, file: String, maxDepth: Int) {
        self.bytes = bytes; self.file = file; self.maxDepth = maxDepth
        index = bytes.starts(with: utf8ByteOrderMark) ? 3 : 0
        lines = LineTracker(start: index)
    }

    mutating func position() -> SourcePosition { lines.position(of: index, in: bytes) }
    mutating func failure(_ message: String) -> TextError { TextError(file: file, position: position(), message: message) }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A: lines.newline(at: index); index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(TextError) -> JSONNode {
        skipSpace()
        let start = position()
        guard let b = peek else { throw failure("unexpected end of input, expected a value") }
        switch b {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth <= maxDepth else { throw failure("nested deeper than \(maxDepth) levels") }
            index += 1
            return JSONNode(b == UInt8(ascii: "{") ? try object(depth: depth) : try array(depth: depth), at: start)
        case UInt8(ascii: "\""): return JSONNode(.string(try string()), at: start)
        case UInt8(ascii: "t"): try literal("true"); return JSONNode(.bool(true), at: start)
        case UInt8(ascii: "f"): try literal("false"); return JSONNode(.bool(false), at: start)
        case UInt8(ascii: "n"): try literal("null"); return JSONNode(.null, at: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return JSONNode(.number(try number()), at: start)
        case UInt8(ascii: "/"): throw failure("comments are not JSON")
        default: throw failure("unexpected \(describe(b)), expected a value")
        }
    }

    private mutating func object(depth: Int) throws(TextError) -> JSONValue {
        var members: [JSONMember] = []
        // Duplicate keys: a linear scan while objects are small (the usual
        // case, and cheaper than hashing every key), a set once they are not.
        var seen: Set<String> = []
        skipSpace()
        if peek == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipSpace()
            let keyPosition = position()
            guard peek == UInt8(ascii: "\"") else {
                if !members.isEmpty, peek == UInt8(ascii: "}") { throw failure("trailing comma before '}'") }
                throw failure("expected a quoted key, found \(peek.map(describe) ?? "the end of input")")
            }
            let key = try string()
            if members.count >= 16 {
                if seen.isEmpty { seen = Set(members.map(\.key)) }
                if !seen.insert(key).inserted { throw duplicate(key, at: keyPosition, in: members) }
            } else if members.contains(where: { $0.key == key }) {
                throw duplicate(key, at: keyPosition, in: members)
            }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw failure("expected ':' after the key \(JSONText.quote(key))") }
            index += 1
            members.append(JSONMember(key: key, keyPosition: keyPosition, value: try value(depth: depth + 1)))
            if try closes("}", after: "a member") { return .object(members) }
        }
    }

    /// After a member or an element: true past the closing bracket, false
    /// past a comma (another one follows); anything else is an error.
    private mutating func closes(_ close: Unicode.Scalar, after what: String) throws(TextError) -> Bool {
        skipSpace()
        switch peek {
        case UInt8(ascii: ","): index += 1; return false
        case UInt8(ascii: close): index += 1; return true
        case nil: throw failure("unexpected end of input, expected ',' or '\(close)'")
        default: throw failure("expected ',' or '\(close)' after \(what)")
        }
    }

    private func duplicate(_ key: String, at position: SourcePosition, in members: [JSONMember]) -> TextError {
        let first = members.first { $0.key == key }?.keyPosition ?? position
        return TextError(file: file, position: position, message: "duplicate key \(JSONText.quote(key)) (first at \(first))")
    }

    private mutating func array(depth: Int) throws(TextError) -> JSONValue {
        var items: [JSONNode] = []
        skipSpace()
        if peek == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipSpace()
            if !items.isEmpty, peek == UInt8(ascii: "]") { throw failure("trailing comma before ']'") }
            items.append(try value(depth: depth + 1))
            if try closes("]", after: "an element") { return .array(items) }
        }
    }

    private mutating func literal(_ word: StaticString) throws(TextError) {
        let count = word.utf8CodeUnitCount
        for k in 0..<count where index + k >= bytes.count || bytes[index + k] != word.utf8Start[k] {
            throw failure("invalid literal, expected \(word)")
        }
        index += count
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func number() throws(TextError) -> JSONNumber {
        let from = index
        func digits(_ p: inout JSONParser) -> Int {
            let start = p.index
            while let d = p.peek, d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") { p.index += 1 }
            return p.index - start
        }
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { throw failure("expected a digit") }
        if first == UInt8(ascii: "0") {
            index += 1
            if let d = peek, d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") { throw failure("leading zeros are not allowed in numbers") }
        } else {
            _ = digits(&self)
        }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw failure("expected a digit after the decimal point") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw failure("expected a digit in the exponent") }
        }
        return JSONNumber(text: String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<index]), as: UTF8.self))
    }

    /// A string literal at `index` (on its opening quote), escapes decoded.
    mutating func string() throws(TextError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes, so the text is the bytes between the quotes.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") { break }
            try plainByte(b)
        }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") { index += 1; return String(decoding: out, as: UTF8.self) }
            if b == UInt8(ascii: "\\") { try escape(into: &out); continue }
            let from = index
            try plainByte(b)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<index]))
        }
        throw failure("unterminated string")
    }

    /// Steps over one unescaped scalar of a string, refusing controls and bad UTF-8.
    private mutating func plainByte(_ b: UInt8) throws(TextError) {
        if b < 0x20 { throw failure("control character \(describe(b)) inside a string (escape it)") }
        guard let length = bytes.utf8ScalarLength(at: index) else { throw failure("invalid UTF-8 byte 0x\(String(b, radix: 16, uppercase: true))") }
        index += length
    }

    /// Decodes the escape at `index` (on its backslash) into `out`.
    private mutating func escape(into out: inout [UInt8]) throws(TextError) {
        guard index + 1 < bytes.count else { throw failure("unterminated string") }
        let e = bytes[index + 1]
        if let byte = JSONEscapes.byte(forShortEscape: e) { out.append(byte); index += 2; return }
        guard e == UInt8(ascii: "u") else { throw failure("unknown escape \\\(describe(e))") }
        out.append(contentsOf: try unicodeEscape())
    }

    /// `\uXXXX`, or a surrogate pair `\uD83D\uDCE6`; a lone surrogate is an error.
    private mutating func unicodeEscape() throws(TextError) -> [UInt8] {
        let high = try hex4(at: index + 2)
        var scalarValue = high
        var length = 6
        if JSONEscapes.lowSurrogates.contains(high) { throw failure("lone low surrogate \\u\(hex(high))") }
        if JSONEscapes.highSurrogates.contains(high) {
            guard index + 7 < bytes.count, bytes[index + 6] == UInt8(ascii: "\\"), bytes[index + 7] == UInt8(ascii: "u"),
                  case let low = try hex4(at: index + 8), JSONEscapes.lowSurrogates.contains(low) else {
                throw failure("lone high surrogate \\u\(hex(high)) (a low surrogate \\uDC00-\\uDFFF must follow)")
            }
            scalarValue = JSONEscapes.scalar(high: high, low: low)
            length = 12
        }
        index += length
        // Every non-surrogate below 0x110000 is a scalar, so this cannot fail.
        return Array(String(Character(Unicode.Scalar(scalarValue) ?? "\u{FFFD}")).utf8)
    }

    private mutating func hex4(at from: Int) throws(TextError) -> UInt32 {
        var v: UInt32 = 0
        for k in from..<(from + 4) {
            guard k < bytes.count, let d = JSONEscapes.hexDigit(bytes[k]) else {
                index = min(k, bytes.count)
                throw failure("\\u needs four hex digits")
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    private func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    private func describe(_ b: UInt8) -> String {
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + (b < 0x10 ? "0" : "") + String(b, radix: 16, uppercase: true)
    }
}
