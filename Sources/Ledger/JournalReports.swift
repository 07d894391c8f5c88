import ScanModel

// What `scanledger journal`, `scanledger receipt-report` and the control
// socket's `journal` and `receipt-report` requests share: the `since` forms,
// one JSON shape per journal entry and the closed receipt's report read back
// from its journal entry. Kept here so the CLI and the socket cannot drift.

/// A `since` value that is none of the accepted forms; the text says why.
public struct JournalSinceError: Error, CustomStringConvertible {
    public let description: String
}

extension JournalQuery {
    /// `since` as RFC 3339 (`2026-12-03T08:00:00Z`), a date (`2026-12-03`,
    /// midnight UTC) or a span back from `now` (`90m`, `24h`, `7d`).
    public static func since(_ text: String, now: Microseconds) throws(JournalSinceError) -> Microseconds {
        if let t = EventTime(text) { return Microseconds(t.micros) }
        if let d = CivilCalendar.parseISODate(text) {
            return Microseconds(Int64(CivilCalendar.daysFromCivil(year: d.year, month: d.month, day: d.day)) * 86_400_000_000)
        }
        let unitSeconds: [Character: Int64] = ["m": 60, "h": 3_600, "d": 86_400]
        if let unit = text.last, let seconds = unitSeconds[unit] {
            // Digits only: "-5h" or "+5h" would look like a time zone to a reader.
            let digits = text.dropLast()
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let n = Int64(digits) else {
                throw JournalSinceError(description: "'\(text)' is not a whole number of \(unit == "m" ? "minutes" : unit == "h" ? "hours" : "days") (like 24h)")
            }
            // Past the epoch is no filter at all; cap instead of overflowing.
            let (span, overflow) = n.multipliedReportingOverflow(by: seconds * 1_000_000)
            return Microseconds(overflow || span > now.value ? 0 : now.value - span)
        }
        throw JournalSinceError(description: "'\(text)' is not an RFC 3339 time (2026-12-03T08:00:00Z), a date (2026-12-03) or a span back from now (90m, 24h, 7d)")
    }
}

extension JournalRecord {
    /// Every field, sorted keys; `detail` embedded as the object it is.
    public var jsonText: String {
        let e = entry
        return JSONText.object([
            ("id", String(id)), ("seq", JSONText.number(seq?.value)), ("time", JSONText.quote(timeText)),
            ("time_us", String(e.time.value)), ("station", JSONText.quote(e.station)), ("device", JSONText.quote(e.device)),
            ("operator", JSONText.quote(e.operatorID)), ("severity", JSONText.quote(e.severity.rawValue)),
            ("code", JSONText.quote(e.code)), ("document", JSONText.quote(e.document)), ("reason", JSONText.quote(e.reason)),
            ("message", JSONText.quote(e.message)), ("detail", Self.embedded(e.detail)),
        ])
    }

    /// The detail as JSON; text that is not JSON (never written by a station,
    /// but the column is plain text) is kept as a string rather than lost.
    static func embedded(_ detail: String) -> String {
        (try? JSONReader.parse(detail, file: "detail")).map { JSONText.encode($0.value) } ?? JSONText.quote(detail)
    }
}

/// A closed receipt as its `receipt-report` journal entry recorded it.
public struct ClosedReceiptReport: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        /// The ASN line (1, 2, 3…); nil for an unexpected item.
        public var line: Int?
        public var item: String
        public var lot: String?
        public var expected: Int64, received: Int64, over: Int64, short: Int64
        /// Received units that failed inspection (posted to quarantine or damaged, not the dock).
        public var quarantined: Int64 = 0, damaged: Int64 = 0
    }
    /// Some units failed inspection at receiving.
    public var hasHeld: Bool { (lines + unexpected).contains { $0.quarantined + $0.damaged > 0 } }
    public var asn: String
    public var station: String
    public var time: String
    public var journalID: Int64
    public var partial: Bool
    public var lines: [Line]
    public var unexpected: [Line]

    /// Reads the entry's detail; nil when it is not a receipt report.
    public init?(_ record: JournalRecord) {
        guard record.entry.code == "receipt-report", let asn = record.entry.document,
              let detail = try? JSONCursor.parse(Array(record.entry.detail.utf8), file: "detail"),
              let lines = try? Self.lines(detail.optional("lines")), let unexpected = try? Self.lines(detail.optional("unexpected"))
        else { return nil }
        self.asn = asn; station = record.entry.station; time = record.timeText; journalID = record.id
        partial = (try? detail.optional("partial")?.bool()) ?? false
        self.lines = lines; self.unexpected = unexpected
    }

    private static func lines(_ array: JSONCursor?) throws(TextError) -> [Line] {
        guard let array else { return [] }
        var out: [Line] = []
        for l in try array.array() {
            func qty(_ key: String) throws(TextError) -> Int64 { Int64(try l.optional(key)?.int(in: 0...Int.max) ?? 0) }
            out.append(Line(line: try l.optional("line")?.int(in: 0...Int.max), item: try l.required("item").string(),
                            lot: try l.optional("lot")?.string(), expected: try qty("expected"), received: try qty("received"),
                            over: try qty("over"), short: try qty("short"), quarantined: try qty("quarantined"), damaged: try qty("damaged")))
        }
        return out
    }

    /// asn, station, time, journal_id, partial, lines and unexpected
    /// ([{line, item, lot, expected, received, over, short}], plus quarantined
    /// and damaged when units failed inspection).
    public var jsonText: String {
        let held = hasHeld
        func line(_ l: Line) -> String {
            var fields = [("line", l.line.map { String($0) } ?? "null"), ("item", JSONText.quote(l.item)), ("lot", JSONText.quote(l.lot)),
                          ("expected", String(l.expected)), ("received", String(l.received)), ("over", String(l.over)), ("short", String(l.short))]
            if held { fields += [("quarantined", String(l.quarantined)), ("damaged", String(l.damaged))] }
            return JSONText.object(fields)
        }
        return JSONText.object([
            ("asn", JSONText.quote(asn)), ("station", JSONText.quote(station)), ("time", JSONText.quote(time)),
            ("journal_id", String(journalID)), ("partial", partial ? "true" : "false"),
            ("lines", "[" + lines.map(line).joined(separator: ",") + "]"),
            ("unexpected", "[" + unexpected.map(line).joined(separator: ",") + "]"),
        ])
    }
}

extension Ledger {
    /// The latest closed receipt of `asn` (a receipt closed again after a
    /// partial close has a newer report), or nil when it was never closed.
    public func closedReceiptReport(asn: String) throws -> ClosedReceiptReport? {
        var latest: JournalRecord?
        var query = JournalQuery(code: "receipt-report", document: asn, limit: 1_000)
        // Journal order is oldest first: page to the end.
        while true {
            let page = try stationJournal(query)
            guard let last = page.last else { break }
            latest = last
            query.afterID = last.id
        }
        return latest.flatMap(ClosedReceiptReport.init)
    }
}
