import Devices
import Foundation
import ScanModel
import Stations

/// The JSON shapes of the control protocol (docs/control-protocol.md), as
/// JSONSerialization objects; the server writes them with sorted keys.
enum ServiceJSON {
    static func null(_ v: Any?) -> Any { v ?? NSNull() }

    static func view(_ v: StationView) -> [String: Any] {
        [
            "station": v.station, "workflow": v.workflow, "state": v.state,
            "document": null(v.document), "location": null(v.location?.code), "destination": null(v.destination?.code),
            "last_error": null(v.lastError), "prompt": null(v.prompt),
            "lines": v.lines.map { l -> [String: Any] in
                ["item": l.item.code, "lot": null(l.lot), "expected": null(l.expected), "scanned": l.scanned]
            },
        ]
    }

    static func stationEvent(_ e: StationEvent, input: StationInput, device: String?) -> [String: Any] {
        [
            "type": "station", "station": e.station, "time": e.time.value, "input": input.kindName,
            "device": null(device), "operator": null(e.operatorID), "severity": e.feedback.severity, "code": e.feedback.code.rawValue,
            "message": e.feedback.message, "signal": e.feedback.outcome.rawValue,
            "posted": e.postedSequences.map(\.value), "view": view(e.view), "view_text": e.view.render(),
        ]
    }

    static func countSummary(_ r: CountResult) -> [String: Any] {
        [
            "id": r.id, "station": r.station, "location": r.locationCode, "status": status(r.status),
            "snapshot_seq": r.snapshotSeq.value, "time": r.time, "accuracy": r.accuracy,
            "found": r.found.count, "missing": r.missing.count, "misplaced": r.misplaced.count,
            "unknown": r.unknownSerials.count + r.unknownEPCs.count, "adjustment_lines": r.adjustments.count,
        ]
    }

    static func countDetail(_ r: CountResult) -> [String: Any] {
        var out = countSummary(r)
        func unit(_ u: CountedSerial) -> [String: Any] { ["item": u.item.code, "serial": u.serial, "lot": null(u.lot), "epc": null(u.epc)] }
        out["found_units"] = r.found.map(unit)
        out["missing_units"] = r.missing.map(unit)
        out["misplaced_units"] = r.misplaced.map { m -> [String: Any] in var u = unit(m.unit); u["ledger_location"] = m.ledgerLocation.code; return u }
        out["unknown_serials"] = r.unknownSerials.map(unit)
        out["unknown_epcs"] = r.unknownEPCs
        out["adjustments"] = r.adjustments.map { l -> [String: Any] in
            ["item": l.item.code, "qty": l.qty, "from": l.from.code, "to": l.to.code, "lot": null(l.lot), "serial": null(l.serial)]
        }
        return out
    }

    static func status(_ s: CountStatus) -> String {
        switch s {
        case .pending: return "pending"
        case .conflicting(let last): return "conflicting (stock changed at seq \(last))"
        case .posted(let seq): return "posted (seq \(seq))"
        case .accurate: return "accurate"
        case .rejected(let why): return "rejected (\(why))"
        }
    }

    /// A device's state and its likely cause (docs/operations.md, "A device misbehaves").
    static func health(_ h: DeviceHealth) -> [String: Any] {
        ["state": h.state.rawValue, "reason": null(h.reason), "state_since": EventTime.utcText(micros: h.since.value)]
    }

    static func counters(_ c: DriverCounters) -> [String: Any] {
        var out: [String: Any] = [:]
        for (k, v) in c.fields { out[k] = Int64(clamping: v) }
        out["last_seen"] = null(c.lastSeen?.value)
        return out
    }
}
