/// RFC 3339 timestamps (`2024-05-01T10:15:00Z`, `2024-05-01T10:15:00.250+02:00`)
/// parsed on bytes: every posting carries one, and Foundation's ISO 8601
/// formatter costs more than the rest of a posting together. Years are four
/// digits, so the text form covers 0001-01-01 to 9999-12-31.
public struct EventTime: Equatable, Sendable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var micros: Int64
    /// The UTC offset as written, in minutes (0 for `Z`).
    public var offsetMinutes: Int

    public init(micros: Int64, offsetMinutes: Int = 0) { self.micros = micros; self.offsetMinutes = offsetMinutes }

    /// Nil unless `text` is a complete RFC 3339 date-time with `Z` or `±HH:MM`
    /// on a real calendar day (2025-02-29 is nil).
    public init?(_ text: String) {
        var s = text
        guard let parsed = s.withUTF8({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    /// The last moment the ledger stores as event time, 9999-12-31T23:59:59Z:
    /// later (and pre-1970) device clocks are clamped into `representableMicros`
    /// so the text keeps a four-digit year and parses back.
    public static let latestRepresentableMicros: Int64 = 253_402_300_799_000_000
    public static let representableMicros: ClosedRange<Int64> = 0...latestRepresentableMicros

    /// `micros` moved into `representableMicros`.
    public static func clamped(micros: Int64) -> Int64 {
        min(max(micros, representableMicros.lowerBound), representableMicros.upperBound)
    }

    /// `+02:00` style, as EPCIS wants in `eventTimeZoneOffset`.
    public var offsetText: String {
        let m = abs(offsetMinutes)
        return (offsetMinutes < 0 ? "-" : "+") + CivilCalendar.padded(m / 60, 2) + ":" + CivilCalendar.padded(m % 60, 2)
    }

    /// UTC with milliseconds: `2024-05-01T08:15:00.250Z` (the ledger and EPCIS form).
    public static func utcText(micros: Int64) -> String { utcText(micros: micros, fractionDigits: 3) }

    /// UTC with microseconds: `2024-05-01T08:15:00.250000Z` (the station wire form).
    public static func utcMicrosecondText(micros: Int64) -> String { utcText(micros: micros, fractionDigits: 6) }

    /// UTC with 3 or 6 fraction digits (truncated, never rounded up into the next second).
    static func utcText(micros: Int64, fractionDigits: Int) -> String {
        // Floor division: a moment before the epoch belongs to the second (and day) before.
        let (q, r) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let seconds = r < 0 ? q - 1 : q
        let fraction = Int(r < 0 ? r + 1_000_000 : r)
        let (dq, dr) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let days = dr < 0 ? dq - 1 : dq
        let secondOfDay = Int(dr < 0 ? dr + 86_400 : dr)
        let date = CivilCalendar.civilFromDays(Int(days))
        let fractionText = fractionDigits == 6 ? CivilCalendar.padded(fraction, 6) : CivilCalendar.padded(fraction / 1_000, 3)
        return CivilCalendar.isoDate(year: date.year, month: date.month, day: date.day) + "T"
            + CivilCalendar.padded(secondOfDay / 3600, 2) + ":" + CivilCalendar.padded(secondOfDay / 60 % 60, 2) + ":"
            + CivilCalendar.padded(secondOfDay % 60, 2) + "." + fractionText + "Z"
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> EventTime? {
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var v = 0
            for i in at..<(at + count) {
                let d = Int(b[i]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                v = v * 10 + d
            }
            return v
        }
        func byte(_ at: Int, _ c: Character) -> Bool { at < b.count && b[at] == c.asciiValue }
        guard let year = digits(0, 4), byte(4, "-"), let month = digits(5, 2), byte(7, "-"), let day = digits(8, 2),
              byte(10, "T") || byte(10, "t") || byte(10, " "),
              let hour = digits(11, 2), byte(13, ":"), let minute = digits(14, 2), byte(16, ":"), let second = digits(17, 2)
        else { return nil }
        guard CivilCalendar.isValid(year: year, month: month, day: day), hour < 24, minute < 60, second <= 60 else { return nil }
        var i = 19
        var micros = 0
        if byte(i, ".") {
            i += 1
            var scale = 100_000
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                micros += Int(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offset = 0
        if byte(i, "Z") || byte(i, "z") {
            i += 1
        } else if byte(i, "+") || byte(i, "-") {
            guard let oh = digits(i + 1, 2), byte(i + 3, ":"), let om = digits(i + 4, 2), oh < 24, om < 60 else { return nil }
            offset = (oh * 60 + om) * (byte(i, "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset * 60)
        return EventTime(micros: seconds * 1_000_000 + Int64(micros), offsetMinutes: offset)
    }
}
