import Foundation
import Ledger
import ScanModel
import Stations

/// The control socket's `orders` and `order` requests: the same JSON
/// `scanledger orders --json` and `scanledger order show N --json` print
/// (OrderReports), read back into objects for the server's writer.
extension Daemon {
    func orders(_ r: ControlRequest) throws -> [String: Any] {
        var status: OrderStatus?
        if let s = try r.string("status") {
            guard let known = OrderStatus(rawValue: s) else {
                throw RequestError("orders \"status\" must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", ")), not '\(s)'")
            }
            status = known
        }
        var since: Microseconds?
        if let text = try r.string("since") {
            do { since = try JournalQuery.since(text, now: WallClock().now()) } catch { throw RequestError("orders \"since\": \(error)") }
        }
        return ["orders": try OrderReports.list(ledger, status: status, since: since).map { try ServiceJSON.object($0.jsonText) }]
    }

    func order(_ r: ControlRequest) throws -> [String: Any] {
        let number = try r.requiredString("order", "the order number to show")
        guard let (summary, lines) = try OrderReports.show(ledger, number: number) else {
            throw RequestError("no order \(number) was imported")
        }
        return ["order": try ServiceJSON.object(summary.jsonText), "lines": try lines.map { try ServiceJSON.object($0.jsonText) }]
    }
}
