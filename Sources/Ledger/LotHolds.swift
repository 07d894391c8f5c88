import Foundation
import ScanModel

/// A lot on hold (a recall): every unit of it, wherever it is, is refused by
/// moves, packs and ships until the lot is released.
public struct LotHold: Sendable, Equatable {
    /// The item as the ledger shows it: GTIN, else SKU.
    public var item: ItemCode
    public var lot: String
    public var reason: String
    public var operatorID: String?
    /// When the hold was recorded (µs since the Unix epoch, commit clock).
    public var sinceMicros: Int64
}

extension Ledger: LotHoldGateway {
    /// Puts a lot on hold and journals it (`lot-held`), in one transaction.
    /// Returns false when the lot was already on hold (the first hold and its
    /// reason stand; nothing is written). The lot need not have been received
    /// yet: a recall may name a lot before it arrives.
    @discardableResult
    public func holdLot(item: ItemCode, lot: String, reason: String, operatorID: String? = nil,
                        station: String = "cli") throws(LedgerError) -> Bool {
        try setLotHold(true, LotHoldChange(item: item, lot: lot, reason: reason, operatorID: operatorID, station: station))
    }

    /// Releases a held lot and journals it (`lot-released`). Returns false
    /// when the lot was not on hold (nothing is written).
    @discardableResult
    public func releaseLot(item: ItemCode, lot: String, reason: String, operatorID: String? = nil,
                           station: String = "cli") throws(LedgerError) -> Bool {
        try setLotHold(false, LotHoldChange(item: item, lot: lot, reason: reason, operatorID: operatorID, station: station))
    }

    private struct LotHoldChange { let item: ItemCode, lot: String, reason: String, operatorID: String?, station: String }

    /// One hold or release: the `lot_holds` row and its journal entry in one transaction.
    private func setLotHold(_ hold: Bool, _ c: LotHoldChange) throws(LedgerError) -> Bool {
        guard !c.lot.isEmpty else { throw LedgerError.invalidPosting("the lot must not be empty") }
        guard !c.reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw LedgerError.invalidPosting("a lot hold or release needs a reason (the recall or inspection it belongs to)")
        }
        var changed = false
        try writeAndWait { db in
            let itemID = try Self.lotTrackedItem(db, c.item)
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            var lotID = try db.scalarInt("SELECT id FROM lots WHERE item_id = ? AND lot = ?", .int(itemID), .text(c.lot))
            if lotID == nil, hold {
                try db.prepare("INSERT INTO lots(item_id, lot) VALUES (?, ?)").run(.int(itemID), .text(c.lot))
                lotID = sqlite3LastRowID(db)
            }
            guard let lotID else { return }
            let isHeld = try db.scalarInt("SELECT 1 FROM lot_holds WHERE lot_id = ?", .int(lotID)) != nil
            guard isHeld != hold else { return }
            if hold {
                try db.prepare("INSERT INTO lot_holds(lot_id, reason, operator, since) VALUES (?, ?, ?, ?)")
                    .run(.int(lotID), .text(c.reason), .optionalText(c.operatorID), .int(now))
            } else {
                try db.prepare("DELETE FROM lot_holds WHERE lot_id = ?").run(.int(lotID))
            }
            let entry = JournalEntry(time: Microseconds(now), station: c.station, operatorID: c.operatorID,
                                     code: hold ? "lot-held" : "lot-released", severity: hold ? .warning : .info, reason: c.reason,
                                     message: "lot \(c.lot) of item \(c.item) \(hold ? "put on hold" : "released from hold") (reason \(c.reason))",
                                     detail: JSONText.object([("item", JSONText.quote(c.item.code)), ("lot", JSONText.quote(c.lot))]))
            try StationJournalStore.insert(entry, seq: nil, with: try db.prepare(StationJournalStore.insertSQL))
            changed = true
        }
        return changed
    }

    /// Every lot on hold, by item and lot.
    public func lotHolds() throws -> [LotHold] {
        try read { r in
            let s = try r.db.prepare("""
                SELECT ifnull(i.gtin, i.sku), lo.lot, h.reason, h.operator, h.since
                FROM lot_holds h JOIN lots lo ON lo.id = h.lot_id JOIN items i ON i.id = lo.item_id ORDER BY 1, 2
                """)
            defer { s.reset() }
            var out: [LotHold] = []
            while try s.step() {
                out.append(LotHold(item: ItemCode(s.text(0)), lot: s.text(1), reason: s.text(2), operatorID: s.optionalText(3), sinceMicros: s.int(4)))
            }
            return out
        }
    }

    /// The item's row id; only lot-tracked items have lots to hold.
    private static func lotTrackedItem(_ db: Connection, _ item: ItemCode) throws -> Int64 {
        let gtin = GTIN(item.code)?.digits ?? ""
        let s = try db.prepare("SELECT id, tracking FROM items WHERE gtin = ? UNION ALL SELECT id, tracking FROM items WHERE sku = ? LIMIT 1")
        try s.bind([.text(gtin), .text(item.code)])
        defer { s.reset() }
        guard try s.step() else { throw LedgerError.unknownItem(item.code) }
        guard s.text(1) == Tracking.lot.rawValue else {
            throw LedgerError.invalidPosting("item \(item) is tracked by \(s.text(1)), not by lot: it has no lots to hold")
        }
        return s.int(0)
    }
}

extension LedgerReader {
    /// Why a lot is on hold, nil when it is not (or the ledger does not know it).
    func holdReason(item: ItemCode, lot: String) throws -> String? {
        guard let itemID = try itemID(item.code) else { return nil }
        return try db.scalarText("""
            SELECT h.reason FROM lot_holds h JOIN lots lo ON lo.id = h.lot_id WHERE lo.item_id = ? AND lo.lot = ?
            """, .int(itemID), .text(lot))
    }
}
