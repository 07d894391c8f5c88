import Foundation
import Ledger
import ScanModel

struct SeedFailure: Error, CustomStringConvertible { let description: String }

/// Stock for a scenario, posted straight to the ledger.
func seedStock(_ ledger: Ledger, item: String, qty: Int64, at location: String, lot: String? = nil, serial: String? = nil) throws {
    let r = try ledger.postAndWait([PostingRequest(key: "seed-\(UUID().uuidString)", kind: .receipt, lines: [
        PostingLine(item: ItemCode(item), qty: qty, from: VirtualLocation.supplier, to: LocationCode(location), lot: lot, serial: serial)])])
    guard r.first?.status == .posted else { throw SeedFailure(description: "seed failed: \(String(describing: r.first))") }
}
