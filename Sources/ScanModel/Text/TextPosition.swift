/// A place in a text file: 1-based line and column. Columns count Unicode
/// scalars, not bytes, so "é" is one column, as an editor shows it.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public var description: String { "\(line):\(column)" }
}

/// A value with the place in the file it came from.
public struct Positioned<T> {
    public var value: T
    public var position: SourcePosition
    public init(_ value: T, at position: SourcePosition) { self.value = value; self.position = position }
    public var line: Int { position.line }
    public var column: Int { position.column }
}

extension Positioned: Sendable where T: Sendable {}
extension Positioned: Equatable where T: Equatable {}

/// Bad input in a text file (JSON, CSV, or a value inside one), said the way
/// compilers say it: `file:line:column: key path a.b[2]: why`, so an editor
/// can jump there and a person can fix the file without reading code.
public struct TextError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var position: SourcePosition
    /// Where in the document tree, `a.b[2].c`; nil or empty for syntax errors and the root.
    public var keyPath: String?
    public var message: String

    public init(file: String, position: SourcePosition, keyPath: String? = nil, message: String) {
        self.file = file; self.position = position; self.keyPath = keyPath; self.message = message
    }

    /// `file:line:column`, the part an editor jumps to.
    public var location: String { "\(file):\(position.line):\(position.column)" }

    public var description: String {
        guard let keyPath, !keyPath.isEmpty else { return "\(location): \(message)" }
        return "\(location): key path \(keyPath): \(message)"
    }
}

/// Tracks line and column while a reader walks UTF-8 bytes forwards. The
/// column is counted lazily from the last asked-for index, so positions cost
/// nothing per byte and stay linear over a long single-line document.
struct LineTracker {
    private(set) var line = 1
    private var lineStart: Int
    private var countedTo: Int
    private var countedColumn = 1

    init(start: Int) { lineStart = start; countedTo = start }

    /// A newline byte sits at `index`: the next line starts after it.
    mutating func newline(at index: Int) {
        line += 1
        lineStart = index + 1
        countedTo = index + 1
        countedColumn = 1
    }

    /// The position of `index`, which must be on the current line.
    mutating func position(of index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SourcePosition {
        if index < countedTo { countedTo = lineStart; countedColumn = 1 }
        var i = countedTo
        while i < index {
            if bytes[i] & 0xC0 != 0x80 { countedColumn += 1 } // continuation bytes share their scalar's column
            i += 1
        }
        countedTo = index
        return SourcePosition(line: line, column: countedColumn)
    }
}

/// The UTF-8 byte order mark, which some editors write and which is not content.
let utf8ByteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

extension UnsafeBufferPointer<UInt8> {
    /// The length of the valid UTF-8 scalar at `index`, or nil when the bytes
    /// there are not UTF-8 (overlong, surrogate, truncated or out of range).
    func utf8ScalarLength(at index: Int) -> Int? {
        let b0 = self[index]
        if b0 < 0x80 { return 1 }
        let length: Int, low: UInt8, high: UInt8
        switch b0 {
        case 0xC2...0xDF: length = 2; low = 0x80; high = 0xBF
        case 0xE0: length = 3; low = 0xA0; high = 0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; low = 0x80; high = 0xBF
        case 0xED: length = 3; low = 0x80; high = 0x9F // no UTF-16 surrogates
        case 0xF0: length = 4; low = 0x90; high = 0xBF
        case 0xF1...0xF3: length = 4; low = 0x80; high = 0xBF
        case 0xF4: length = 4; low = 0x80; high = 0x8F
        default: return nil
        }
        guard index + length <= count else { return nil }
        guard self[index + 1] >= low, self[index + 1] <= high else { return nil }
        for k in 2..<length where self[index + k] & 0xC0 != 0x80 { return nil }
        return length
    }
}
