/// RFC 4180 CSV with the line and column where each field starts, so import
/// errors point at the cell.
public struct CSVField: Sendable, Equatable {
    public var value: String
    public var position: SourcePosition
}

public enum CSVReader {
    public struct ParseError: Error, Sendable {
        public var position: SourcePosition
        public var message: String
    }

    /// Rows of fields; blank lines are skipped.
    public static func rows(_ text: String) throws(ParseError) -> [[CSVField]] {
        let b = Array(text.utf8)
        var rows: [[CSVField]] = []
        var row: [CSVField] = []
        var i = 0, line = 1, lineStart = 0
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3; lineStart = 3 } // UTF-8 byte order mark
        func pos(_ at: Int) -> SourcePosition { SourcePosition(line: line, column: at - lineStart + 1) }
        while i <= b.count {
            let start = pos(i)
            var bytes: [UInt8] = []
            if i < b.count, b[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < b.count {
                    if b[i] == UInt8(ascii: "\"") {
                        if i + 1 < b.count, b[i + 1] == UInt8(ascii: "\"") { bytes.append(b[i]); i += 2; continue }
                        i += 1; closed = true; break
                    }
                    if b[i] == 0x0A { line += 1; lineStart = i + 1 }
                    bytes.append(b[i]); i += 1
                }
                guard closed else { throw ParseError(position: start, message: "quoted field is not closed") }
                if i < b.count, b[i] != UInt8(ascii: ","), b[i] != 0x0A, b[i] != 0x0D {
                    throw ParseError(position: pos(i), message: "unexpected character after a quoted field")
                }
            } else {
                while i < b.count, b[i] != UInt8(ascii: ","), b[i] != 0x0A, b[i] != 0x0D {
                    if b[i] == UInt8(ascii: "\"") { throw ParseError(position: pos(i), message: "quote inside an unquoted field; quote the whole field") }
                    bytes.append(b[i]); i += 1
                }
            }
            row.append(CSVField(value: String(decoding: bytes, as: UTF8.self), position: start))
            if i < b.count, b[i] == UInt8(ascii: ",") { i += 1; continue }
            // End of record: CRLF, LF or end of input.
            if i < b.count, b[i] == 0x0D { i += 1 }
            if !(row.count == 1 && row[0].value.isEmpty) { rows.append(row) }
            row = []
            if i < b.count, b[i] == 0x0A { i += 1; line += 1; lineStart = i; continue }
            if i >= b.count { break }
        }
        return rows
    }
}
