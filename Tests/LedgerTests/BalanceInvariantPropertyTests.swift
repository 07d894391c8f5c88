import Foundation
import Testing
@testable import Ledger
import ScanModel

/// Invariant 1 under attack: random postings (lines, hand-made entries that
/// may not balance, extreme quantities, reversals) must never leave an item's
/// balances, summed over every account including the virtual ones, off zero.
@Suite struct BalanceInvariantPropertyTests {
    static let items: [(ItemCode, lot: Bool, serial: Bool)] = [
        (TestLedger.widget, false, false), ("BOLT-M8", false, false), (TestLedger.milk, true, false), (TestLedger.drill, false, true),
    ]
    static let locations: [LocationCode] = ["DOCK1", "A-01", "A-02", "FLOAT"] + VirtualLocation.all
    static let extremes: [Int64] = [Int64.max, Int64.min, Int64.max - 1, 1 << 62, -(1 << 62)]

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func balancesSumToZeroPerItemAcrossAllAccounts(seed: UInt64) throws {
        let t = try TestLedger()
        var rng = SplitMix64(seed: seed)
        var posted: [LedgerSequence] = []
        for n in 0..<150 {
            let request = Self.randomRequest(key: "p\(n)", posted: posted, rng: &rng)
            if let seq = try t.post(request).seq { posted.append(seq) }
        }
        #expect(posted.count > 20, "too few postings were accepted to test anything")
        // Every account, virtual ones included: per item and lot/serial the balances
        // sum to zero (wrapping: SQLite's sum() refuses to pass through overflow).
        let sums = try t.ledger.read { r in
            let s = try r.db.prepare("SELECT item_id, ifnull(lot_id, 0), ifnull(serial_id, 0), balance FROM accounts")
            defer { s.reset() }
            var sums: [[Int64]: Int64] = [:]
            while try s.step() { sums[[s.int(0), s.int(1), s.int(2)], default: 0] &+= s.int(3) }
            return sums
        }
        #expect(sums.values.allSatisfy { $0 == 0 }, "\(sums)")
        // verify() re-sums every posting (invariant 1) and every account (invariant 6).
        #expect(try t.ledger.verify().ok)
    }

    static func randomRequest(key: String, posted: [LedgerSequence], rng: inout SplitMix64) -> PostingRequest {
        if !posted.isEmpty, rng.below(10) == 0 {
            return .reversal(of: posted[rng.below(posted.count)], key: key)
        }
        let kind: PostingKind = [.receipt, .move, .adjustment, .ship][rng.below(4)]
        var entries: [PostingEntry] = []
        for _ in 0..<(1 + rng.below(3)) {
            let (item, lotted, serialised) = items[rng.below(items.count)]
            let lot = lotted ? "L\(rng.below(2))" : nil
            let serial = serialised ? "S\(rng.below(4))" : nil
            let qty = serialised ? 1 : randomQuantity(&rng)
            let from = locations[rng.below(locations.count)], to = locations[rng.below(locations.count)]
            if rng.below(4) == 0 {
                // Hand-made entries: sometimes balanced, often not.
                entries.append(PostingEntry(location: from, item: item, lot: lot, serial: serial, qty: 0 &- qty))
                entries.append(PostingEntry(location: to, item: item, lot: lot, serial: serial, qty: rng.below(2) == 0 ? qty : randomQuantity(&rng)))
            } else {
                entries += PostingLine(item: item, qty: qty, from: from, to: to, lot: lot, serial: serial).entries
            }
        }
        return PostingRequest(key: key, kind: kind, entries: entries)
    }

    static func randomQuantity(_ rng: inout SplitMix64) -> Int64 {
        rng.below(8) == 0 ? extremes[rng.below(extremes.count)] : Int64(1 + rng.below(20))
    }
}
