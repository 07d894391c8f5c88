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

/// Location codes travel as plain JSON strings, like item codes, so a posting
/// line or a saved session reads the same before and after the newtype.
extension LocationCode: Codable {
    public init(from decoder: Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(code)
    }
}

/// How the ledger tracks an item: by quantity only, by lot, or one serial per unit.
public enum Tracking: String, Hashable, Sendable, Codable, CaseIterable {
    case none, lot, serial
}

/// What a location is for. `virtual` ones (supplier, customer, adjustment,
/// transit, scrap) are the other side of every movement and may go negative.
/// `quarantine` (on hold) and `damaged` (waiting to be scrapped) hold stock
/// that is on hand and counted but that moves, picks and packs may not take:
/// only a `release` or a `scrap` posting takes it out (docs/ledger.md).
public enum LocationKind: String, Hashable, Sendable, Codable, CaseIterable {
    case dock, storage, pack, shipping, virtual, quarantine, damaged

    /// Stock here is held: only release and scrap postings may take it out.
    public var holdsStock: Bool { self == .quarantine || self == .damaged }
    /// The kinds a site imports (virtual ones come with the schema).
    public static let importable: [LocationKind] = allCases.filter { $0 != .virtual }
}

/// The virtual locations reserved by the ledger; every ledger has them.
public enum VirtualLocation {
    public static let supplier: LocationCode = "@supplier"
    public static let customer: LocationCode = "@customer"
    public static let adjustment: LocationCode = "@adjustment"
    public static let transit: LocationCode = "@transit"
    /// The loss account scrapped stock goes to; only `scrap` postings (and
    /// their reversals) write to it, so it is the shrinkage total.
    public static let scrap: LocationCode = "@scrap"
    public static let all = [supplier, customer, adjustment, transit, scrap]
    /// Codes starting with '@' are reserved for virtual locations.
    public static func isVirtual(_ location: LocationCode) -> Bool { location.code.hasPrefix("@") }
}
