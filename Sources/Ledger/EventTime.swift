/// RFC 3339 timestamps (`2024-05-01T10:15:00Z`, `2024-05-01T10:15:00.250+02:00`)
/// parsed on bytes: every posting carries one, and Foundation's ISO 8601
/// formatter costs more than the rest of a posting together.
public struct EventTime: Equatable, Sendable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var micros: Int64
    /// The UTC offset as written, in minutes (0 for `Z`).
    public var offsetMinutes: Int

    /// Nil unless `text` is a complete RFC 3339 date-time with `Z` or `±HH:MM`.
    public init?(_ text: String) {
        var s = text
        guard let parsed = s.withUTF8({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    /// `+02:00` style, as EPCIS wants in `eventTimeZoneOffset`.
    public var offsetText: String {
        let sign = offsetMinutes < 0 ? "-" : "+"
        let m = abs(offsetMinutes)
        return sign + twoDigits(m / 60) + ":" + twoDigits(m % 60)
    }

    /// UTC with milliseconds: `2024-05-01T08:15:00.250Z`.
    public static func utcText(micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let millis = Int((micros - seconds * 1_000_000) / 1_000)
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        // Civil date from days since the epoch (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        let ms = String(millis)
        return String(year) + "-" + twoDigits(month) + "-" + twoDigits(day) + "T" + twoDigits(secondOfDay / 3600) + ":" +
            twoDigits(secondOfDay / 60 % 60) + ":" + twoDigits(secondOfDay % 60) + "." +
            String(repeating: "0", count: 3 - ms.count) + ms + "Z"
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
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second <= 60 else { return nil }
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
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset * 60)
        return EventTime(micros: seconds * 1_000_000 + Int64(micros), offsetMinutes: offset)
    }

    private init(micros: Int64, offsetMinutes: Int) { self.micros = micros; self.offsetMinutes = offsetMinutes }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

private func twoDigits(_ v: Int) -> String { v < 10 ? "0" + String(v) : String(v) }
