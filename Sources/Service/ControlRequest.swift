import Foundation
import ScanModel

/// One control request with strict fields: every field must be one the
/// command knows, of the type it expects. A field of the wrong type or an
/// unknown field is an error naming it and where it is, never a wider answer
/// (`"location": ["S-90"]` used to answer with all stock).
struct ControlRequest {
    let cmd: String
    private let request: JSONCursor

    /// The fields each command takes, besides "cmd".
    static let fieldsByCommand: [String: Set<String>] = [
        "status": [], "devices": [], "stations": [], "metrics": [], "reload": [],
        "stock": ["location", "item", "lot"],
        "history": ["item", "location", "epc", "ref"],
        "import": ["kind", "path"],
        "counts": ["action", "all", "id", "accept_conflict", "reason"],
        "watch": ["station"],
        "journal": ["station", "code", "operator", "document", "since", "after_id", "limit"],
        "receipt-report": ["asn"],
        "orders": ["status", "since"],
        "order": ["order"],
        "device-add": ["device", "station"],
        "device-remove": ["name"],
        "device-attached": ["path"], "device-detached": ["path"],
    ]
    static var commands: [String] { fieldsByCommand.keys.sorted() }

    init(_ request: JSONCursor) throws {
        guard let cmd = try request.optional("cmd")?.string() else {
            throw RequestError("missing \"cmd\" (one of: \(Self.commands.joined(separator: ", ")))")
        }
        guard let known = Self.fieldsByCommand[cmd] else {
            throw RequestError("unknown cmd '\(cmd)' (one of: \(Self.commands.joined(separator: ", ")))")
        }
        try request.rejectUnknownKeys(allowed: known.union(["cmd"]))
        self.cmd = cmd
        self.request = request
    }

    /// The field as a string; nil when absent (JSON null counts as absent).
    func string(_ key: String) throws -> String? { try request.optional(key)?.string() }

    func bool(_ key: String) throws -> Bool? { try request.optional(key)?.bool() }

    /// A whole number in `range`; a string, fraction or number outside it is an error naming the field.
    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? { try request.optional(key)?.int(in: range) }

    /// A JSON object (nested configuration such as a device), checked by its reader.
    func object(_ key: String) throws -> JSONCursor? {
        guard let field = try request.optional(key) else { return nil }
        _ = try field.members()
        return field
    }

    func requiredString(_ key: String, _ why: String) throws -> String {
        guard let s = try string(key) else { throw RequestError("\(cmd) needs \"\(key)\": \(why)") }
        return s
    }
}

/// The control socket's request reader for the fuzzer (which cannot reach
/// internal types): a line is read or refused, and every field of a
/// request it accepts is read as each type a handler may ask for.
public enum ControlRequestFuzzing {
    public static func exercise(_ line: [UInt8]) {
        guard let cursor = try? JSONCursor.parse(line, file: "request"), let request = try? ControlRequest(cursor) else { return }
        for field in ControlRequest.fieldsByCommand[request.cmd] ?? [] {
            _ = try? request.string(field)
            _ = try? request.bool(field)
            _ = try? request.int(field, in: 0...1_000_000)
            _ = try? request.object(field)
        }
    }
}
