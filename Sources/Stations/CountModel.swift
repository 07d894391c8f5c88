import ScanModel

/// A serialised unit seen (or expected) in a count.
public struct CountedSerial: Hashable, Sendable, Codable {
    public var item: ItemCode
    public var serial: String
    public var lot: String?
    public var epc: String?
    public init(item: ItemCode, serial: String, lot: String? = nil, epc: String? = nil) {
        self.item = item; self.serial = serial; self.lot = lot; self.epc = epc
    }
}

/// A tag found here that the ledger has at another location.
public struct MisplacedSerial: Hashable, Sendable, Codable {
    public var unit: CountedSerial
    public var ledgerLocationCode: String
    public var ledgerLocation: LocationCode { LocationCode(ledgerLocationCode) }
    public init(unit: CountedSerial, ledgerLocation: LocationCode) {
        self.unit = unit; self.ledgerLocationCode = ledgerLocation.code
    }
}

/// A lot-level (non-serialised) count line.
public struct QuantityCount: Hashable, Sendable, Codable {
    public var item: ItemCode
    public var lot: String?
    public var expected: Int
    public var counted: Int
    public var difference: Int { counted - expected }
}

public struct ItemAccuracy: Hashable, Sendable, Codable {
    public var item: ItemCode
    public var found: Int
    public var expected: Int
    /// found / expected; 1 when nothing was expected.
    public var accuracy: Double { expected == 0 ? 1 : Double(found) / Double(expected) }
}

public enum CountStatus: Hashable, Sendable, Codable {
    /// Waiting for `counts approve|reject`.
    case pending
    /// Stock at the location changed after the snapshot: recount, or approve explicitly.
    case conflicting(lastChange: LedgerSequence)
    case posted(seq: LedgerSequence)
    /// Nothing to adjust.
    case accurate
    case rejected(reason: String)
}

/// The outcome of one count session, kept for review and approval.
public struct CountResult: Hashable, Sendable, Codable {
    /// Also the idempotency key of its adjustment posting.
    public var id: String
    public var station: String
    public var locationCode: String
    public var location: LocationCode { LocationCode(locationCode) }
    /// The ledger sequence the expectation was taken at.
    public var snapshotSeq: LedgerSequence
    /// Event time of the end of the count (µs since the Unix epoch).
    public var time: Int64
    public var found: [CountedSerial]
    public var missing: [CountedSerial]
    public var misplaced: [MisplacedSerial]
    /// Decoded tags (GTIN + serial) the ledger does not have on hand anywhere.
    public var unknownSerials: [CountedSerial]
    /// Tags the ledger cannot name at all (hex EPCs).
    public var unknownEPCs: [String]
    public var quantities: [QuantityCount]
    public var perItem: [ItemAccuracy]
    /// The proposed count-adjustment posting's lines.
    public var adjustments: [PostingLine]
    public var status: CountStatus

    public var accuracy: Double {
        let expected = perItem.reduce(0) { $0 + $1.expected }
        let found = perItem.reduce(0) { $0 + $1.found }
        return expected == 0 ? 1 : Double(found) / Double(expected)
    }

    /// The adjustment posting, carrying the count's result into the station
    /// journal (it commits with the adjustment).
    public func postingRequest() -> PostingRequest {
        var r = PostingRequest(key: id, kind: .adjustment, ref: "count \(id) at \(location)", station: station,
                               eventTime: .device(Microseconds(time)), lines: adjustments)
        r.journal = [journalEntry(code: "count-posted", severity: .done)]
        return r
    }

    /// The count as the station journal keeps it: what was found, missing
    /// and misplaced, and the accuracy.
    public func journalEntry(code: String, severity: JournalSeverity) -> JournalEntry {
        let detail = JSONText.object([
            ("count", JSONText.quote(id)), ("location", JSONText.quote(locationCode)), ("found", String(found.count)),
            ("missing", String(missing.count)), ("misplaced", String(misplaced.count)),
            ("unknown", String(unknownSerials.count + unknownEPCs.count)), ("adjustment_lines", String(adjustments.count)),
            ("accuracy_percent", String(Int((accuracy * 100).rounded()))),
        ])
        return JournalEntry(time: Microseconds(time), station: station, code: code, severity: severity, document: id,
                            message: "count \(id) at \(locationCode): \(found.count) found, \(missing.count) missing, \(misplaced.count) misplaced",
                            detail: detail)
    }
}

/// Where count results wait for review (the lead backs it with the ledger DB).
public protocol CountReviewStore: AnyObject {
    func save(_ result: CountResult) throws
    /// Saves the result and closes the station's session in one transaction
    /// where both live in the ledger's database, so a recorded count never
    /// stays open to be stopped again; elsewhere it saves the result and the
    /// station closes its session itself.
    func save(_ result: CountResult, closingSession station: String) throws
    /// The result as a document its posting writes with itself (status
    /// posted, the sequence at `sequencePath`); nil where the store is not
    /// the ledger's database.
    func postingDocument(result: CountResult, sequencePath: String) throws -> PostingDocument?
    func result(id: String) throws -> CountResult?
    /// All results, oldest first.
    func all() throws -> [CountResult]
}

extension CountReviewStore {
    public func save(_ result: CountResult, closingSession station: String) throws { try save(result) }
    public func postingDocument(result: CountResult, sequencePath: String) throws -> PostingDocument? { nil }
}

extension CountStatus {
    /// Where a result written with `.posted(seq: .none)` keeps the sequence its posting fills in.
    static let postedSequencePath = "$.status.posted.seq"
}

public final class InMemoryCountReviewStore: CountReviewStore {
    private var order: [String] = []
    private var results: [String: CountResult] = [:]
    public init() {}
    public func save(_ result: CountResult) throws {
        if results[result.id] == nil { order.append(result.id) }
        results[result.id] = result
    }
    public func result(id: String) throws -> CountResult? { results[id] }
    public func all() throws -> [CountResult] { order.compactMap { results[$0] } }
}
