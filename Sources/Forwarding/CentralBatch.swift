import Ledger

/// One batch of outbox records, prepared on the box for the central
/// database: the postings and entries as binary COPY streams, with every
/// column already extracted from the payload JSON (so the server parses
/// nothing). Prepared while the previous batch is still being sent.
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
        /// Rows for `entries` in `entriesColumns` order (reversals excluded:
        /// the server derives theirs from the reversed posting).
        var entries: [UInt8]
        var entryRows: Int
        var hasReversal: Bool
    }

    static let postingsColumns = "origin, seq, key, kind, ref, station, device, sscc, event_time, reverses, commit_us, payload"
    static let entriesColumns = "origin, seq, line, location, item, lot, serial, epc, qty"

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
        var postings = PGCopyBinary(capacity: payloadBytes * 2 + records.count * 96)
        var entries = PGCopyBinary(capacity: records.count * 160)
        var entryRows = 0
        var hasReversal = false
        for record in records {
            var payload = record.payload
            let failure = payload.withUTF8 { bytes -> OutboxPayloadReader.Failure? in
                do throws(OutboxPayloadReader.Failure) {
                    let isReversal = try appendRows(record, payload: bytes, origin: origin, postings: &postings, entries: &entries, entryRows: &entryRows)
                    hasReversal = hasReversal || isReversal
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { throw Unreadable(description: "outbox payload of posting \(record.seq): \(failure)") }
        }
        return Copy(postings: postings.finish(), entries: entries.finish(), entryRows: entryRows, hasReversal: hasReversal)
    }

    /// Appends the posting row and its entry rows; returns whether it is a reversal.
    private static func appendRows(_ record: OutboxRecord, payload bytes: UnsafeBufferPointer<UInt8>, origin: String,
                                   postings: inout PGCopyBinary, entries: inout PGCopyBinary,
                                   entryRows: inout Int) throws(OutboxPayloadReader.Failure) -> Bool {
        let fields = try OutboxPayloadReader.read(bytes)
        var isReversal = false
        if case .string(let range, escaped: false) = fields.kind {
            isReversal = bytes[range].elementsEqual("reversal".utf8)
        }
        postings.beginRow(fields: 12)
        postings.text(origin)
        postings.int64(record.seq.value)
        postings.text(record.key)
        for value in [fields.kind, fields.ref, fields.station, fields.device, fields.sscc, fields.time] {
            try text(value, in: bytes, to: &postings)
        }
        postings.int64(try integer(fields.reverses))
        postings.int64(record.commitTimeMicros)
        postings.text(bytes)
        guard !isReversal else { return true }
        for (line, entry) in fields.entries.enumerated() {
            entries.beginRow(fields: 9)
            entries.text(origin)
            entries.int64(record.seq.value)
            entries.int32(Int32(truncatingIfNeeded: line))
            for value in [entry.location, entry.item, entry.lot, entry.serial, entry.epc] {
                try text(value, in: bytes, to: &entries)
            }
            entries.int64(try integer(entry.qty))
            entryRows += 1
        }
        return false
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
