import ScanModel

/// The ledger's own position of a posting: 1, 2, 3… without gaps, in commit order.
public struct LedgerSequence: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: Int64
    public init(_ value: Int64) { self.value = value }
    public static func < (a: LedgerSequence, b: LedgerSequence) -> Bool { a.value < b.value }
    public var description: String { String(value) }
}

public enum Tracking: String, Sendable, CaseIterable {
    case none, lot, serial
}

public enum LocationType: String, Sendable, CaseIterable {
    case dock, storage, pack, shipping, virtual
}

/// The reserved codes of the virtual locations every ledger has.
public enum VirtualLocation {
    public static let supplier = "@supplier"
    public static let customer = "@customer"
    public static let adjustment = "@adjustment"
    public static let transit = "@transit"
    public static let all = [supplier, customer, adjustment, transit]
}

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
    public var type: LocationType
    public var allowNegative: Bool
    public init(code: String, gln: GLN? = nil, gcpLength: Int? = nil, type: LocationType = .storage, allowNegative: Bool = false) {
        self.code = code; self.gln = gln; self.gcpLength = gcpLength; self.type = type; self.allowNegative = allowNegative
    }
}

public enum PostingKind: String, Sendable, CaseIterable {
    case receipt, move, adjustment, pack, ship, reversal
}

/// One side of a posting: a signed quantity on an account (location × item ×
/// lot/serial). `item` is a GTIN (8–14 digits) or a SKU.
public struct PostingEntry: Sendable, Equatable {
    public var location: String
    public var item: String
    public var lot: String?
    public var serial: String?
    /// Hex EPC of the serial, remembered on first sight.
    public var epc: String?
    /// Expiry of the lot (ISO date), remembered when the lot is first seen.
    public var expiry: String?
    public var qty: Int64
    public init(location: String, item: String, lot: String? = nil, serial: String? = nil, epc: String? = nil, expiry: String? = nil, qty: Int64) {
        self.location = location; self.item = item; self.lot = lot; self.serial = serial; self.epc = epc; self.expiry = expiry; self.qty = qty
    }
}

/// A movement of `qty` from one location to another: two entries.
public struct PostingLine: Sendable, Equatable {
    public var item: String
    public var qty: Int64
    public var from: String
    public var to: String
    public var lot: String?
    public var serial: String?
    public var epc: String?
    public var expiry: String?
    public init(item: String, qty: Int64, from: String, to: String, lot: String? = nil, serial: String? = nil, epc: String? = nil, expiry: String? = nil) {
        self.item = item; self.qty = qty; self.from = from; self.to = to; self.lot = lot; self.serial = serial; self.epc = epc; self.expiry = expiry
    }
    var entries: [PostingEntry] {
        [PostingEntry(location: from, item: item, lot: lot, serial: serial, epc: epc, expiry: expiry, qty: 0 &- qty),
         PostingEntry(location: to, item: item, lot: lot, serial: serial, epc: epc, expiry: expiry, qty: qty)]
    }
}

/// What a station (or `scanledger post`) asks the ledger to record.
public struct PostingRequest: Sendable, Equatable {
    public var key: String
    public var kind: PostingKind
    public var ref: String?
    public var station: String?
    public var device: String?
    /// Event time from the device, ISO 8601 with offset; kept verbatim.
    public var eventTime: String?
    /// The SSCC a `pack` posting packs into (for EPCIS AggregationEvents).
    public var sscc: String?
    public var entries: [PostingEntry]
    /// The posting a `reversal` undoes.
    public var reverses: LedgerSequence?
    /// Create unknown items (GTIN only) and locations instead of rejecting.
    public var autoCreate: Bool

    public init(key: String, kind: PostingKind, ref: String? = nil, station: String? = nil, device: String? = nil,
                eventTime: String? = nil, sscc: String? = nil, entries: [PostingEntry], autoCreate: Bool = false) {
        self.key = key; self.kind = kind; self.ref = ref; self.station = station; self.device = device
        self.eventTime = eventTime; self.sscc = sscc; self.entries = entries; self.reverses = nil; self.autoCreate = autoCreate
    }

    public init(key: String, kind: PostingKind, ref: String? = nil, station: String? = nil, device: String? = nil,
                eventTime: String? = nil, sscc: String? = nil, lines: [PostingLine], autoCreate: Bool = false) {
        self.init(key: key, kind: kind, ref: ref, station: station, device: device, eventTime: eventTime, sscc: sscc,
                  entries: lines.flatMap(\.entries), autoCreate: autoCreate)
    }

    /// A reversal of posting `seq` under idempotency key `key`.
    public static func reversal(of seq: LedgerSequence, key: String, station: String? = nil, device: String? = nil) -> PostingRequest {
        var r = PostingRequest(key: key, kind: .reversal, station: station, device: device, entries: [])
        r.reverses = seq
        return r
    }

    /// The canonical JSON of the request (keys sorted, written by hand: this
    /// runs for every posting). Idempotency compares it, and it is the outbox
    /// payload. `autoCreate` is deliberately not part of it: it changes what
    /// is allowed, not what is posted.
    var canonicalPayload: String {
        var j = JSONBytes(capacity: 96 + entries.count * 112)
        j.raw("{\"device\":"); j.quoted(device); j.raw(",\"entries\":[")
        for (i, e) in entries.enumerated() {
            j.raw(i == 0 ? "{\"epc\":" : ",{\"epc\":"); j.quoted(e.epc)
            j.raw(",\"expiry\":"); j.quoted(e.expiry)
            j.raw(",\"item\":"); j.quoted(e.item)
            j.raw(",\"location\":"); j.quoted(e.location)
            j.raw(",\"lot\":"); j.quoted(e.lot)
            j.raw(",\"qty\":"); j.int(e.qty)
            j.raw(",\"serial\":"); j.quoted(e.serial); j.raw("}")
        }
        j.raw("],\"kind\":"); j.quoted(kind.rawValue)
        j.raw(",\"ref\":"); j.quoted(ref)
        j.raw(",\"reverses\":"); j.int(reverses?.value)
        j.raw(",\"sscc\":"); j.quoted(sscc)
        j.raw(",\"station\":"); j.quoted(station)
        j.raw(",\"time\":"); j.quoted(eventTime); j.raw("}")
        return j.string
    }
}

public enum PostingStatus: String, Sendable {
    case posted, duplicate, rejected
}

/// The ledger's answer, given only after the posting's transaction committed.
public struct PostingResult: Sendable, Equatable {
    public var key: String
    public var status: PostingStatus
    public var seq: LedgerSequence?
    /// Why a posting was rejected (also for a remembered rejection).
    public var error: String?
    public init(key: String, status: PostingStatus, seq: LedgerSequence? = nil, error: String? = nil) {
        self.key = key; self.status = status; self.seq = seq; self.error = error
    }
}
