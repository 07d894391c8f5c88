import Foundation
import ScanModel
import Stations

/// One configured station.
public struct StationSpec: Sendable, Equatable {
    public enum Kind: String, Sendable { case receiving, move, count, pack, ship, returns, pick }
    public var name: String
    public var kind: Kind
    public var devices: [String]
    public var zones: [String]
    /// A device that signals this station's outcomes too (a light tower, a
    /// reader's GPO) for scanners with no way back (evdev, HID POS).
    public var indicator: String?
    // receiving
    public var dock: String?
    public var overReceiptTolerancePercent = 0
    public var shortDatedDays = 0
    public var utcOffsetMinutes = 0
    public var inspection = InspectionConfig()
    // receiving, move
    public var idleCloseSeconds: Int?
    // count
    public var autoPost = false
    public var maxDurationSeconds: Int?
    // pack
    public var packLocation: String?
    public var packedLocation: String?
    // ship: site patterns for other carriers' labels (carrier name, ScanPattern)
    public var carriers: [CarrierPattern] = []
    // ship: pallet aggregation and load verification (docs/config.md)
    public var pallets = false
    public var doors: [DockDoor] = []
    // returns (the customer reasons are the generic `reasons`)
    public var restockLocation: String?
    public var quarantineLocation: String?
    public var damagedLocation: String?
    public var vendorLocation: String?
    // pick: the pick area (also the walking sequence with walk_by_sequence), totes, FEFO
    public var pickLocations: [String] = []
    public var walkBySequence = false
    public var totePrefix = "TOTE-"
    public var fefoIsError = false
    // every station: operators and reason codes
    public var attendance = AttendanceConfig()

    static let keys: [Kind: Set<String>] = [
        .receiving: ["dock", "over_receipt_tolerance_percent", "short_dated_days", "idle_close_seconds", "utc_offset_minutes",
                     "inspection", "quarantine_location", "damaged_location", "damage_reasons", "inspection_blocks_close"],
        .move: ["idle_close_seconds"],
        .count: ["auto_post", "max_duration_seconds"],
        .pack: ["pack_location", "packed_location"],
        .ship: ["packed_location", "carriers", "pallets", "doors"],
        .returns: ["restock_location", "quarantine_location", "damaged_location", "vendor_location"],
        .pick: ["pick_locations", "walk_by_sequence", "tote_prefix", "fefo_is_error"],
    ]

    static func parse(_ node: ConfigNode) throws -> StationSpec {
        let name = try node.required("name").nonEmptyString()
        let kindName = try node.required("type").oneOf(["receiving", "move", "count", "pack", "ship", "returns", "pick"])
        let kind = Kind(rawValue: kindName) ?? .move
        try node.rejectUnknownKeys(allowed: Set(["_comment", "name", "type", "devices", "zones", "indicator", "require_operator", "sign_out_idle_seconds",
                                                 "require_override_reason", "reasons", "lot_hold_by_scan"]).union(keys[kind] ?? []))
        var s = StationSpec(name: name, kind: kind,
                            devices: try node.optional("devices")?.array().map { try $0.nonEmptyString() } ?? [],
                            zones: try node.optional("zones")?.array().map { try $0.nonEmptyString() } ?? [])
        s.indicator = try node.optional("indicator")?.nonEmptyString()
        s.attendance.requireOperator = try node.optional("require_operator")?.bool() ?? false
        s.attendance.idleSignOut = try node.optional("sign_out_idle_seconds").map { Microseconds.seconds(Int64(try $0.int(in: 1...86_400))) }
        s.attendance.requireReason = try node.optional("require_override_reason")?.bool() ?? false
        s.attendance.reasons = try node.optional("reasons")?.array().map { try $0.nonEmptyString() } ?? []
        s.attendance.lotHoldByScan = try node.optional("lot_hold_by_scan")?.bool() ?? false
        switch kind {
        case .receiving:
            s.dock = try node.required("dock").nonEmptyString()
            s.overReceiptTolerancePercent = try node.optional("over_receipt_tolerance_percent")?.int(in: 0...1_000) ?? 0
            s.shortDatedDays = try node.optional("short_dated_days")?.int(in: 0...36_500) ?? 0
            s.utcOffsetMinutes = try node.optional("utc_offset_minutes")?.int(in: -1_440...1_440) ?? 0
            s.idleCloseSeconds = try node.optional("idle_close_seconds")?.int(in: 1...604_800) ?? 900
            s.inspection = try parseInspection(node, reasons: s.attendance.reasons)
        case .move:
            s.idleCloseSeconds = try node.optional("idle_close_seconds")?.int(in: 1...604_800)
        case .count:
            s.autoPost = try node.optional("auto_post")?.bool() ?? false
            s.maxDurationSeconds = try node.optional("max_duration_seconds")?.int(in: 1...86_400)
        case .pack:
            s.packLocation = try node.required("pack_location").nonEmptyString()
            s.packedLocation = try node.required("packed_location").nonEmptyString()
        case .ship:
            s.packedLocation = try node.required("packed_location").nonEmptyString()
            s.carriers = try node.optional("carriers")?.array().map { c in
                try c.rejectUnknownKeys(allowed: ["carrier", "pattern"])
                let pattern = try c.required("pattern")
                let text = try pattern.nonEmptyString()
                // The same matcher as `patterns`, so the same rule.
                guard text.filter({ $0 == "*" }).count <= 1 else { throw pattern.error("at most one '*' per pattern") }
                return CarrierPattern(carrier: try c.required("carrier").nonEmptyString(), pattern: text)
            } ?? []
            s.pallets = try node.optional("pallets")?.bool() ?? false
            s.doors = try parseDoors(node, carriers: s.carriers)
        case .returns:
            s.restockLocation = try node.required("restock_location").nonEmptyString()
            s.quarantineLocation = try node.optional("quarantine_location")?.nonEmptyString()
            s.damagedLocation = try node.optional("damaged_location")?.nonEmptyString()
            s.vendorLocation = try node.optional("vendor_location")?.nonEmptyString()
        case .pick:
            let area = try node.required("pick_locations")
            s.pickLocations = try area.array().map { try $0.nonEmptyString() }
            if s.pickLocations.isEmpty { throw area.error("needs at least one location") }
            s.walkBySequence = try node.optional("walk_by_sequence")?.bool() ?? false
            s.totePrefix = try node.optional("tote_prefix")?.nonEmptyString() ?? "TOTE-"
            s.fefoIsError = try node.optional("fefo_is_error")?.bool() ?? false
        }
        return s
    }

    /// `"doors": [{"location": "DOOR-1", "carrier": "UPS"}]`: a door's carrier
    /// is one the station can recognise on a label (a built-in one or one of
    /// its `carriers`), else no label could ever load there.
    static func parseDoors(_ node: ConfigNode, carriers: [CarrierPattern]) throws -> [DockDoor] {
        guard let list = try node.optional("doors") else { return [] }
        let known = ["UPS", "FedEx", "USPS"] + carriers.map(\.carrier)
        var doors: [DockDoor] = []
        for d in try list.array() {
            try d.rejectUnknownKeys(allowed: ["_comment", "location", "carrier"])
            let location = try d.required("location")
            let code = LocationCode(try location.nonEmptyString())
            if doors.contains(where: { $0.location == code }) { throw location.error("door '\(code)' is listed twice") }
            let carrierNode = try d.required("carrier")
            let name = try carrierNode.nonEmptyString()
            guard let carrier = known.first(where: { $0.lowercased() == name.lowercased() }) else {
                throw carrierNode.error("carrier '\(name)' is not UPS, FedEx, USPS or one of the station's carriers")
            }
            doors.append(DockDoor(location: code, carrier: carrier))
        }
        return doors
    }

    /// `"inspection": {"default": "none"|"all"|{"sample_every": N}, "items": {"ITEM": rule}}`
    /// plus where failed units go; a rule that can fail a unit needs a
    /// `quarantine_location`, and `damage_reasons` need a `damaged_location`.
    static func parseInspection(_ node: ConfigNode, reasons: [String]) throws -> InspectionConfig {
        var c = InspectionConfig()
        if let i = try node.optional("inspection") {
            try i.rejectUnknownKeys(allowed: ["_comment", "default", "items"])
            c.rule = try i.optional("default").map(parseRule) ?? .none
            if let items = try i.optional("items") {
                for key in try items.members().map(\.key) where key != "_comment" {
                    c.items[ItemCode(key)] = try parseRule(try items.required(key))
                }
            }
        }
        c.quarantine = try node.optional("quarantine_location").map { LocationCode(try $0.nonEmptyString()) }
        c.damaged = try node.optional("damaged_location").map { LocationCode(try $0.nonEmptyString()) }
        c.blocksClose = try node.optional("inspection_blocks_close")?.bool() ?? false
        if let list = try node.optional("damage_reasons") {
            for r in try list.array() {
                let reason = try r.nonEmptyString()
                if !reasons.isEmpty && !reasons.contains(reason) { throw r.error("'\(reason)' is not one of the station's reasons") }
                c.damageReasons.insert(reason)
            }
            if !c.damageReasons.isEmpty && c.damaged == nil { throw node.error(key: "damaged_location", "missing (required with damage_reasons)") }
        }
        let inspects = c.rule != .none || c.items.values.contains { $0 != .none }
        if inspects && c.quarantine == nil { throw node.error(key: "quarantine_location", "missing (required when units are inspected)") }
        return c
    }

    static func parseRule(_ node: ConfigNode) throws -> InspectionRule {
        if case .string = node.value {
            return try node.oneOf(["none", "all"]) == "all" ? .all : .none
        }
        try node.rejectUnknownKeys(allowed: ["sample_every"])
        return .sampleEvery(try node.required("sample_every").int(in: 1...1_000_000))
    }
}

/// A site's tracking-number shape for a carrier the GS1 module does not
/// know (`{"carrier": "DHL", "pattern": "JJD*"}`); shape only, no check digit.
public struct CarrierPattern: Sendable, Equatable {
    public var carrier: String
    public var pattern: String
    public init(carrier: String, pattern: String) { self.carrier = carrier; self.pattern = pattern }
}
