import Foundation
import ScanModel
import Stations

/// One configured station.
public struct StationSpec: Sendable, Equatable {
    public enum Kind: String, Sendable { case receiving, move, count, pack, returns }
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
    // receiving, move
    public var idleCloseSeconds: Int?
    // count
    public var autoPost = false
    public var maxDurationSeconds: Int?
    // pack
    public var packLocation: String?
    public var packedLocation: String?
    // returns (the customer reasons are the generic `reasons`)
    public var restockLocation: String?
    public var quarantineLocation: String?
    public var damagedLocation: String?
    // every station: operators and reason codes
    public var attendance = AttendanceConfig()

    static let keys: [Kind: Set<String>] = [
        .receiving: ["dock", "over_receipt_tolerance_percent", "short_dated_days", "idle_close_seconds", "utc_offset_minutes"],
        .move: ["idle_close_seconds"],
        .count: ["auto_post", "max_duration_seconds"],
        .pack: ["pack_location", "packed_location"],
        .returns: ["restock_location", "quarantine_location", "damaged_location"],
    ]

    static func parse(_ node: ConfigNode) throws -> StationSpec {
        let name = try node.required("name").nonEmptyString()
        let kindName = try node.required("type").oneOf(["receiving", "move", "count", "pack", "returns"])
        let kind = Kind(rawValue: kindName) ?? .move
        try node.rejectUnknownKeys(allowed: Set(["_comment", "name", "type", "devices", "zones", "indicator", "require_operator", "sign_out_idle_seconds",
                                                 "require_override_reason", "reasons"]).union(keys[kind] ?? []))
        var s = StationSpec(name: name, kind: kind,
                            devices: try node.optional("devices")?.array().map { try $0.nonEmptyString() } ?? [],
                            zones: try node.optional("zones")?.array().map { try $0.nonEmptyString() } ?? [])
        s.indicator = try node.optional("indicator")?.nonEmptyString()
        s.attendance.requireOperator = try node.optional("require_operator")?.bool() ?? false
        s.attendance.idleSignOut = try node.optional("sign_out_idle_seconds").map { Microseconds.seconds(Int64(try $0.int(in: 1...86_400))) }
        s.attendance.requireReason = try node.optional("require_override_reason")?.bool() ?? false
        s.attendance.reasons = try node.optional("reasons")?.array().map { try $0.nonEmptyString() } ?? []
        switch kind {
        case .receiving:
            s.dock = try node.required("dock").nonEmptyString()
            s.overReceiptTolerancePercent = try node.optional("over_receipt_tolerance_percent")?.int(in: 0...1_000) ?? 0
            s.shortDatedDays = try node.optional("short_dated_days")?.int(in: 0...36_500) ?? 0
            s.utcOffsetMinutes = try node.optional("utc_offset_minutes")?.int(in: -1_440...1_440) ?? 0
            s.idleCloseSeconds = try node.optional("idle_close_seconds")?.int(in: 1...604_800) ?? 900
        case .move:
            s.idleCloseSeconds = try node.optional("idle_close_seconds")?.int(in: 1...604_800)
        case .count:
            s.autoPost = try node.optional("auto_post")?.bool() ?? false
            s.maxDurationSeconds = try node.optional("max_duration_seconds")?.int(in: 1...86_400)
        case .pack:
            s.packLocation = try node.required("pack_location").nonEmptyString()
            s.packedLocation = try node.required("packed_location").nonEmptyString()
        case .returns:
            s.restockLocation = try node.required("restock_location").nonEmptyString()
            s.quarantineLocation = try node.optional("quarantine_location")?.nonEmptyString()
            s.damagedLocation = try node.optional("damaged_location")?.nonEmptyString()
        }
        return s
    }
}
