import Foundation
import Ledger

struct SeedFailure: Error, CustomStringConvertible { let description: String }

/// Stock for a scenario, posted straight to the ledger (this file imports
/// only Ledger, so its PostingRequest is unambiguous).
func seedStock(_ ledger: Ledger, item: String, qty: Int64, at location: String, lot: String? = nil, serial: String? = nil) throws {
    let r = try ledger.postAndWait([PostingRequest(key: "seed-\(UUID().uuidString)", kind: .receipt, lines: [
        PostingLine(item: item, qty: qty, from: "@supplier", to: location, lot: lot, serial: serial)])])
    guard r.first?.status == .posted else { throw SeedFailure(description: "seed failed: \(String(describing: r.first))") }
}
