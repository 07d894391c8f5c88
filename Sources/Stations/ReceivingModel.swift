import ScanModel

/// Configuration of one dock station.
public struct ReceivingConfig: Sendable {
    public var station: String
    /// Where received goods are posted to (the dock's receiving location).
    public var dock: LocationCode
    /// Accepted over-receipt per ASN line in percent of the announced quantity.
    public var overReceiptTolerancePercent: Int = 0
    /// Goods with fewer days of shelf life left than this are "short-dated".
    public var minRemainingShelfLifeDays: Int = 0
    /// Offset of the site's local date from UTC, for expiry checks.
    public var utcOffsetSeconds: Int = 0
    /// An open receipt with no activity for this long is closed (nil: never).
    public var idleTimeout: Microseconds? = .seconds(15 * 60)
    public var commands = CommandNames()
    /// Exceptions an override may accept; the others are always refused.
    public var overridable: Set<FeedbackCode> = [.unexpectedItem, .overReceipt, .expired, .shortDated]
    /// Which units are inspected, and where failed ones go.
    public var inspection = InspectionConfig()

    public init(station: String, dock: LocationCode) {
        self.station = station; self.dock = dock
    }
}

/// One thing received: an item scan, one tag, or one line of an SSCC's contents.
struct ReceivedUnit: Codable, Hashable {
    var item: ItemCode
    var lot: String?
    var expiry: CivilDate?
    var serial: String?
    var epc: String?
    var sscc: String?
    var quantity: Int
    var overrides: [FeedbackCode] = []
    /// The reason code scanned for the override that accepted this unit.
    var overrideReason: String? = nil
}

/// The discrepancy of one ASN line (or of an unannounced item, `asnLine` nil).
public struct DiscrepancyLine: Hashable, Sendable {
    /// Index into the ASN's lines; nil for an unexpected item.
    public var asnLine: Int?
    public var item: ItemCode
    public var lot: String?
    public var expected: Int
    public var received: Int
    /// Received units that failed inspection, posted to quarantine or damaged instead of the dock.
    public var quarantined = 0
    public var damaged = 0
    /// Received units posted to the dock (available stock).
    public var accepted: Int { received - quarantined - damaged }
    public var over: Int { max(0, received - expected) }
    public var short: Int { max(0, expected - received) }
}

/// What a closed receipt reports: per ASN line expected/received/over/short,
/// then unexpected items.
public struct ReceiptReport: Hashable, Sendable {
    public var asn: String
    /// Ledger sequence of the receipt; nil when nothing was posted.
    public var seq: LedgerSequence?
    func posted(as seq: LedgerSequence) -> ReceiptReport { var r = self; r.seq = seq; return r }
    public var lines: [DiscrepancyLine]
    public var unexpected: [DiscrepancyLine]
    public var isExact: Bool { unexpected.isEmpty && lines.allSatisfy { $0.over == 0 && $0.short == 0 } }
    /// Units that failed inspection over all lines; nil when none did.
    public var held: (quarantined: Int, damaged: Int)? {
        let all = lines + unexpected
        let q = all.reduce(0) { $0 + $1.quarantined }, d = all.reduce(0) { $0 + $1.damaged }
        return q + d == 0 ? nil : (q, d)
    }
}

enum ReceivingMatcher {
    /// ASN lines a unit may count against: same item, and the line's lot if it names one.
    static func candidates(for u: ReceivedUnit, in lines: [ASNLine]) -> [Int] {
        let matching = lines.indices.filter { lines[$0].item == u.item && (lines[$0].lot == nil || lines[$0].lot == u.lot) }
        // Prefer the unit's own pallet, then lines naming its lot, then the rest.
        func rank(_ i: Int) -> Int {
            var r = 0
            if u.sscc != nil && lines[i].sscc == u.sscc { r -= 2 }
            if lines[i].lot != nil { r -= 1 }
            return r
        }
        return matching.sorted { (rank($0), $0) < (rank($1), $1) }
    }

    /// Fills ASN lines in scan order; what overflows lands on the last candidate.
    static func report(asn: String, lines: [ASNLine], units: [ReceivedUnit], seq: LedgerSequence?) -> ReceiptReport {
        var allocation = Allocation(lineCount: lines.count)
        for u in units { allocation.add(u, lines: lines) }
        return allocation.report(asn: asn, lines: lines, seq: seq)
    }
}

/// The running result of allocating received units to ASN lines. Incremental
/// (one unit at a time, in scan order), so a station keeps it up to date at
/// O(1) per scan instead of re-allocating the whole session for every view.
struct Allocation {
    var received: [Int]
    var unexpectedOrder: [String] = []
    var unexpected: [String: DiscrepancyLine] = [:]

    init(lineCount: Int) { received = [Int](repeating: 0, count: lineCount) }

    mutating func add(_ u: ReceivedUnit, lines: [ASNLine]) {
        let c = ReceivingMatcher.candidates(for: u, in: lines)
        guard let last = c.last, last < received.count else {
            let key = "\(u.item.code)\u{0}\(u.lot ?? "")"
            if unexpected[key] == nil {
                unexpectedOrder.append(key)
                unexpected[key] = DiscrepancyLine(asnLine: nil, item: u.item, lot: u.lot, expected: 0, received: 0)
            }
            unexpected[key]?.received += u.quantity
            return
        }
        var left = u.quantity
        for i in c where left > 0 {
            let room = max(0, lines[i].quantity - received[i])
            let take = min(room, left)
            received[i] += take; left -= take
        }
        received[last] += left
    }

    func report(asn: String, lines: [ASNLine], seq: LedgerSequence?) -> ReceiptReport {
        let reportLines = lines.indices.map {
            DiscrepancyLine(asnLine: $0, item: lines[$0].item, lot: lines[$0].lot,
                            expected: lines[$0].quantity, received: $0 < received.count ? received[$0] : 0)
        }
        return ReceiptReport(asn: asn, seq: seq, lines: reportLines, unexpected: unexpectedOrder.compactMap { unexpected[$0] })
    }
}
