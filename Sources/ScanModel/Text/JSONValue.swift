/// A JSON document as a tree that remembers where each value and key starts,
/// so a later check ("qty must be positive") can name file:line:column.
/// Objects keep their members in file order (duplicates are refused by the
/// reader); numbers keep their text, so big integers and exponents lose nothing.
public indirect enum JSONValue: Sendable, Equatable {
    case object([JSONMember])
    case array([JSONNode])
    case string(String)
    case number(JSONNumber)
    case bool(Bool)
    case null

    /// What the value is, for messages: "an object", "the string \"fast\"", "the number 3".
    public var kindDescription: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string(let s): return "the string \(JSONText.quote(s))"
        case .number(let n): return "the number \(n.text)"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }
}

/// One value and where it starts.
public struct JSONNode: Sendable, Equatable {
    public var value: JSONValue
    public var position: SourcePosition
    public init(_ value: JSONValue, at position: SourcePosition) { self.value = value; self.position = position }

    /// The member named `key` of an object (nil for other values).
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.key == key }?.value
    }
}

/// One `"key": value` of an object; the key has its own position so an
/// unknown-key error points at the key, not at its value.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var keyPosition: SourcePosition
    public var value: JSONNode
    public init(key: String, keyPosition: SourcePosition, value: JSONNode) {
        self.key = key; self.keyPosition = keyPosition; self.value = value
    }
}

/// A JSON number as written (RFC 8259 grammar, checked by the reader).
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public init(text: String) { self.text = text }
    public var description: String { text }

    /// True when written without a fraction or exponent.
    public var isInteger: Bool { !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } }

    /// The value when it is an integer that fits in 64 bits.
    public var int64: Int64? { isInteger ? Int64(text) : nil }

    /// The nearest double (big integers round).
    public var double: Double? { Double(text) }
}
