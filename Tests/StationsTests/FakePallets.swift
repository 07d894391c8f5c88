import Foundation
import ScanModel
@testable import Stations

/// The fake ledger's pallet answers, read from the `shipped` entries its
/// ship postings carry, as the real Ledger reads `station_journal`.
extension FakeLedger: PalletLookup {
    func shipment(pallet: String) throws -> ShippedCarton? {
        postings.first { p in p.request.kind == .ship && Self.pallet(of: p.request) == pallet }
            .map { ShippedCarton(seq: $0.seq, order: $0.request.ref, sscc: $0.request.sscc) }
    }

    func pallet(ofShipment seq: LedgerSequence) throws -> String? {
        postings.first { $0.seq == seq }.flatMap { Self.pallet(of: $0.request) }
    }

    private static func pallet(of request: PostingRequest) -> String? {
        guard let detail = request.journal.first(where: { $0.code == shippedJournalCode })?.detail,
              let object = try? JSONSerialization.jsonObject(with: Data(detail.utf8)) as? [String: Any] else { return nil }
        return object["pallet"] as? String
    }
}
