import Ledger
import ScanModel

/// One batch of outbox records, prepared on the box for the central
/// database: the postings (entries as array columns) as one binary COPY
/// stream, with every column already extracted from the payload JSON (so
/// the server parses nothing). Prepared while the previous batch is sent.
struct CentralBatch {
    let records: [OutboxRecord]
    /// nil when a payload is not of the shape this reader extracts (it never
    /// happens with the ledger's canonical JSON): the batch then takes the
    /// statement path, where the server parses the payload and reports any
    /// real fault.
    let copy: Copy?
    /// Why `copy` is nil (for the log).
    let unreadable: String?

    struct Copy {
        /// Rows for `postings` in `postingsColumns` order.
        var postings: [UInt8]
    }

    static let postingsColumns = "origin, seq, key, kind, ref, station, device, sscc, event_time, reverses, commit_us, "
        + "entry_location, entry_item, entry_lot, entry_serial, entry_epc, entry_expiry, entry_qty, operator, reason"

    var first: LedgerSequence? { records.first?.seq }
    var last: LedgerSequence? { records.last?.seq }

    /// A batch that will go by statements only (tests of that path).
    init(statementsOnly records: [OutboxRecord]) {
        self.records = records; copy = nil; unreadable = nil
    }

    init(_ records: [OutboxRecord], origin: String) {
        self.records = records
        do {
            copy = try Self.encode(records, origin: origin)
            unreadable = nil
        } catch {
            copy = nil
            unreadable = error.description
        }
    }

    private struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    private static func encode(_ records: [OutboxRecord], origin: String) throws(Unreadable) -> Copy {
        let payloadBytes = records.reduce(0) { $0 + $1.payload.utf8.count }
        var postings = PGCopyBinary(capacity: payloadBytes + records.count * 64)
        for record in records {
            var payload = record.payload
            let failure = payload.withUTF8 { bytes -> OutboxPayloadReader.Failure? in
                do throws(OutboxPayloadReader.Failure) {
                    try appendRow(record, payload: bytes, origin: origin, to: &postings)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { throw Unreadable(description: "outbox payload of posting \(record.seq): \(failure)") }
        }
        return Copy(postings: postings.finish())
    }

    /// Appends the posting's row, its entries as one array per entry column.
    private static func appendRow(_ record: OutboxRecord, payload bytes: UnsafeBufferPointer<UInt8>, origin: String,
                                  to postings: inout PGCopyBinary) throws(OutboxPayloadReader.Failure) {
        let fields = try OutboxPayloadReader.read(bytes)
        postings.beginRow(fields: 20) // the 20 of postingsColumns
        postings.text(origin)
        postings.int64(record.seq.value)
        postings.text(record.key)
        for value in [fields.kind, fields.ref, fields.station, fields.device, fields.sscc, fields.time] {
            try text(value, in: bytes, to: &postings)
        }
        postings.int64(try integer(fields.reverses))
        postings.int64(record.commitTimeMicros)
        let entries = fields.entries
        let columns: [KeyPath<OutboxPayloadReader.Entry, OutboxPayloadReader.Value>] = [\.location, \.item, \.lot, \.serial, \.epc, \.expiry]
        for column in columns {
            try postings.array(of: .text, count: entries.count) { copy, i throws(OutboxPayloadReader.Failure) in
                try text(entries[i][keyPath: column], in: bytes, to: &copy)
            }
        }
        try postings.array(of: .int8, count: entries.count) { copy, i throws(OutboxPayloadReader.Failure) in
            copy.int64(try integer(entries[i].qty))
        }
        try text(fields.operatorID, in: bytes, to: &postings)
        try text(fields.reason, in: bytes, to: &postings)
    }

    private static func text(_ value: OutboxPayloadReader.Value, in payload: UnsafeBufferPointer<UInt8>,
                             to copy: inout PGCopyBinary) throws(OutboxPayloadReader.Failure) {
        switch value {
        case .null: copy.null()
        case .string: try copy.text { out throws(OutboxPayloadReader.Failure) in try OutboxPayloadReader.decode(value, in: payload, into: &out) }
        case .integer: throw OutboxPayloadReader.Failure(offset: 0, reason: "a number where text was expected")
        }
    }

    private static func integer(_ value: OutboxPayloadReader.Value) throws(OutboxPayloadReader.Failure) -> Int64? {
        switch value {
        case .null: return nil
        case .integer(let v): return v
        case .string: throw OutboxPayloadReader.Failure(offset: 0, reason: "text where an integer was expected")
        }
    }
}
