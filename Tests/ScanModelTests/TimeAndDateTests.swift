import Testing
import ScanModel

/// The one ISO-8601 time and civil calendar.
@Suite struct TimeAndDateTests {
    @Test func parsesOffsetsAndFractions() throws {
        let t = try #require(EventTime("2024-05-01T10:15:00.250+02:00"))
        #expect(t.micros == 1_714_551_300_250_000 && t.offsetMinutes == 120 && t.offsetText == "+02:00")
        #expect(EventTime("2024-05-01T08:15:00.25Z")?.micros == t.micros)
        #expect(EventTime("1970-01-01T00:00:00.000001Z")?.micros == 1)
        #expect(EventTime("2024-05-01T08:15:00-00:30")?.offsetText == "-00:30")
    }

    @Test func refusesInvalidDatesAndShapes() {
        for bad in ["2025-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-04-31T00:00:00Z", "2024-05-01T24:00:00Z",
                    "2024-05-01T10:15:00", "2024-05-01T10:15:00.Z", "2024-05-01", "2024-05-01T10:15:00Z junk"] {
            #expect(EventTime(bad) == nil, "\(bad)")
        }
        #expect(EventTime("2024-02-29T00:00:00Z") != nil) // a leap year
    }

    @Test func formatsRoundTrip() throws {
        for micros: Int64 in [0, 1, 999_999, 1_714_551_300_250_000, -1, -86_400_000_001, EventTime.latestRepresentableMicros] {
            let millis = EventTime.utcText(micros: micros)
            let exact = EventTime.utcMicrosecondText(micros: micros)
            #expect(EventTime(exact)?.micros == micros, "\(exact)")
            // Milliseconds truncate towards the past.
            let floored = micros - ((micros % 1_000) + 1_000) % 1_000
            #expect(EventTime(millis)?.micros == floored, "\(millis)")
        }
        #expect(EventTime.utcText(micros: 1_714_551_300_250_000) == "2024-05-01T08:15:00.250Z")
        #expect(EventTime.utcMicrosecondText(micros: -1) == "1969-12-31T23:59:59.999999Z")
    }

    @Test func clampKeepsAFourDigitYear() {
        #expect(EventTime.clamped(micros: .max) == EventTime.latestRepresentableMicros)
        #expect(EventTime.utcText(micros: EventTime.clamped(micros: .max)) == "9999-12-31T23:59:59.000Z")
        #expect(EventTime.clamped(micros: -5) == 0)
        #expect(EventTime.clamped(micros: 42) == 42)
    }

    @Test func civilCalendar() {
        #expect(CivilCalendar.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilCalendar.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
        for days in stride(from: -800_000, through: 2_932_896, by: 997) {
            let d = CivilCalendar.civilFromDays(days)
            #expect(CivilCalendar.daysFromCivil(year: d.year, month: d.month, day: d.day) == days)
        }
        #expect(CivilCalendar.parseISODate("2025-02-29") == nil)
        #expect(CivilCalendar.parseISODate("2024-02-29")! == (2024, 2, 29))
        #expect(CivilCalendar.parseISODate("2024-1-01") == nil && CivilCalendar.parseISODate("+024-01-01") == nil)
        #expect(CivilCalendar.isoDate(year: 5, month: 1, day: 2) == "0005-01-02")
        #expect(!CivilCalendar.isValid(year: 0, month: 1, day: 1) && !CivilCalendar.isValid(year: 2023, month: 2, day: 29))
    }

    /// CivilDate reads ISO text with the calendar's parser: digits only, so a
    /// sign in the month or day (once read by `Int(_:)`) is refused too.
    @Test func civilDateReadsISOWithTheCalendarsParser() {
        #expect(CivilDate(iso: "2024-02-29") == CivilDate(year: 2024, month: 2, day: 29))
        for bad in ["2025-+1-05", "2025-01-+5", "2025-02-29", "0000-01-01"] { #expect(CivilDate(iso: bad) == nil, "\(bad)") }
        #expect(CivilDate(daysSinceEpoch: 11_017).iso == "2000-03-01")
        #expect(CivilDate(year: 2000, month: 3, day: 1)?.daysSinceEpoch == 11_017)
    }
}
