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
    /// A carrier's shipping label (UPS, FedEx, USPS or a site rule): the
    /// scan translator recognises and checks tracking numbers where the GS1
    /// decoder finds nothing it knows, so the station gets the checked
    /// number, or the reason it failed its check.
    case carrierLabel(CarrierLabelScan)
    /// Nothing happened; lets a station run its idle timeout.
    case idleTick

    /// The input's kind as the socket stream and the station journal name it.
    public var kindName: String {
        switch self {
        case .tradeItem: return "trade-item"
        case .logisticUnit: return "logistic-unit"
        case .location: return "location"
        case .document: return "document"
        case .command: return "command"
        case .badge: return "badge"
        case .reason: return "reason"
        case .tag: return "tag"
        case .tagArrived: return "tag-arrived"
        case .tagDeparted: return "tag-departed"
        case .cycleReport: return "cycle-report"
        case .unrecognized: return "unrecognized"
        case .carrierLabel: return "carrier-label"
        case .idleTick: return "idle-tick"
        }
    }
}

/// A checked carrier tracking number, as the ship station stores it.
public struct CarrierLabel: Hashable, Sendable, Codable {
    public var carrier: String
    /// The carrier's service code where the number encodes one.
    public var service: String?
    /// The number the carrier's tracking page takes.
    public var tracking: String
    /// The format that matched (`ups-1z`, `usps-impb`…).
    public var rule: String
    public init(carrier: String, service: String? = nil, tracking: String, rule: String) {
        self.carrier = carrier; self.service = service; self.tracking = tracking; self.rule = rule
    }
}

/// A scan with a carrier label's shape: valid, or refused with why.
public enum CarrierLabelScan: Hashable, Sendable {
    case valid(CarrierLabel)
    /// `text` as scanned (printable), `reason` the check that failed.
    case invalid(text: String, reason: String)

    /// What other stations show when they refuse it as an unknown barcode.
    public var text: String {
        switch self {
        case .valid(let l): return l.tracking
        case .invalid(let text, _): return text
        }
    }
}
