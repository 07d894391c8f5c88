import Foundation

/// A config error names the key path ("devices[2].serial.baud") and what was
/// expected, so a person can fix the file without reading code.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// One value in a parsed JSON config together with its key path. Typed
/// accessors throw `ConfigError`s that carry the path; `rejectUnknownKeys`
/// turns typos into errors instead of silently ignored settings.
public struct ConfigNode {
    public let value: Any
    public let path: String

    public init(value: Any, path: String = "") {
        self.value = value
        self.path = path
    }

    /// Parses a whole config file. JSON syntax errors keep Foundation's
    /// "around line L, column C" text.
    public static func parse(_ data: Data, file: String) throws -> ConfigNode {
        do {
            let object = try JSONSerialization.jsonObject(with: data, options: [])
            return ConfigNode(value: object)
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw ConfigError(path: file, message: "not valid JSON: \(detail)")
        }
    }

    private func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func object() throws -> [String: Any] {
        guard let dict = value as? [String: Any] else { throw ConfigError(path: path, message: "expected an object, got \(kind)") }
        return dict
    }

    public func optional(_ key: String) throws -> ConfigNode? {
        guard let v = try object()[key], !(v is NSNull) else { return nil }
        return ConfigNode(value: v, path: child(key))
    }

    public func required(_ key: String) throws -> ConfigNode {
        guard let node = try optional(key) else { throw ConfigError(path: child(key), message: "missing (required)") }
        return node
    }

    public func rejectUnknownKeys(allowed: Set<String>) throws {
        for key in try object().keys.sorted() where !allowed.contains(key) {
            let known = allowed.sorted().joined(separator: ", ")
            throw ConfigError(path: child(key), message: "unknown key (known here: \(known))")
        }
    }

    public func string() throws -> String {
        guard let s = value as? String else { throw ConfigError(path: path, message: "expected a string, got \(kind)") }
        return s
    }

    public func bool() throws -> Bool {
        guard let n = value as? NSNumber, CFGetTypeIDIsBool(n) else {
            throw ConfigError(path: path, message: "expected true or false, got \(kind)")
        }
        return n.boolValue
    }

    public func int(in range: ClosedRange<Int>) throws -> Int {
        guard let n = value as? NSNumber, !CFGetTypeIDIsBool(n), let i = Int(exactly: n.doubleValue) else {
            throw ConfigError(path: path, message: "expected an integer, got \(kind)")
        }
        guard range.contains(i) else {
            throw ConfigError(path: path, message: "\(i) is out of range \(range.lowerBound)…\(range.upperBound)")
        }
        return i
    }

    public func double(in range: ClosedRange<Double>) throws -> Double {
        guard let n = value as? NSNumber, !CFGetTypeIDIsBool(n) else {
            throw ConfigError(path: path, message: "expected a number, got \(kind)")
        }
        guard range.contains(n.doubleValue) else {
            throw ConfigError(path: path, message: "\(n.doubleValue) is out of range \(range.lowerBound)…\(range.upperBound)")
        }
        return n.doubleValue
    }

    public func oneOf(_ choices: [String]) throws -> String {
        let s = try string()
        guard choices.contains(s) else {
            throw ConfigError(path: path, message: "'\(s)' is not one of: \(choices.joined(separator: ", "))")
        }
        return s
    }

    public func array() throws -> [ConfigNode] {
        guard let items = value as? [Any] else { throw ConfigError(path: path, message: "expected an array, got \(kind)") }
        return items.enumerated().map { ConfigNode(value: $1, path: "\(path)[\($0)]") }
    }

    /// What the value is, for messages ("a string \"fast\"", "an array").
    var kind: String {
        switch value {
        case let s as String: return "the string \"\(s)\""
        case let n as NSNumber where CFGetTypeIDIsBool(n): return n.boolValue ? "true" : "false"
        case let n as NSNumber: return "the number \(n)"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        default: return "null"
        }
    }
}

/// JSONSerialization gives booleans as NSNumber; tell them from 0 and 1.
private func CFGetTypeIDIsBool(_ n: NSNumber) -> Bool {
    // On Linux Foundation, booleans decode as NSNumber whose objCType is "c"
    // and whose class is the shared true/false instance.
    n === kCFBooleanTrueNumber || n === kCFBooleanFalseNumber
}

private let kCFBooleanTrueNumber: NSNumber = {
    (try! JSONSerialization.jsonObject(with: Data("[true]".utf8)) as! [NSNumber])[0]
}()
private let kCFBooleanFalseNumber: NSNumber = {
    (try! JSONSerialization.jsonObject(with: Data("[false]".utf8)) as! [NSNumber])[0]
}()
