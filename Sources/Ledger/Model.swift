import ScanModel

/// An item of master data: identified by GTIN and/or the site's SKU.
public struct Item: Sendable, Equatable {
    public var gtin: GTIN?
    public var sku: String?
    public var description: String
    public var tracking: Tracking
    public init(gtin: GTIN? = nil, sku: String? = nil, description: String = "", tracking: Tracking = .none) {
        self.gtin = gtin; self.sku = sku; self.description = description; self.tracking = tracking
    }
}

/// A location of master data. `gcpLength` (the GS1 company prefix length of
/// the GLN) lets exports write SGLN URNs; without it they use the GLN's
/// Digital Link URI.
public struct Location: Sendable, Equatable {
    public var code: String
    public var gln: GLN?
    public var gcpLength: Int?
    public var type: LocationKind
    public var allowNegative: Bool
    public init(code: String, gln: GLN? = nil, gcpLength: Int? = nil, type: LocationKind = .storage, allowNegative: Bool = false) {
        self.code = code; self.gln = gln; self.gcpLength = gcpLength; self.type = type; self.allowNegative = allowNegative
    }
}

extension PostingRequest {
    /// The event time as the ledger stores it: a device time as UTC text
    /// (clamped, since device clocks can send garbage and formatting must not
    /// trap), written text verbatim.
    var eventTimeText: String? {
        switch eventTime {
        case nil: nil
        case .written(let text): text
        case .device(let time): EventTime.utcText(micros: EventTime.clamped(micros: time.value))
        }
    }

    /// The canonical JSON of the request (keys sorted, written by hand: this
    /// runs for every posting). Idempotency compares it, and it is the outbox
    /// payload. `autoCreate` is deliberately not part of it: it changes what
    /// is allowed, not what is posted. `eventTimeText` is the request's
    /// `eventTimeText`, formatted once by the engine for every use.
    func canonicalPayload(eventTime eventTimeText: String?) -> String {
        var j = JSONBytes(capacity: 96 + entries.count * 112)
        j.raw("{\"device\":"); j.quoted(device); j.raw(",\"entries\":[")
        for (i, e) in entries.enumerated() {
            j.raw(i == 0 ? "{\"epc\":" : ",{\"epc\":"); j.quoted(e.epc)
            j.raw(",\"expiry\":"); j.quoted(e.expiry?.iso)
            j.raw(",\"item\":"); j.quoted(e.item.code)
            j.raw(",\"location\":"); j.quoted(e.location.code)
            j.raw(",\"lot\":"); j.quoted(e.lot)
            j.raw(",\"qty\":"); j.int(e.qty)
            j.raw(",\"serial\":"); j.quoted(e.serial); j.raw("}")
        }
        j.raw("],\"kind\":"); j.quoted(kind.rawValue)
        // Written only when set, so every payload from before operators and
        // reasons existed stays byte-identical (idempotency compares it).
        if let operatorID { j.raw(",\"operator\":"); j.quoted(operatorID) }
        if let reason { j.raw(",\"reason\":"); j.quoted(reason) }
        j.raw(",\"ref\":"); j.quoted(ref)
        j.raw(",\"reverses\":"); j.int(reverses?.value)
        j.raw(",\"sscc\":"); j.quoted(sscc)
        j.raw(",\"station\":"); j.quoted(station)
        j.raw(",\"time\":"); j.quoted(eventTimeText); j.raw("}")
        return j.string
    }
}

/// The ledger's answer to one request, given only after its transaction committed.
public struct PostingResult: Sendable, Equatable {
    public var key: String
    public var outcome: PostingOutcome
    public init(key: String, outcome: PostingOutcome) { self.key = key; self.outcome = outcome }
    public var status: PostingStatus { outcome.status }
    public var seq: LedgerSequence? { outcome.seq }
    /// Why a posting was rejected (also for a remembered rejection).
    public var error: String? { outcome.rejection }
}
