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

extension Ledger {
    /// Puts a lot on hold and journals it (`lot-held`), in one transaction.
    /// Returns false when the lot was already on hold (the first hold and its
    /// reason stand; nothing is written). The lot need not have been received
    /// yet: a recall may name a lot before it arrives.
    @discardableResult
    public func holdLot(item: ItemCode, lot: String, reason: String, operatorID: String? = nil,
                        station: String = "cli") throws(LedgerError) -> Bool {
        try checkHoldWords(lot: lot, reason: reason)
        var changed = false
        try writeAndWait { db in
            let itemID = try Self.lotTrackedItem(db, item)
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            var lotID = try db.scalarInt("SELECT id FROM lots WHERE item_id = ? AND lot = ?", .int(itemID), .text(lot))
            if lotID == nil {
                try db.prepare("INSERT INTO lots(item_id, lot) VALUES (?, ?)").run(.int(itemID), .text(lot))
                lotID = sqlite3LastRowID(db)
            }
            guard let lotID, try db.scalarInt("SELECT 1 FROM lot_holds WHERE lot_id = ?", .int(lotID)) == nil else { return }
            try db.prepare("INSERT INTO lot_holds(lot_id, reason, operator, since) VALUES (?, ?, ?, ?)")
                .run(.int(lotID), .text(reason), .optionalText(operatorID), .int(now))
            try Self.journalLot(db, code: "lot-held", severity: .warning, item: item, lot: lot, reason: reason, operatorID: operatorID,
                                station: station, time: now, message: "lot \(lot) of item \(item) put on hold (reason \(reason))")
            changed = true
        }
        return changed
    }

    /// Releases a held lot and journals it (`lot-released`). Returns false
    /// when the lot was not on hold (nothing is written).
    @discardableResult
    public func releaseLot(item: ItemCode, lot: String, reason: String, operatorID: String? = nil,
                           station: String = "cli") throws(LedgerError) -> Bool {
        try checkHoldWords(lot: lot, reason: reason)
        var changed = false
        try writeAndWait { db in
            let itemID = try Self.lotTrackedItem(db, item)
            guard let lotID = try db.scalarInt("SELECT id FROM lots WHERE item_id = ? AND lot = ?", .int(itemID), .text(lot)),
                  try db.scalarInt("SELECT 1 FROM lot_holds WHERE lot_id = ?", .int(lotID)) != nil else { return }
            try db.prepare("DELETE FROM lot_holds WHERE lot_id = ?").run(.int(lotID))
            try Self.journalLot(db, code: "lot-released", severity: .info, item: item, lot: lot, reason: reason, operatorID: operatorID,
                                station: station, time: Int64(Date().timeIntervalSince1970 * 1_000_000),
                                message: "lot \(lot) of item \(item) released from hold (reason \(reason))")
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

    private func checkHoldWords(lot: String, reason: String) throws(LedgerError) {
        guard !lot.isEmpty else { throw LedgerError.invalidPosting("the lot must not be empty") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw LedgerError.invalidPosting("a lot hold or release needs a reason (the recall or inspection it belongs to)")
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

    private static func journalLot(_ db: Connection, code: String, severity: JournalSeverity, item: ItemCode, lot: String, reason: String,
                                   operatorID: String?, station: String, time: Int64, message: String) throws {
        let entry = JournalEntry(time: Microseconds(time), station: station, operatorID: operatorID, code: code, severity: severity,
                                 reason: reason, message: message,
                                 detail: JSONText.object([("item", JSONText.quote(item.code)), ("lot", JSONText.quote(lot))]))
        try StationJournalStore.insert(entry, seq: nil, with: try db.prepare(StationJournalStore.insertSQL))
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
