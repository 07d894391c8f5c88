import Foundation
import ScanModel

/// A config error says where (`file:line:column`, when the value came from a
/// file), names the key path ("devices[2].serial.baud") and what was
/// expected, so a person can fix the file without reading code.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String
    /// `file:line:column` of the offending value or key; nil when the config
    /// did not come from a file (a control-socket request).
    public let location: String?

    public init(path: String, message: String, location: String? = nil) {
        self.path = path; self.message = message; self.location = location
    }

    public var description: String {
        let what = path.isEmpty ? message : "\(path): \(message)"
        return location.map { "\($0): \(what)" } ?? what
    }

    /// The same problem at the same key path: the file position is where it
    /// was found, not what went wrong, so tests can state errors without it.
    public static func == (a: ConfigError, b: ConfigError) -> Bool { a.path == b.path && a.message == b.message }
}

/// One value of a parsed JSON config with its key path and position: the
/// kernel's `JSONCursor`, with its errors as `ConfigError`s. Typed accessors
/// carry the path; `rejectUnknownKeys` turns typos into errors instead of
/// silently ignored settings.
public struct ConfigNode {
    public let cursor: JSONCursor
    public var path: String { cursor.keyPath }
    public var value: JSONValue { cursor.value }

    public init(_ cursor: JSONCursor) { self.cursor = cursor }

    /// A config object that did not come from a file (the control socket's
    /// `device-add` request, decoded by Foundation); errors have no position.
    public init(value: Any, path: String = "") {
        cursor = JSONCursor(FoundationJSON.node(value), file: "", keyPath: path)
    }

    /// Parses a whole config file: strict JSON (no trailing commas), errors as file:line:column.
    public static func parse(_ data: Data, file: String) throws -> ConfigNode {
        do { return ConfigNode(try JSONCursor.parse([UInt8](data), file: file)) } catch {
            throw ConfigError(path: "", message: "not valid JSON: \(error.message)", location: error.location)
        }
    }

    /// `file:line:column` of this value; nil when it did not come from a file.
    public var location: String? { Self.location(cursor.file, cursor.position) }

    /// An error about this value, at its position.
    public func error(_ message: String) -> ConfigError { Self.configError(cursor.error(message)) }

    /// An error about member `key` of this object: at the member when it is there, else at the object.
    public func error(key: String, _ message: String) -> ConfigError {
        if let child = (try? cursor.optional(key)) ?? nil { return ConfigNode(child).error(message) }
        return ConfigError(path: cursor.childPath(key), message: message, location: location)
    }

    public func optional(_ key: String) throws -> ConfigNode? { try run { try cursor.optional(key).map(ConfigNode.init) } }
    public func required(_ key: String) throws -> ConfigNode { try run { ConfigNode(try cursor.required(key)) } }
    public func rejectUnknownKeys(allowed: Set<String>) throws { try run { try cursor.rejectUnknownKeys(allowed: allowed) } }
    public func members() throws -> [JSONMember] { try run { try cursor.members() } }
    public func string() throws -> String { try run { try cursor.string() } }
    public func bool() throws -> Bool { try run { try cursor.bool() } }
    public func int(in range: ClosedRange<Int>) throws -> Int { try run { try cursor.int(in: range) } }
    public func double(in range: ClosedRange<Double>) throws -> Double { try run { try cursor.double(in: range) } }
    public func oneOf(_ choices: [String]) throws -> String { try run { try cursor.oneOf(choices) } }
    public func array() throws -> [ConfigNode] { try run { try cursor.array().map(ConfigNode.init) } }

    private func run<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as TextError { throw Self.configError(error) }
    }

    static func configError(_ e: TextError) -> ConfigError {
        ConfigError(path: e.keyPath ?? "", message: e.message, location: location(e.file, e.position))
    }

    static func location(_ file: String, _ p: SourcePosition) -> String? {
        file.isEmpty || p.line == 0 ? nil : "\(file):\(p.line):\(p.column)"
    }
}

/// Foundation's decoded JSON (`[String: Any]`, NSNumber) as a kernel tree
/// without positions, for config objects that arrive over the control socket.
enum FoundationJSON {
    static let nowhere = SourcePosition(line: 0, column: 0)

    static func node(_ value: Any) -> JSONNode {
        switch value {
        case let s as String: return JSONNode(.string(s), at: nowhere)
        case let n as NSNumber where isBool(n): return JSONNode(.bool(n.boolValue), at: nowhere)
        case let n as NSNumber: return JSONNode(.number(JSONNumber(text: n.stringValue)), at: nowhere)
        case let a as [Any]: return JSONNode(.array(a.map(node)), at: nowhere)
        case let d as [String: Any]:
            let members = d.sorted { $0.key < $1.key }.map { JSONMember(key: $0.key, keyPosition: nowhere, value: node($0.value)) }
            return JSONNode(.object(members), at: nowhere)
        default: return JSONNode(.null, at: nowhere)
        }
    }

    /// JSONSerialization gives booleans as NSNumber; on Linux they are the
    /// shared true/false instances, which tells them from 0 and 1.
    static func isBool(_ n: NSNumber) -> Bool { n === trueNumber || n === falseNumber }

    private static let trueNumber: NSNumber = (try! JSONSerialization.jsonObject(with: Data("[true]".utf8)) as! [NSNumber])[0]
    private static let falseNumber: NSNumber = (try! JSONSerialization.jsonObject(with: Data("[false]".utf8)) as! [NSNumber])[0]
}
