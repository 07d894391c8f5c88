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
