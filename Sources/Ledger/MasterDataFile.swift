import Foundation
import ScanModel

/// Reads items and locations from CSV (with a header row) or JSON (an array
/// of objects). Field names: items `gtin, sku, description, tracking`;
/// locations `code, gln, gcp_length, type, allow_negative`.
public enum MasterDataFile {
    static let itemFields: Set<String> = ["gtin", "sku", "description", "tracking"]
    static let locationFields: Set<String> = ["code", "gln", "gcp_length", "type", "allow_negative"]

    public static func items(text: String, file: String) throws(LedgerError) -> [Positioned<Item>] {
        try items(bytes: Array(text.utf8), file: file)
    }

    /// From the file's bytes, so invalid UTF-8 is an error at its line and column.
    public static func items(bytes: [UInt8], file: String) throws(LedgerError) -> [Positioned<Item>] {
        try positioned(bytes, file: file, fields: itemFields) { record throws(LedgerError) in
            func fail(_ key: String, _ m: String) -> LedgerError { record.error(file, key, m) }
            var item = Item()
            if let g = record.string("gtin") {
                guard let gtin = GTIN(g) else { throw fail("gtin", "'\(g)' is not a valid GTIN (8, 12, 13 or 14 digits with a correct check digit)") }
                item.gtin = gtin
            }
            item.sku = record.string("sku")
            guard item.gtin != nil || item.sku != nil else { throw record.error(file, nil, "an item needs a gtin or a sku") }
            item.description = record.string("description") ?? ""
            if let t = record.string("tracking") {
                guard let tracking = Tracking(rawValue: t) else { throw fail("tracking", "tracking '\(t)' must be none, lot or serial") }
                item.tracking = tracking
            }
            return item
        }
    }

    public static func locations(text: String, file: String) throws(LedgerError) -> [Positioned<Location>] {
        try locations(bytes: Array(text.utf8), file: file)
    }

    public static func locations(bytes: [UInt8], file: String) throws(LedgerError) -> [Positioned<Location>] {
        try positioned(bytes, file: file, fields: locationFields) { record throws(LedgerError) in
            func fail(_ key: String, _ m: String) -> LedgerError { record.error(file, key, m) }
            guard let code = record.string("code") else { throw record.error(file, nil, "a location needs a code") }
            guard !code.hasPrefix("@") else { throw fail("code", "codes starting with '@' are reserved for the virtual locations") }
            var location = Location(code: code)
            if let g = record.string("gln") {
                guard let gln = GLN(g) else { throw fail("gln", "'\(g)' is not a valid GLN (13 digits with a correct check digit)") }
                location.gln = gln
            }
            if let l = record.string("gcp_length") {
                guard let n = Int(l), (6...12).contains(n) else { throw fail("gcp_length", "gcp_length '\(l)' must be a number from 6 to 12") }
                location.gcpLength = n
            }
            if let t = record.string("type") {
                guard let type = LocationKind(rawValue: t), type != .virtual else {
                    throw fail("type", "type '\(t)' must be dock, storage, pack, shipping, quarantine or damaged")
                }
                location.type = type
            }
            if let a = record.string("allow_negative") {
                switch a.lowercased() {
                case "1", "true", "yes": location.allowNegative = true
                case "0", "false", "no", "": location.allowNegative = false
                default: throw fail("allow_negative", "allow_negative '\(a)' must be true or false")
                }
            }
            return location
        }
    }

    /// One value from each record of the file, positioned where its record starts.
    static func positioned<Value>(_ bytes: [UInt8], file: String, fields: Set<String>,
                                  _ value: (Record) throws(LedgerError) -> Value) throws(LedgerError) -> [Positioned<Value>] {
        try records(bytes: bytes, file: file, fields: fields).map { record throws(LedgerError) in
            Positioned(try value(record), at: record.position)
        }
    }

    struct Record {
        var position: SourcePosition
        var values: [String: (String, SourcePosition)]
        func string(_ key: String) -> String? {
            guard let v = values[key]?.0 else { return nil }
            let t = v.trimmingCharacters(in: .whitespaces)
            return t.isEmpty ? nil : t
        }
        func error(_ file: String, _ key: String?, _ message: String) -> LedgerError {
            let p = key.flatMap { values[$0]?.1 } ?? position
            return .importFailed(file: file, line: p.line, column: p.column, message: message)
        }
    }

    static func records(bytes: [UInt8], file: String, fields: Set<String>) throws(LedgerError) -> [Record] {
        let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        do {
            if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") { return try jsonRecords(bytes: bytes, file: file, fields: fields) }
            return try csvRecords(bytes: bytes, file: file, fields: fields)
        } catch {
            throw .importFailed(file: file, line: error.position.line, column: error.position.column, message: error.message)
        }
    }

    static func csvRecords(bytes: [UInt8], file: String, fields: Set<String>) throws(TextError) -> [Record] {
        func fail(_ p: SourcePosition, _ message: String) -> TextError { TextError(file: file, position: p, message: message) }
        let rows = try CSV.rows(bytes, file: file)
        guard let header = rows.first else { throw fail(SourcePosition(line: 1, column: 1), "empty file: expected a header row") }
        let names = header.map { $0.value.trimmingCharacters(in: .whitespaces).lowercased() }
        for (i, name) in names.enumerated() where !fields.contains(name) {
            throw fail(header[i].position, "unknown column '\(name)'; expected \(fields.sorted().joined(separator: ", "))")
        }
        var out: [Record] = []
        for row in rows.dropFirst() {
            guard row.count == names.count, let start = row.first?.position else {
                throw fail(row.last?.position ?? SourcePosition(line: 0, column: 1), "\(row.count) fields, the header has \(names.count)")
            }
            var values: [String: (String, SourcePosition)] = [:]
            for (name, field) in zip(names, row) { values[name] = (field.value, field.position) }
            out.append(Record(position: start, values: values))
        }
        return out
    }

    static func jsonRecords(bytes: [UInt8], file: String, fields: Set<String>) throws(TextError) -> [Record] {
        let root = JSONCursor(try JSONReader.parse(bytes, file: file), file: file)
        guard case .array = root.value else { throw root.error("expected a JSON array of objects") }
        var out: [Record] = []
        for element in try root.array() {
            guard case .object(let members) = element.value else { throw element.error("expected an object") }
            var values: [String: (String, SourcePosition)] = [:]
            for member in members {
                let value = member.value
                guard fields.contains(member.key) else {
                    throw TextError(file: file, position: value.position,
                                    message: "unknown field '\(member.key)'; expected \(fields.sorted().joined(separator: ", "))")
                }
                switch value.value {
                case .string(let s): values[member.key] = (s, value.position)
                case .number(let n): values[member.key] = (n.text, value.position)
                case .bool(let b): values[member.key] = (b ? "true" : "false", value.position)
                case .null: break
                default:
                    throw TextError(file: file, position: value.position, message: "field '\(member.key)' must be a string, number or boolean")
                }
            }
            out.append(Record(position: element.position, values: values))
        }
        return out
    }
}
