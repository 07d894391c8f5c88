/// Typed, checked access to a parsed JSON document: a node plus its key path
/// (`devices[2].serial`) and file, so every "must be a string" or "unknown
/// key" error says `file:line:column: key path devices[2].serial: why`.
/// Null counts as absent for `optional`/`required`, as in a config file.
public struct JSONCursor: Sendable {
    public let node: JSONNode
    public let keyPath: String
    public let file: String

    public init(_ node: JSONNode, file: String, keyPath: String = "") {
        self.node = node; self.file = file; self.keyPath = keyPath
    }

    /// Parses a whole document and points at its root.
    public static func parse(_ bytes: [UInt8], file: String, maxDepth: Int = JSONReader.defaultMaxDepth) throws(TextError) -> JSONCursor {
        JSONCursor(try JSONReader.parse(bytes, file: file, maxDepth: maxDepth), file: file)
    }

    public var value: JSONValue { node.value }
    public var position: SourcePosition { node.position }

    /// An error about this value, at its position, naming its key path.
    public func error(_ message: String) -> TextError {
        TextError(file: file, position: node.position, keyPath: keyPath, message: message)
    }

    public func childPath(_ key: String) -> String { keyPath.isEmpty ? key : "\(keyPath).\(key)" }

    // MARK: objects

    public func members() throws(TextError) -> [JSONMember] {
        guard case .object(let members) = node.value else { throw error("expected an object, got \(node.value.kindDescription)") }
        return members
    }

    /// The member `key`, or nil when it is absent or null.
    public func optional(_ key: String) throws(TextError) -> JSONCursor? {
        guard let member = try members().first(where: { $0.key == key }), member.value.value != .null else { return nil }
        return JSONCursor(member.value, file: file, keyPath: childPath(key))
    }

    /// The member `key`; absent or null is an error at this object.
    public func required(_ key: String) throws(TextError) -> JSONCursor {
        guard let child = try optional(key) else {
            throw TextError(file: file, position: node.position, keyPath: childPath(key), message: "missing (required)")
        }
        return child
    }

    /// Refuses members not in `allowed` (typos must not be silently ignored), at the key.
    public func rejectUnknownKeys(allowed: Set<String>) throws(TextError) {
        for member in try members() where !allowed.contains(member.key) {
            throw TextError(file: file, position: member.keyPosition, keyPath: childPath(member.key),
                            message: "unknown key (known here: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    // MARK: arrays and scalars

    public func array() throws(TextError) -> [JSONCursor] {
        guard case .array(let items) = node.value else { throw error("expected an array, got \(node.value.kindDescription)") }
        return items.enumerated().map { JSONCursor($1, file: file, keyPath: "\(keyPath)[\($0)]") }
    }

    public func string() throws(TextError) -> String {
        guard case .string(let s) = node.value else { throw error("expected a string, got \(node.value.kindDescription)") }
        return s
    }

    public func bool() throws(TextError) -> Bool {
        guard case .bool(let b) = node.value else { throw error("expected true or false, got \(node.value.kindDescription)") }
        return b
    }

    /// A whole number inside `range`.
    public func int(in range: ClosedRange<Int>) throws(TextError) -> Int {
        // 9600.0 and 1e3 are whole numbers too (the Foundation parser took them).
        guard case .number(let n) = node.value, let i = n.int64.flatMap({ Int(exactly: $0) }) ?? n.double.flatMap({ Int(exactly: $0) }) else {
            throw error("expected an integer, got \(node.value.kindDescription)")
        }
        guard range.contains(i) else { throw error("\(i) is out of range \(range.lowerBound)…\(range.upperBound)") }
        return i
    }

    public func double(in range: ClosedRange<Double>) throws(TextError) -> Double {
        guard case .number(let n) = node.value, let d = n.double, d.isFinite else {
            throw error("expected a number, got \(node.value.kindDescription)")
        }
        guard range.contains(d) else { throw error("\(d) is out of range \(range.lowerBound)…\(range.upperBound)") }
        return d
    }

    /// A string that must be one of `choices`.
    public func oneOf(_ choices: [String]) throws(TextError) -> String {
        let s = try string()
        guard choices.contains(s) else { throw error("'\(s)' is not one of: \(choices.joined(separator: ", "))") }
        return s
    }
}
