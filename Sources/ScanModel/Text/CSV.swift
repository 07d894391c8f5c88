/// The one CSV reader and writer (RFC 4180): comma separated, fields in
/// double quotes with `""` for a quote, records ended by CRLF, LF or CR.
/// A leading UTF-8 byte order mark is skipped. Refused, each with
/// file:line:column: invalid UTF-8, a quote inside an unquoted field, text
/// after a closing quote, and a quoted field that never closes.
public enum CSV {
    /// Rows of fields with where each field starts; blank lines are skipped.
    public static func rows(_ bytes: [UInt8], file: String) throws(TextError) -> [[Positioned<String>]] {
        try bytes.withUnsafeBufferPointer { buffer throws(TextError) in
            var reader = CSVRecordReader(bytes: buffer, file: file)
            return try reader.rows()
        }
    }

    public static func rows(_ text: String, file: String) throws(TextError) -> [[Positioned<String>]] {
        try rows(Array(text.utf8), file: file)
    }

    /// One field, quoted only when it holds a comma, quote or line break, or
    /// starts with U+FEFF (a reader would take it for a byte order mark).
    public static func field(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D })
                || s.unicodeScalars.first == "\u{FEFF}" else { return s }
        var out = "\""
        for c in s.unicodeScalars {
            if c == "\"" { out += "\"\"" } else { out.unicodeScalars.append(c) }
        }
        return out + "\""
    }

    /// One record with its line end (LF).
    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }
}

/// The byte walker behind `CSV.rows`.
struct CSVRecordReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let file: String
    var index: Int
    var lines: LineTracker

    init(bytes: UnsafeBufferPointer<UInt8>, file: String) {
        self.bytes = bytes; self.file = file
        index = bytes.starts(with: utf8ByteOrderMark) ? 3 : 0
        lines = LineTracker(start: index)
    }

    mutating func failure(_ message: String, at position: SourcePosition? = nil) -> TextError {
        TextError(file: file, position: position ?? lines.position(of: index, in: bytes), message: message)
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    static func endsField(_ b: UInt8) -> Bool { b == UInt8(ascii: ",") || b == 0x0A || b == 0x0D }

    mutating func rows() throws(TextError) -> [[Positioned<String>]] {
        var rows: [[Positioned<String>]] = []
        var row: [Positioned<String>] = []
        while index < bytes.count {
            row.append(try field())
            switch peek {
            case UInt8(ascii: ","):
                index += 1
                // A comma at the very end still ends a (last, empty) field.
                if index == bytes.count { row.append(Positioned("", at: lines.position(of: index, in: bytes))) }
            default:
                // End of record: CRLF, LF, a lone CR, or the end of input.
                if peek == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                if let b = peek, b == 0x0A || b == 0x0D { lines.newline(at: index); index += 1 }
                if !(row.count == 1 && row[0].value.isEmpty) { rows.append(row) }
                row = []
            }
        }
        if !row.isEmpty && !(row.count == 1 && row[0].value.isEmpty) { rows.append(row) }
        return rows
    }

    private mutating func field() throws(TextError) -> Positioned<String> {
        let start = lines.position(of: index, in: bytes)
        var out: [UInt8] = []
        guard peek == UInt8(ascii: "\"") else {
            while let b = peek, !Self.endsField(b) {
                if b == UInt8(ascii: "\"") { throw failure("quote inside an unquoted field (quote the whole field)") }
                try scalar(into: &out)
            }
            return Positioned(String(decoding: out, as: UTF8.self), at: start)
        }
        index += 1
        while true {
            guard let b = peek else { throw failure("quoted field is never closed", at: start) }
            if b == UInt8(ascii: "\"") {
                index += 1
                if peek == UInt8(ascii: "\"") { out.append(b); index += 1; continue }
                break
            }
            if b == 0x0A { lines.newline(at: index) }
            try scalar(into: &out)
        }
        if let b = peek, !Self.endsField(b) { throw failure("unexpected character after a closing quote") }
        return Positioned(String(decoding: out, as: UTF8.self), at: start)
    }

    /// Copies one UTF-8 scalar, refusing invalid bytes where they are.
    private mutating func scalar(into out: inout [UInt8]) throws(TextError) {
        guard let length = bytes.utf8ScalarLength(at: index) else {
            throw failure("invalid UTF-8 byte 0x\(String(bytes[index], radix: 16, uppercase: true))")
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]))
        index += length
    }
}
