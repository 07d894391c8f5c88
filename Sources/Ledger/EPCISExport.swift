import Foundation
import ScanModel

/// EPCIS 2.0 JSON-LD export: one ObjectEvent per posting and location (or an
/// AggregationEvent for packing into an SSCC). A reversal is exported as the
/// original events again with an `errorDeclaration`, the EPCIS way to say
/// "these events were wrong". Mapping documented in docs/ledger.md.
extension LedgerReader {
    public func exportEPCIS(since: LedgerSequence = LedgerSequence(0), creationDate: Date = Date()) throws -> String {
        let exporter = EPCISEventBuilder(locations: try locationsByCode(), ledgerID: try ledgerID())
        var events: [[String: Any]] = []
        var group: [HistoryRow] = []
        func flush() throws {
            guard let first = group.first else { return }
            if first.kind == .reversal, let original = first.reverses {
                let originalRows = try historyRows(where: "e.seq = ?", [.int(original.value)])
                for var event in exporter.events(for: originalRows) {
                    event["errorDeclaration"] = ["declarationTime": EPCISEventBuilder.utc(micros: first.commitTimeMicros),
                                                 "reason": "incorrect_data"] as [String: Any]
                    events.append(event)
                }
            } else {
                events += exporter.events(for: group)
            }
            group = []
        }
        for row in try entries(since: since) {
            if let last = group.last, last.seq != row.seq { try flush() }
            group.append(row)
        }
        try flush()
        return try EPCISEventBuilder.document(events, creationDate: creationDate)
    }
}

struct EPCISEventBuilder {
    let locations: [String: Location]
    let ledgerID: String

    static let bizSteps: [PostingKind: String] = [
        .receipt: "receiving", .move: "storing", .adjustment: "cycle_counting", .pack: "packing", .ship: "shipping",
        // CBV 2.0 (docs/ledger.md): a release is the end of an inspection; a
        // scrap terminates the stock as inventory.
        .release: "inspecting", .scrap: "destroying",
        // A customer return is received back (CBV has no "returning" step);
        // its disposition says where it went (see `events`).
        .return: "receiving",
    ]

    /// Stock arriving at a held location is not sellable: quarantine is
    /// `non_sellable_other` (CBV has no "on hold"), damaged is `damaged`.
    private func disposition(at location: String, otherwise: String) -> String {
        switch locations[location]?.type {
        case .quarantine?: "non_sellable_other"
        case .damaged?: "damaged"
        default: otherwise
        }
    }

    /// The events of one posting (all rows share its sequence).
    func events(for rows: [HistoryRow]) -> [[String: Any]] {
        guard let head = rows.first, let bizStep = Self.bizSteps[head.kind] else { return [] }
        let physical = rows.filter { locations[$0.location]?.type != .virtual }
        var out: [[String: Any]] = []
        var index = 0
        func base(_ type: String, bizStep: String = bizStep) -> [String: Any] {
            defer { index += 1 }
            var e: [String: Any] = ["type": type, "eventID": eventID(seq: head.seq.value, index: index),
                                    "recordTime": Self.utc(micros: head.commitTimeMicros), "bizStep": bizStep]
            let (time, offset) = Self.eventTime(head)
            e["eventTime"] = time
            e["eventTimeZoneOffset"] = offset
            if let ref = head.ref { e["bizTransactionList"] = [["bizTransaction": EPCISIdentifiers.reference(ref)]] }
            return e
        }

        if head.kind == .pack, let sscc = head.sscc {
            let packed = physical.filter { $0.qty > 0 }
            guard let at = packed.first?.location else { return [] }
            var e = base("AggregationEvent")
            e["parentID"] = EPCISIdentifiers.sscc(sscc)
            e["action"] = "ADD"
            e["disposition"] = "in_progress"
            addLocation(&e, at, business: true)
            let (epcs, quantities) = contents(packed)
            if !epcs.isEmpty { e["childEPCs"] = epcs }
            if !quantities.isEmpty { e["childQuantityList"] = quantities }
            return [e]
        }

        // Which side of the movement is "where it happened".
        var sites: [(rows: [HistoryRow], disposition: String)] = []
        switch head.kind {
        case .ship:
            sites = byLocation(physical.filter { $0.qty < 0 }).map { ($0, "in_transit") }
        case .scrap:
            // Where it was written off; like a ship it leaves the site's inventory.
            sites = byLocation(physical.filter { $0.qty < 0 }).map { ($0, "destroyed") }
        case .adjustment:
            sites = byLocation(physical.filter { $0.qty > 0 }).map { ($0, disposition(at: $0[0].location, otherwise: "sellable_not_accessible")) }
                  + byLocation(physical.filter { $0.qty < 0 }).map { ($0, "unknown") }
        case .return:
            // Back on the shelf is `returned`; quarantine and damaged say so.
            sites = byLocation(physical.filter { $0.qty > 0 }).map { ($0, disposition(at: $0[0].location, otherwise: "returned")) }
        case .receipt:
            sites = byLocation(physical.filter { $0.qty > 0 }).map { ($0, disposition(at: $0[0].location, otherwise: "in_progress")) }
        default:
            sites = byLocation(physical.filter { $0.qty > 0 }).map { ($0, disposition(at: $0[0].location, otherwise: "sellable_not_accessible")) }
        }
        for site in sites {
            guard let at = site.rows.first?.location else { continue }
            // A move into a held location is the CBV's `holding` step.
            let held = head.kind == .move && locations[at]?.type.holdsStock == true
            var e = base("ObjectEvent", bizStep: held ? "holding" : bizStep)
            e["action"] = "OBSERVE"
            e["disposition"] = site.disposition
            addLocation(&e, at, business: head.kind != .ship && head.kind != .scrap)
            let (epcs, quantities) = contents(site.rows)
            if !epcs.isEmpty { e["epcList"] = epcs }
            if !quantities.isEmpty { e["quantityList"] = quantities }
            out.append(e)
        }
        return out
    }

    private func byLocation(_ rows: [HistoryRow]) -> [[HistoryRow]] {
        var order: [String] = []
        var groups: [String: [HistoryRow]] = [:]
        for r in rows {
            if groups[r.location] == nil { order.append(r.location) }
            groups[r.location, default: []].append(r)
        }
        return order.compactMap { groups[$0] }
    }

    /// Serial rows as instance URIs; the rest as summed quantities per class.
    private func contents(_ rows: [HistoryRow]) -> ([String], [[String: Any]]) {
        var epcs: [String] = []
        var quantities: [String: Int64] = [:]
        var classOrder: [String] = []
        for r in rows {
            if let serial = r.serial {
                let uri = EPCISIdentifiers.instance(item: r.item, serial: serial, epc: r.epc)
                if !epcs.contains(uri) { epcs.append(uri) }
            } else {
                let uri = EPCISIdentifiers.itemClass(item: r.item, lot: r.lot)
                if quantities[uri] == nil { classOrder.append(uri) }
                quantities[uri, default: 0] &+= r.qty.magnitude > UInt64(Int64.max) ? 0 : Int64(r.qty.magnitude)
            }
        }
        return (epcs, classOrder.map { ["epcClass": $0, "quantity": quantities[$0] ?? 0] })
    }

    private func addLocation(_ e: inout [String: Any], _ code: String, business: Bool) {
        let l = locations[code]
        let uri = EPCISIdentifiers.location(code: code, gln: l?.gln, gcpLength: l?.gcpLength)
        e["readPoint"] = ["id": uri]
        if business { e["bizLocation"] = ["id": uri] }
    }

    /// A stable UUID per (ledger, sequence, event index): re-exports give the same IDs.
    func eventID(seq: Int64, index: Int) -> String {
        let prefix = String((ledgerID + String(repeating: "0", count: 16)).prefix(16))
        let tail = String(UInt64(bitPattern: seq) &* 16 &+ UInt64(index & 15), radix: 16)
        let low = String(repeating: "0", count: max(0, 16 - tail.count)) + tail
        let hex = Array(prefix + low)
        // Version 8 (custom) and RFC 4122 variant, so it is a well-formed UUID.
        let p1 = String(hex[0..<8]), p2 = String(hex[8..<12]), p3 = "8" + String(hex[13..<16])
        let p4 = "8" + String(hex[17..<20]), p5 = String(hex[20..<32])
        return "urn:uuid:\(p1)-\(p2)-\(p3)-\(p4)-\(p5)"
    }

    static func eventTime(_ r: HistoryRow) -> (String, String) {
        guard let text = r.eventTime, let time = EventTime(text) else { return (utc(micros: r.commitTimeMicros), "+00:00") }
        return (utc(micros: time.micros), time.offsetText)
    }

    static func utc(micros: Int64) -> String { EventTime.utcText(micros: micros) }

    /// The one EPCISDocument writer (entries and the ship notice): sorted
    /// keys, so re-exports compare byte for byte. `context` adds term
    /// definitions (the ship notice's extension namespace).
    static func document(_ events: [[String: Any]], creationDate: Date, context: [String: String] = [:]) throws -> String {
        var contexts: [Any] = ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"]
        if !context.isEmpty { contexts.append(context) }
        let document: [String: Any] = [
            "@context": contexts,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": utc(micros: Int64(creationDate.timeIntervalSince1970 * 1_000_000)),
            "epcisBody": ["eventList": events],
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
