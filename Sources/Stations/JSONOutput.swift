import Foundation
import ScanModel

// JSON shapes for the wire: the service's event stream. Sorted keys so output is stable and diffable.

enum StationJSON {
    static func encode(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// ISO 8601 UTC with microseconds: "2026-11-22T10:00:00.000000Z".
    static func iso8601(_ time: Int64) -> String { EventTime.utcMicrosecondText(micros: time) }
}

extension StationEvent {
    /// One event for the service's socket stream: result, reason, and state.
    public var json: String {
        var view: [String: Any] = ["station": self.view.station, "workflow": self.view.workflow, "state": self.view.state]
        if let d = self.view.document { view["document"] = d }
        if let l = self.view.location { view["location"] = l.code }
        if let d = self.view.destination { view["destination"] = d.code }
        if let e = self.view.lastError { view["last_error"] = e }
        view["lines"] = self.view.lines.map { l -> [String: Any] in
            var o: [String: Any] = ["item": l.item.code, "scanned": l.scanned]
            if let lot = l.lot { o["lot"] = lot }
            if let e = l.expected { o["expected"] = e }
            return o
        }
        let object: [String: Any] = [
            "station": station, "time": StationJSON.iso8601(time.value), "accepted": accepted,
            "severity": feedback.severity, "code": feedback.code.rawValue, "message": feedback.message,
            "signal": feedback.outcome.rawValue, "posted": postedSequences.map { NSNumber(value: $0.value) }, "view": view,
        ]
        return StationJSON.encode(object)
    }
}
