/// A civil date (no time zone): expiry dates from AI (17) and the "today" a
/// station derives from its injected clock.
public struct CivilDate: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Nil unless month is 1…12 and day is valid for that month.
    public init?(year: Int, month: Int, day: Int) {
        guard CivilCalendar.isValid(year: year, month: month, day: day) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Days since 1970-01-01, for differences.
    public var daysSinceEpoch: Int { CivilCalendar.daysFromCivil(year: year, month: month, day: day) }

    public init(daysSinceEpoch: Int) {
        (year, month, day) = CivilCalendar.civilFromDays(daysSinceEpoch)
    }

    /// The local date of a wall-clock time (µs since the Unix epoch).
    public init(wallClock time: Microseconds, utcOffsetSeconds: Int) {
        // Floor division: a moment before the epoch belongs to the day before.
        let (q, r) = time.value.quotientAndRemainder(dividingBy: 1_000_000)
        let seconds = (r < 0 ? q - 1 : q) + Int64(utcOffsetSeconds)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        self.init(daysSinceEpoch: Int(clamping: days))
    }

    /// ISO 8601 "YYYY-MM-DD"; nil for anything else.
    public init?(iso text: some StringProtocol) {
        guard let date = CivilCalendar.parseISODate(text) else { return nil }
        self.init(year: date.year, month: date.month, day: date.day)
    }

    public var iso: String { CivilCalendar.isoDate(year: year, month: month, day: day) }
    public var description: String { iso }
    public static func < (a: CivilDate, b: CivilDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}
