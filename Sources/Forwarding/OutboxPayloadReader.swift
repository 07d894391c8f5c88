import ScanModel

/// Reads the fields of one outbox payload (the ledger's canonical request
/// JSON) on the box, so the central server stores columns without parsing
/// JSON: that parsing was the largest part of the central insert.
///
/// Accepts any JSON object of the payload's shape (keys in any order,
/// unknown keys skipped); string values keep their positions in the payload
/// so an unescaped value is copied straight from it. Escapes are decoded
/// exactly as PostgreSQL's `->>` does (including surrogate pairs); like
/// `jsonb`, it refuses `\u0000` and lone surrogates. Works on bytes: it runs
/// for every forwarded posting.
///
/// Kept beside the kernel's `JSONReader` because it copies unescaped values
/// straight into the COPY buffer without building a tree: on a two-entry
/// receipt payload (-O, 2-core box, Dec 2026) it reads and decodes in about
/// 2.5 µs where the kernel reader needs about 5.5 µs, on a path that forwards
/// ~77,000 postings/s at the transport floor. It must read every
/// strictly valid payload the way the kernel reader does
/// (`OutboxPayloadAgreement`, checked by a test and a fuzz target).
struct OutboxPayloadReader {
    /// A scalar value: null, a string (byte range inside the payload, escaped
    /// or not), or an integer.
    enum Value: Equatable {
        case null
        case string(Range<Int>, escaped: Bool)
        case integer(Int64)
    }

    struct Entry {
        var location = Value.null, item = Value.null, lot = Value.null, serial = Value.null, epc = Value.null, expiry = Value.null
        var qty = Value.null
    }

    struct Fields {
        var kind = Value.null, ref = Value.null, station = Value.null, device = Value.null, sscc = Value.null, time = Value.null
        var reverses = Value.null
        /// Who posted and why (an override's reason code): in payloads only when set.
        var operatorID = Value.null, reason = Value.null
        var entries: [Entry] = []
    }

    struct Failure: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "payload byte \(offset): \(reason)" }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Parses `payload` (its UTF-8 bytes).
    static func read(_ payload: UnsafeBufferPointer<UInt8>) throws(Failure) -> Fields {
        var reader = OutboxPayloadReader(payload)
        var fields = Fields()
        try reader.object { reader, key throws(Failure) in
            switch key {
            case "kind": fields.kind = try reader.scalar()
            case "ref": fields.ref = try reader.scalar()
            case "station": fields.station = try reader.scalar()
            case "device": fields.device = try reader.scalar()
            case "sscc": fields.sscc = try reader.scalar()
            case "time": fields.time = try reader.scalar()
            case "reverses": fields.reverses = try reader.scalar()
            case "operator": fields.operatorID = try reader.scalar()
            case "reason": fields.reason = try reader.scalar()
            case "entries": fields.entries = try reader.entries()
            default: try reader.skipValue()
            }
        }
        reader.skipSpace()
        guard reader.at == payload.count else { throw reader.failure("text after the JSON object") }
        return fields
    }

    /// The decoded bytes of a string value (no quotes, escapes resolved).
    static func decode(_ value: Value, in payload: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) throws(Failure) {
        guard case .string(let range, let escaped) = value else { return }
        guard escaped else { out.append(contentsOf: payload[range]); return }
        var reader = OutboxPayloadReader(payload)
        reader.at = range.lowerBound
        while reader.at < range.upperBound {
            let b = payload[reader.at]
            if b != UInt8(ascii: "\\") { out.append(b); reader.at += 1; continue }
            try reader.unescape(into: &out)
        }
    }

    // MARK: structure

    private mutating func entries() throws(Failure) -> [Entry] {
        skipSpace()
        if peek == UInt8(ascii: "n") { try literal("null"); return [] }
        try expect(UInt8(ascii: "["))
        var list: [Entry] = []
        skipSpace()
        if peek == UInt8(ascii: "]") { at += 1; return list }
        while true {
            var entry = Entry()
            try object { reader, key throws(Failure) in
                switch key {
                case "location": entry.location = try reader.scalar()
                case "item": entry.item = try reader.scalar()
                case "lot": entry.lot = try reader.scalar()
                case "serial": entry.serial = try reader.scalar()
                case "epc": entry.epc = try reader.scalar()
                case "expiry": entry.expiry = try reader.scalar()
                case "qty": entry.qty = try reader.scalar()
                default: try reader.skipValue()
                }
            }
            list.append(entry)
            skipSpace()
            if peek == UInt8(ascii: ",") { at += 1; continue }
            try expect(UInt8(ascii: "]"))
            return list
        }
    }

    /// Calls `member` for each key with the reader positioned at its value.
    private mutating func object(_ member: (inout OutboxPayloadReader, String) throws(Failure) -> Void) throws(Failure) {
        skipSpace()
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek == UInt8(ascii: "}") { at += 1; return }
        while true {
            skipSpace()
            guard case .string(let range, let escaped) = try scalar() else { throw failure("expected a key") }
            let key: String
            if escaped {
                var keyBytes: [UInt8] = []
                try Self.decode(.string(range, escaped: true), in: bytes, into: &keyBytes)
                key = String(decoding: keyBytes, as: UTF8.self)
            } else {
                key = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) // short: no allocation
            }
            skipSpace()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
            skipSpace()
            if peek == UInt8(ascii: ",") { at += 1; continue }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    /// A string, an integer or null.
    private mutating func scalar() throws(Failure) -> Value {
        skipSpace()
        switch peek {
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try integer()
        default: throw failure("expected a string, an integer or null")
        }
    }

    private mutating func string() throws(Failure) -> Value {
        try expect(UInt8(ascii: "\""))
        let start = at
        var escaped = false
        while at < bytes.count {
            let b = bytes[at]
            if b == UInt8(ascii: "\"") { at += 1; return .string(start..<(at - 1), escaped: escaped) }
            if b < 0x20 { throw failure("raw control character in a string") }
            if b == UInt8(ascii: "\\") {
                escaped = true
                var scratch: [UInt8] = [] // validates the escape now, so decode() cannot fail later
                try unescape(into: &scratch)
            } else {
                at += 1
            }
        }
        throw failure("unterminated string")
    }

    private mutating func integer() throws(Failure) -> Value {
        let negative = peek == UInt8(ascii: "-")
        if negative { at += 1 }
        var value: Int64 = 0
        let digitsStart = at
        while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") {
            let digit = Int64(bytes[at] - UInt8(ascii: "0"))
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !o1, !o2 else { throw failure("integer out of range") }
            value = next
            at += 1
        }
        guard at > digitsStart else { throw failure("expected digits") }
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") || bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            throw failure("expected an integer")
        }
        return .integer(value)
    }

    /// Skips any JSON value (for keys this reader does not use).
    private mutating func skipValue() throws(Failure) {
        skipSpace()
        switch peek {
        case UInt8(ascii: "{"): try object { reader, _ throws(Failure) in try reader.skipValue() }
        case UInt8(ascii: "["):
            at += 1
            skipSpace()
            if peek == UInt8(ascii: "]") { at += 1; return }
            while true {
                try skipValue()
                skipSpace()
                if peek == UInt8(ascii: ",") { at += 1; continue }
                try expect(UInt8(ascii: "]"))
                return
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            // Any number: skip its characters (only integers are ever read).
            while at < bytes.count, Self.isNumberCharacter(bytes[at]) { at += 1 }
        default: _ = try scalar()
        }
    }

    // MARK: escapes

    /// Decodes one escape at `at` (which is on the backslash) into `out`.
    private mutating func unescape(into out: inout [UInt8]) throws(Failure) {
        guard at + 1 < bytes.count else { throw failure("unterminated escape") }
        let c = bytes[at + 1]
        at += 2
        if let byte = JSONEscapes.byte(forShortEscape: c) { out.append(byte); return }
        guard c == UInt8(ascii: "u") else { throw failure("unknown escape") }
        var scalar = try hex4()
        if scalar == 0 { throw failure("\\u0000 cannot be stored in a text column") }
        if JSONEscapes.highSurrogates.contains(scalar) {
            guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                throw failure("high surrogate without its low surrogate")
            }
            at += 2
            let low = try hex4()
            guard JSONEscapes.lowSurrogates.contains(low) else { throw failure("high surrogate without its low surrogate") }
            scalar = JSONEscapes.scalar(high: scalar, low: low)
        } else if JSONEscapes.lowSurrogates.contains(scalar) {
            throw failure("low surrogate without a high surrogate")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid code point") }
        out.append(contentsOf: UTF8.encode(unicode).map { Array($0) } ?? [])
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard at + 4 <= bytes.count else { throw failure("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[at]
            guard let digit = JSONEscapes.hexDigit(b) else { throw failure("bad hex digit in a \\u escape") }
            value = value << 4 | UInt32(digit)
            at += 1
        }
        return value
    }

    // MARK: small steps

    private var peek: UInt8 { at < bytes.count ? bytes[at] : 0 }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
    }

    private mutating func expect(_ b: UInt8) throws(Failure) {
        guard peek == b else { throw failure("expected '\(Character(Unicode.Scalar(b)))'") }
        at += 1
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { throw failure("expected \(word)") }
        for i in 0..<count where bytes[at + i] != word.utf8Start[i] { throw failure("expected \(word)") }
        at += count
    }

    private static func isNumberCharacter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
            || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
    }

    private func failure(_ reason: String) -> Failure { Failure(offset: at, reason: reason) }
}

/// For `scanledger-fuzz` (target `outbox-payload`): reads `bytes` as an
/// outbox payload and decodes every string field, as a batch does before
/// COPY. Must return normally for any input; a malformed payload is a thrown
/// `Failure` (the batch then goes by statements), never a trap.
public enum OutboxPayloadFuzzing {
    public static func exercise(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { payload in
            guard let fields = try? OutboxPayloadReader.read(payload) else { return }
            var values = [fields.kind, fields.ref, fields.station, fields.device, fields.sscc, fields.time, fields.reverses,
                          fields.operatorID, fields.reason]
            for e in fields.entries { values += [e.location, e.item, e.lot, e.serial, e.epc, e.expiry, e.qty] }
            var out: [UInt8] = []
            for value in values { try? OutboxPayloadReader.decode(value, in: payload, into: &out) }
        }
    }
}
