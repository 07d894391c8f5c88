import Foundation
import ScanModel
import Testing
@testable import Stations

@Suite struct ValueTests {
    @Test func civilDateRoundTripsAndKnowsLeapYears() throws {
        #expect(CivilDate(year: 1970, month: 1, day: 1)?.daysSinceEpoch == 0)
        #expect(CivilDate(year: 2000, month: 3, day: 1)?.daysSinceEpoch == 11017)
        for d in stride(from: -800_000, through: 3_000_000, by: 997) {
            #expect(CivilDate(daysSinceEpoch: d).daysSinceEpoch == d)
        }
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2026, month: 13, day: 1) == nil)
        #expect(CivilDate(year: 2026, month: 4, day: 31) == nil)
        #expect(CivilDate(iso: "2026-11-22")?.iso == "2026-11-22")
        for bad in ["2026-11-2", "2026/11/22", "20261122", "2026-1x-22", "-026-11-22", ""] { #expect(CivilDate(iso: bad) == nil) }
    }

    @Test func wallClockDateHonoursTheSiteOffset() {
        let late = Microseconds.seconds(Int64(CivilDate(year: 2026, month: 11, day: 22)!.daysSinceEpoch) * 86_400 + 23 * 3600)
        #expect(CivilDate(wallClock: late, utcOffsetSeconds: 0).iso == "2026-11-22")
        #expect(CivilDate(wallClock: late, utcOffsetSeconds: 3600).iso == "2026-11-23")
        #expect(CivilDate(wallClock: Microseconds(-1), utcOffsetSeconds: 0).iso == "1969-12-31")
    }

    @Test func expiryDayZeroIsTheEndOfTheMonth() {
        #expect(ExpiryDate(year: 2024, month: 2, day: 0)?.lastValidDay.iso == "2024-02-29")
        #expect(ExpiryDate(year: 2026, month: 4, day: 0)?.lastValidDay.iso == "2026-04-30")
        #expect(ExpiryDate(year: 2026, month: 4, day: 31) == nil)
        #expect(ExpiryDate(year: 2026, month: 0, day: 1) == nil)
    }

    @Test func idempotencyKeysAreDeterministicAndDistinct() throws {
        #expect(IdempotencyKey.make(station: "dock-1", workflow: "receipt", session: 7) == "dock-1/receipt/7")
        #expect(IdempotencyKey.make(station: "dock-1", workflow: "receipt", session: 7, part: "a") == "dock-1/receipt/7/a")
        let store = InMemorySessionStore()
        let numbers = (0..<5).map { _ in try? store.nextSessionNumber(station: "a") }
        #expect(numbers == [1, 2, 3, 4, 5])
        #expect(try store.nextSessionNumber(station: "b") == 1)
    }

    @Test func eventTimesAreISO8601UTCWithMicroseconds() throws {
        #expect(StationJSON.iso8601(1_763_805_600_000_001) == "2025-11-22T10:00:00.000001Z")
        #expect(StationJSON.iso8601(-1) == "1969-12-31T23:59:59.999999Z")
    }

    // Sessions and documents saved before the kernel contract must still read,
    // and new ones must be written the same way.
    @Test func storedSequencesAndPostingLinesKeepTheirJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let status = #"{"partial":{"seqs":[3,9]}}"#
        #expect(String(decoding: try encoder.encode(DocumentStatus.partial(seqs: [3, 9])), as: UTF8.self) == status)
        #expect(try JSONDecoder().decode(DocumentStatus.self, from: Data(status.utf8)) == .partial(seqs: [3, 9]))
        let line = #"{"expiry":{"day":31,"month":1,"year":2027},"from":"@supplier","item":"00614141000012","lot":"L1","qty":2,"to":"DOCK-1"}"#
        let value = PostingLine(item: "00614141000012", qty: 2, from: VirtualLocation.supplier, to: "DOCK-1",
                                lot: "L1", expiry: CivilDate(year: 2027, month: 1, day: 31))
        #expect(String(decoding: try encoder.encode(value), as: UTF8.self) == line)
        #expect(try JSONDecoder().decode(PostingLine.self, from: Data(line.utf8)) == value)
    }

    @Test func eventJSONCarriesResultReasonAndState() throws {
        let view = StationView(station: "pack-1", workflow: "pack", state: "packing", document: "SO-1",
                               lines: [StationViewLine(item: "X", expected: 2, scanned: 1)])
        let e = StationEvent(station: "pack-1", time: .zero, feedback: .error(.overPack, "too many"), view: view)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(e.json.utf8)) as? [String: Any])
        #expect(object["accepted"] as? Bool == false)
        #expect(object["code"] as? String == "over-pack")
        #expect(object["signal"] as? String == "error")
        #expect((object["view"] as? [String: Any])?["document"] as? String == "SO-1")
        #expect(view.render().contains("X: 1/2 short"))
    }

    @Test func sessionStateSurvivesEncoding() throws {
        // A corrupt saved session is a typed error naming the station, not a crash.
        let w = World()
        try w.sessions.saveSession(station: "dock-9", snapshot: Data("{not json".utf8))
        #expect(throws: StationError.self) {
            _ = try ReceivingStation(config: ReceivingConfig(station: "dock-9", dock: "DOCK-1"), dependencies: w.deps())
        }
    }
}

@Suite struct HostileTimeTests {
    @Test func extremeDeviceTimesDoNotTrap() throws {
        let w = World()
        try w.expected.store(asns: [ASN(number: "A", lines: [ASNLine(item: w.plainItem, quantity: 1, expiry: nil)])], orders: [])
        let s = try ReceivingStation(config: ReceivingConfig(station: "d", dock: "DOCK-1"), dependencies: w.deps())
        s.feed(.document("A"), Microseconds(Int64.max))
        s.feed(.tradeItem(TradeItemScan(gtin: w.plain, expiry: ExpiryDate(year: 2026, month: 1, day: 1))), Microseconds(Int64.min))
        #expect(s.feed(.idleTick, Microseconds(Int64.min)).feedback.code == .ignored)
        #expect(StationJSON.iso8601(Int64.min).hasSuffix("Z"))
        #expect(CivilDate(wallClock: Microseconds(Int64.max), utcOffsetSeconds: 50_400).year > 9999)
    }

    /// Serials are told apart by item and serial together, not by a joined string.
    @Test func seenUnitsKeyASerialByItemAndSerial() {
        var seen = SeenUnits()
        seen.insert(item: "A", serial: "1", epc: "E1")
        seen.insert(item: "B", serial: nil, epc: nil)
        seen.insert(epc: "E2")
        #expect(seen.contains(item: "A", serial: "1") && !seen.contains(item: "B", serial: "1"))
        #expect(seen.contains(epc: "E1") && seen.contains(epc: "E2") && !seen.contains(epc: "E3"))
    }

    /// A line from a barcode without a quantity is one unit.
    @Test func aBarcodeLineWithoutAQuantityIsOneUnit() throws {
        let gtin = try #require(GTIN("09506000134352"))
        #expect(ScannedLine(TradeItemScan(gtin: gtin, lot: "L1")).quantity == 1)
        #expect(ScannedLine(TradeItemScan(gtin: gtin, quantity: 6)).quantity == 6)
    }
}
