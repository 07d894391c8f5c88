import Foundation
import ScanModel
@testable import Stations

/// The fake ledger's answers to the ship station, read from the postings it
/// holds the way the real Ledger reads its tables: pack postings by SSCC or
/// order, ship postings by order and SSCC, `shipped` journal entries by
/// carrier and tracking number (the fake has no reversals).
extension FakeLedger: ShipmentLookup {
    func packedCarton(sscc: String) throws -> PackedCarton? { packed { $0.sscc == sscc } }
    func packedCarton(order: String) throws -> PackedCarton? { packed { $0.ref == order } }

    func shipment(order: String?, sscc: String?) throws -> ShippedCarton? {
        return postings.last { $0.request.kind == .ship && $0.request.ref == order && $0.request.sscc == sscc }
            .map { ShippedCarton(seq: $0.seq, order: $0.request.ref, sscc: $0.request.sscc) }
    }

    func shipment(carrier: String, tracking: String) throws -> ShippedCarton? {
        let wanted = [("carrier", carrier), ("tracking", tracking)]
        return postings.last { p in
            p.request.kind == .ship && p.request.journal.contains { e in
                e.code == shippedJournalCode && wanted.allSatisfy { e.detail.contains("\"\($0.0)\":\(JSONText.quote($0.1))") }
            }
        }.map { ShippedCarton(seq: $0.seq, order: $0.request.ref, sscc: $0.request.sscc) }
    }

    private func packed(_ match: (PostingRequest) -> Bool) -> PackedCarton? {
        guard let p = postings.last(where: { $0.request.kind == .pack && match($0.request) }) else { return nil }
        return PackedCarton(seq: p.seq, order: p.request.ref, sscc: p.request.sscc, lines: p.request.lines ?? [])
    }
}
