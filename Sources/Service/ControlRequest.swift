import Foundation

/// One control request with strict fields: every field must be one the
/// command knows, of the type it expects. A field of the wrong type or an
/// unknown field is an error naming it, never a wider answer
/// (`"location": ["S-90"]` used to answer with all stock).
struct ControlRequest {
    let cmd: String
    private let fields: [String: Any]

    /// The fields each command takes, besides "cmd".
    static let fieldsByCommand: [String: Set<String>] = [
        "status": [], "devices": [], "stations": [], "metrics": [], "reload": [],
        "stock": ["location", "item", "lot"],
        "history": ["item", "location", "epc", "ref"],
        "import": ["kind", "path"],
        "counts": ["action", "all", "id", "accept_conflict", "reason"],
        "watch": ["station"],
        "device-add": ["device", "station"],
        "device-remove": ["name"],
        "device-attached": ["path"], "device-detached": ["path"],
    ]
    static var commands: [String] { fieldsByCommand.keys.sorted() }

    init(_ object: [String: Any]) throws {
        guard let value = object["cmd"] else {
            throw RequestError("missing \"cmd\" (one of: \(Self.commands.joined(separator: ", ")))")
        }
        guard let cmd = value as? String, JSONKind.of(value) == .string else { throw RequestError("\"cmd\": expected a string, got \(JSONKind.of(value).rawValue)") }
        guard let known = Self.fieldsByCommand[cmd] else {
            throw RequestError("unknown cmd '\(cmd)' (one of: \(Self.commands.joined(separator: ", ")))")
        }
        for key in object.keys.sorted() where key != "cmd" && !known.contains(key) {
            let allowed = known.isEmpty ? "it takes no fields" : "it takes: \(known.sorted().joined(separator: ", "))"
            throw RequestError("\"\(key)\": unknown field for \(cmd) (\(allowed))")
        }
        self.cmd = cmd
        fields = object
    }

    /// The field as a string; nil when absent (JSON null counts as absent).
    func string(_ key: String) throws -> String? {
        guard let v = present(key) else { return nil }
        guard JSONKind.of(v) == .string, let s = v as? String else { throw wrongType(key, "a string", v) }
        return s
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = present(key) else { return nil }
        guard JSONKind.of(v) == .bool, let b = v as? Bool else { throw wrongType(key, "true or false", v) }
        return b
    }

    /// A JSON object (for nested configuration such as a device).
    func object(_ key: String) throws -> [String: Any]? {
        guard let v = present(key) else { return nil }
        guard let o = v as? [String: Any] else { throw wrongType(key, "an object", v) }
        return o
    }

    func requiredString(_ key: String, _ why: String) throws -> String {
        guard let s = try string(key) else { throw RequestError("\(cmd) needs \"\(key)\": \(why)") }
        return s
    }

    private func present(_ key: String) -> Any? {
        guard let v = fields[key], !(v is NSNull) else { return nil }
        return v
    }

    private func wrongType(_ key: String, _ expected: String, _ v: Any) -> RequestError {
        RequestError("\"\(key)\": expected \(expected), got \(JSONKind.of(v).rawValue)")
    }
}

/// The JSON type of a value from JSONSerialization. Booleans and numbers
/// both arrive as NSNumber on Linux; the Objective-C type code tells them
/// apart ("c" is how a BOOL is stored), so `1` is never taken for `true`.
enum JSONKind: String {
    case string, number, bool = "boolean", array, object, null

    static func of(_ v: Any) -> JSONKind {
        switch v {
        case is String: return .string
        case is NSNull: return .null
        case is [Any]: return .array
        case is [String: Any]: return .object
        case let n as NSNumber: return String(cString: n.objCType) == "c" ? .bool : .number
        default: return .null
        }
    }
}
