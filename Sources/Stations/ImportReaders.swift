import ScanModel

/// An import problem at a precise place: "asn.csv:12:7: qty must be …".
public struct ImportError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String
    public var description: String { "\(file):\(line):\(column): \(message)" }

    init(file: String, line: Int, column: Int, message: String) {
        self.file = file; self.line = line; self.column = column; self.message = message
    }

    init(file: String, at position: SourcePosition, message: String) {
        self.init(file: file, line: position.line, column: position.column, message: message)
    }

    /// A syntax error from the kernel's CSV or JSON reader.
    init(_ error: TextError) {
        self.init(file: error.file, at: error.position, message: error.message)
    }
}

/// The kernel readers with their errors as `ImportError`s, for the import parsers.
enum ImportText {
    static func csvRows(_ data: [UInt8], file: String) throws(ImportError) -> [[Positioned<String>]] {
        do { return try CSV.rows(data, file: file) } catch { throw ImportError(error) }
    }

    static func json(_ data: [UInt8], file: String) throws(ImportError) -> JSONNode {
        do { return try JSONReader.parse(data, file: file) } catch { throw ImportError(error) }
    }
}
