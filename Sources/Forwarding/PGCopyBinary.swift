import CLibPQ

/// Rows in PostgreSQL's binary COPY format: no escaping of any character
/// (tabs, newlines, backslashes travel as they are) and no text-to-number
/// parsing on the server. Layout: a signature and two zero words, then per
/// row a 16-bit field count and each field as a 32-bit length (-1 = NULL)
/// followed by its bytes (integers big-endian), then a -1 trailer.
struct PGCopyBinary {
    private(set) var bytes: [UInt8]

    init(capacity: Int) {
        bytes = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
        bytes.reserveCapacity(capacity)
    }

    mutating func beginRow(fields: Int16) { appendBigEndian(UInt16(bitPattern: fields)) }

    mutating func null() { appendBigEndian(UInt32.max) }

    mutating func int64(_ value: Int64?) {
        guard let value else { null(); return }
        appendBigEndian(UInt32(8))
        appendBigEndian(UInt64(bitPattern: value))
    }

    mutating func int32(_ value: Int32) {
        appendBigEndian(UInt32(4))
        appendBigEndian(UInt32(bitPattern: value))
    }

    /// A text field from UTF-8 bytes.
    mutating func text(_ utf8: UnsafeBufferPointer<UInt8>) {
        appendBigEndian(UInt32(truncatingIfNeeded: utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func text(_ value: String?) {
        guard var value else { null(); return }
        value.withUTF8 { text($0) }
    }

    /// A text field whose bytes are written by `body` (length patched after).
    mutating func text(writing body: (inout [UInt8]) throws(OutboxPayloadReader.Failure) -> Void) throws(OutboxPayloadReader.Failure) {
        let lengthAt = bytes.count
        appendBigEndian(UInt32(0))
        try body(&bytes)
        patchLength(at: lengthAt)
    }

    /// Writes the length of the field that starts at `lengthAt` (after its 4 length bytes).
    private mutating func patchLength(at lengthAt: Int) {
        let length = UInt32(truncatingIfNeeded: bytes.count - lengthAt - 4)
        for i in 0..<4 { bytes[lengthAt + i] = UInt8(truncatingIfNeeded: length >> (24 - 8 * UInt32(i))) }
    }

    /// Element type ids of the arrays written here (pg_type.oid).
    enum ElementType: UInt32 {
        case int8 = 20
        case text = 25
    }

    /// A one-dimensional array field of `count` elements written by
    /// `element(i)` (with `text`, `int64` or `null`); lengths patched after.
    mutating func array(of type: ElementType, count: Int,
                        _ element: (inout PGCopyBinary, Int) throws(OutboxPayloadReader.Failure) -> Void) throws(OutboxPayloadReader.Failure) {
        let lengthAt = bytes.count
        appendBigEndian(UInt32(0))
        appendBigEndian(UInt32(count > 0 ? 1 : 0)) // dimensions (an empty array has none)
        appendBigEndian(UInt32(0))                 // "has nulls": the server works it out itself
        appendBigEndian(type.rawValue)
        if count > 0 {
            appendBigEndian(UInt32(truncatingIfNeeded: count))
            appendBigEndian(UInt32(1))             // lower bound
            for i in 0..<count { try element(&self, i) }
        }
        patchLength(at: lengthAt)
    }

    /// The finished stream (trailer appended).
    mutating func finish() -> [UInt8] {
        appendBigEndian(UInt16.max)
        return bytes
    }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}

extension PGConnection {
    /// Runs `COPY … FROM STDIN (FORMAT binary)` with `data`; returns the rows copied.
    /// A failure (e.g. a unique violation) carries the server's SQLSTATE.
    func copyIn(_ sql: String, _ data: [UInt8]) throws(CentralError) -> Int {
        let started = try startCopy(sql)
        guard started else { throw CentralError(.query, "central database: \(sql) did not enter COPY mode") }
        var sendFailed = false
        data.withUnsafeBufferPointer { buffer in
            // Chunks: PQputCopyData takes an Int32 length.
            var offset = 0
            while offset < buffer.count, !sendFailed {
                let n = min(1 << 20, buffer.count - offset)
                let ok = buffer.baseAddress.map { base in
                    (base + offset).withMemoryRebound(to: CChar.self, capacity: n) { PQputCopyData(conn, $0, Int32(n)) == 1 }
                } ?? false
                if !ok { sendFailed = true }
                offset += n
            }
        }
        let ended = PQputCopyEnd(conn, sendFailed ? "sending COPY data failed" : nil) == 1
        // The COPY's own result, then nil: drain all so the connection is usable again.
        var outcome: Result<PGResult, CentralError> = .failure(CentralError(.connection, "central database: COPY ended without a result"))
        var first = true
        while let result = PQgetResult(conn) {
            let checked = check(result, sql: sql)
            if first { outcome = checked; first = false }
        }
        if !ended && first { throw CentralError(.connection, "central database: the connection broke during COPY") }
        return try outcome.get().affected
    }
}
