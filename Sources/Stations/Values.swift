import ScanModel

/// An expiry as GS1 AI (17) carries it: day 0 means "end of that month".
public struct ExpiryDate: Hashable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Day 0 is checked as day 1: any month has an end.
    public init?(year: Int, month: Int, day: Int) {
        guard day >= 0, CivilCalendar.isValid(year: year, month: month, day: max(day, 1)) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// The last day the goods may be used.
    public var lastValidDay: CivilDate {
        let d = day == 0 ? CivilCalendar.daysIn(month: month, year: year) : day
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
    /// An operator's badge id: signs the operator in.
    case badge(String)
    /// A reason code for the override that follows.
    case reason(String)
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
