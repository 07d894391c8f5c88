import ScanModel

/// An item as the ledger names it: a GTIN-14 (digits) or a site SKU. Kept as a
/// string so session state persists as plain JSON and SKU-only items work.
public struct ItemCode: Hashable, Sendable, Comparable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let code: String
    public init(_ code: String) { self.code = code }
    public init(stringLiteral code: String) { self.code = code }
    public init(gtin: GTIN) { self.code = gtin.digits }
    public var description: String { code }
    public static func < (a: ItemCode, b: ItemCode) -> Bool { a.code < b.code }

    public init(from decoder: Decoder) throws { code = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(code)
    }
}

/// A civil date (no time zone): expiry dates from AI (17) and the "today" a
/// station derives from its injected clock.
public struct CivilDate: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Nil unless month is 1…12 and day is valid for that month.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (H. Hinnant's days_from_civil), for differences.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
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
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
              let y = Int(String(decoding: u[0..<4], as: UTF8.self)),
              let m = Int(String(decoding: u[5..<7], as: UTF8.self)),
              let d = Int(String(decoding: u[8..<10], as: UTF8.self)),
              u[0..<4].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var iso: String {
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
    public var description: String { iso }
    public static func < (a: CivilDate, b: CivilDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}

/// An expiry as GS1 AI (17) carries it: day 0 means "end of that month".
public struct ExpiryDate: Hashable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 0, day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// The last day the goods may be used.
    public var lastValidDay: CivilDate {
        let d = day == 0 ? CivilDate.daysIn(month: month, year: year) : day
        return CivilDate(year: year, month: month, day: d) ?? CivilDate(daysSinceEpoch: 0)
    }
    public var description: String { lastValidDay.iso }
}

/// One trade item barcode: (01) with the optional (10) lot, (17) expiry,
/// (21) serial and (30)/(37) quantity. Quantity nil means one unit.
public struct TradeItemScan: Hashable, Sendable {
    public var gtin: GTIN
    public var lot: String?
    public var expiry: ExpiryDate?
    public var serial: String?
    public var quantity: Int?
    public init(gtin: GTIN, lot: String? = nil, expiry: ExpiryDate? = nil, serial: String? = nil, quantity: Int? = nil) {
        self.gtin = gtin; self.lot = lot; self.expiry = expiry; self.serial = serial; self.quantity = quantity
    }
}

/// An RFID tag with, when the EPC is an SGTIN, its GTIN and serial already decoded.
public struct EPCTag: Hashable, Sendable {
    public var epc: EPC
    public var gtin: GTIN?
    public var serial: String?
    public init(epc: EPC, gtin: GTIN? = nil, serial: String? = nil) {
        self.epc = epc; self.gtin = gtin; self.serial = serial
    }
}

/// One tag in an event-cycle report.
public struct CycleTag: Hashable, Sendable {
    public var tag: EPCTag
    public var count: UInt32
    public var peakRSSI: Float?
    public var firstSeen: Microseconds
    public var lastSeen: Microseconds
    public init(tag: EPCTag, count: UInt32 = 1, peakRSSI: Float? = nil, firstSeen: Microseconds = .zero, lastSeen: Microseconds = .zero) {
        self.tag = tag; self.count = count; self.peakRSSI = peakRSSI; self.firstSeen = firstSeen; self.lastSeen = lastSeen
    }
}

/// The end of one pipeline event cycle in a zone: CURRENT plus the changes
/// against the previous cycle. Stations use `current`.
public struct CycleReport: Hashable, Sendable {
    public var zone: String
    public var current: [CycleTag]
    public var additions: [EPC]
    public var deletions: [EPC]
    public init(zone: String, current: [CycleTag], additions: [EPC] = [], deletions: [EPC] = []) {
        self.zone = zone; self.current = current; self.additions = additions; self.deletions = deletions
    }
}

/// Everything a station can be fed. The service classifies scans (GS1
/// decoder) and pipeline events into these; the time goes alongside, injected.
public enum StationInput: Hashable, Sendable {
    case tradeItem(TradeItemScan)
    case logisticUnit(SSCC)
    case location(LocationCode)
    /// An ASN/PO, order or tote number.
    case document(String)
    /// A command barcode or a device trigger, by its configured name.
    case command(String)
    /// A tag read deliberately (handheld), one item.
    case tag(EPCTag)
    case tagArrived(zone: String, tag: EPCTag)
    case tagDeparted(zone: String, tag: EPCTag)
    case cycleReport(CycleReport)
    /// A barcode the decoder could not classify (printable text of it), so the
    /// operator still gets an error beep and the stream still shows it.
    case unrecognized(String)
    /// Nothing happened; lets a station run its idle timeout.
    case idleTick
}
