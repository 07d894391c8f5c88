import Foundation
import Testing
import Ledger
import ScanModel
import Stations
@testable import Service

/// Customer returns through the real daemon and a pty scanner: a return by
/// RMA with restock and damaged, a return by serial alone, every refusal,
/// a recall scanned at the station, and a SIGKILL in the middle of a return
/// that resumes where the operator left it, with each posting there once.
@Suite(.serialized) struct DaemonReturnsTests {
    static let plain = gtin("0614141000012").digits
    static let lotted = gtin("0614141000029").digits
    static let serialised = "80614141123458"

    /// SO-1 packed and shipped 3 plain units, 2 of lot L1 and serials S1, S2;
    /// RMA-1 authorises 2 plain units and S1.
    static func site() throws -> DaemonSite {
        let site = try DaemonSite()
        try site.withLedger { (l: Ledger) throws -> Void in
            try l.importLocations([Location(code: "PACK-1", type: .pack), Location(code: "SHIP-1", type: .shipping),
                                   Location(code: "QA-1", type: .quarantine), Location(code: "DMG-1", type: .damaged)])
            try seedStock(l, item: plain, qty: 5, at: "PACK-1")
            try seedStock(l, item: lotted, qty: 2, at: "PACK-1", lot: "L1")
            for s in ["S1", "S2", "S3"] { try seedStock(l, item: serialised, qty: 1, at: "PACK-1", serial: s) }
            let lines = [PostingLine(item: ItemCode(plain), qty: 3, from: "PACK-1", to: "SHIP-1"),
                         PostingLine(item: ItemCode(lotted), qty: 2, from: "PACK-1", to: "SHIP-1", lot: "L1"),
                         PostingLine(item: ItemCode(serialised), qty: 1, from: "PACK-1", to: "SHIP-1", serial: "S1"),
                         PostingLine(item: ItemCode(serialised), qty: 1, from: "PACK-1", to: "SHIP-1", serial: "S2")]
            let shipped = lines.map { PostingLine(item: $0.item, qty: $0.qty, from: "SHIP-1", to: VirtualLocation.customer, lot: $0.lot, serial: $0.serial) }
            let r = try l.postAndWait([PostingRequest(key: "pack/SO-1", kind: .pack, ref: "SO-1", lines: lines),
                                       PostingRequest(key: "ship/SO-1", kind: .ship, ref: "SO-1", lines: shipped)])
            #expect(r.map(\.status) == [.posted, .posted])
            try LedgerStationStores(ledger: l).store(rmas: [RMA(number: "RMA-1", order: "SO-1", lines: [
                RMALine(item: ItemCode(plain), quantity: 2), RMALine(item: ItemCode(serialised), quantity: 1, serial: "S1")])])
        }
        try site.writeRaw("""
        {"site": {"box_id": "test"}, "log_level": "info",
         "ledger": {"path": "\(site.db)", "synchronous": "full"},
         "control": {"socket": "\(site.socket)", "mode": "0600"},
         "patterns": {"document": ["RMA-#", "SO-#"]},
         "devices": [{"name": "ret-scanner", "driver": "line", "port": "\(site.scanner.path)", "serial": "115200 8N1"}],
         "stations": [{"name": "ret-1", "type": "returns", "devices": ["ret-scanner"], "restock_location": "A-01",
                       "quarantine_location": "QA-1", "damaged_location": "DMG-1", "lot_hold_by_scan": true,
                       "reasons": ["WRONG-SIZE", "BROKEN", "RECALL"]}]}
        """)
        return site
    }

    func codes(_ events: [[String: Any]]) -> [String] { events.map { $0["code"] as? String ?? "?" } }

    @Test func returnsByRMAAndBySerialWithEveryRefusalAndARecall() throws {
        let site = try Self.site()
        try site.start()
        let fd = try site.send(["cmd": "watch", "station": "ret-1"])
        defer { close(fd) }
        #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
        let (p, l, s) = (Self.plain, Self.lotted, Self.serialised)
        let byRMA = try site.scanEach([
            "RMA-1", "01\(l)10L1",                       // the lot shipped, but not on the RMA
            "RSN:WRONG-SIZE", "01\(p)302", "CMD:RESTOCK",  // 2 plain back to the shelf
            "01\(p)", "01\(s)21S1", "CMD:DAMAGED",       // a third is over the RMA; S1 damaged
            "CMD:CLOSE", "RMA-1",
        ], watching: fd)
        #expect(codes(byRMA) == ["opened", "not-shipped", "reason-noted", "accepted", "accepted",
                                 "over-return", "accepted", "accepted", "posted", "document-already-done"], "\(byRMA)")
        let bySerial = try site.scanEach([
            "01\(s)21S3",                                // packed? never: not shipped, nothing opens
            "01\(s)21S1",                                // already back by the RMA
            "01\(s)21S2", "CMD:QUARANTINE", "CMD:CLOSE", // the return of SO-1 opens by the serial alone
            "SO-1", "01\(p)302", "01\(p)", "CMD:RESTOCK", "CMD:CANCEL",  // 1 more plain may come back, not 2
            "SO-9",
        ], watching: fd)
        #expect(codes(bySerial) == ["not-shipped", "already-returned", "accepted", "accepted", "posted",
                                    "opened", "over-return", "accepted", "accepted", "cancelled", "unknown-document"], "\(bySerial)")
        let recall = try site.scanEach(["CMD:HOLD-LOT", "OP:77", "RSN:RECALL", "CMD:HOLD-LOT", "01\(l)10L1"], watching: fd)
        #expect(codes(recall) == ["operator-required", "operator-signed-in", "reason-noted", "accepted", "lot-held"], "\(recall)")
        #expect(try site.stop() == 0)

        try site.withLedger { (ledger: Ledger) throws -> Void in
            #expect(try ledger.onHand(item: ItemCode(p), lot: nil, at: "A-01") == 2)
            #expect(try ledger.onHand(item: ItemCode(s), lot: nil, at: "DMG-1") == 1)
            #expect(try ledger.onHand(item: ItemCode(s), lot: nil, at: "QA-1") == 1)
            #expect(try ledger.postedUnits(kind: .return, ref: "SO-1").map(\.qty).reduce(0, +) == 4)
            #expect(try ledger.lotHolds().map { "\($0.lot) \($0.reason) \($0.operatorID ?? "-")" } == ["L1 RECALL 77"])
            let held = try ledger.stationJournal(JournalQuery(code: "lot-held"))
            #expect(held.count == 1 && held.first?.entry.station == "ret-1")
            #expect(try ledger.stationJournal(JournalQuery(station: "ret-1", code: "returned")).count == 3)
            #expect(try ledger.verify().ok)
        }
    }

    @Test func aSIGKILLMidReturnResumesTheSessionAndPostsOnce() throws {
        let site = try Self.site()
        try site.start()
        var fd = try site.send(["cmd": "watch", "station": "ret-1"])
        #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
        let (p, s) = (Self.plain, Self.serialised)
        let first = try site.scanEach(["SO-1", "01\(p)302", "CMD:RESTOCK", "01\(s)21S1"], watching: fd)
        #expect(codes(first) == ["opened", "accepted", "accepted", "accepted"])
        close(fd)
        #expect(try site.stop(SIGKILL) == SIGKILL)  // S1 acknowledged, waiting for its disposition

        try site.start()
        #expect(site.log.contains("station ret-1") && site.log.contains("resumed the open session"))
        fd = try site.send(["cmd": "watch", "station": "ret-1"])
        defer { close(fd) }
        #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
        let second = try site.scanEach(["01\(p)", "CMD:DAMAGED", "CMD:CLOSE", "CMD:CLOSE"], watching: fd)
        #expect(codes(second) == ["disposition-required", "accepted", "posted", "nothing-to-do"], "\(second)")
        #expect(try site.stop(SIGKILL) == SIGKILL)  // after the acknowledged CLOSE: the posting stands, once

        try site.start()
        #expect(try site.stop() == 0)
        try site.withLedger { (ledger: Ledger) throws -> Void in
            let returns = try ledger.postedUnits(kind: .return, ref: "SO-1")
            #expect(returns.map { "\($0.item.code)/\($0.serial ?? "-") \($0.qty)" } == ["\(p)/- 2", "\(s)/S1 1"])
            #expect(try ledger.onHand(item: ItemCode(p), lot: nil, at: "A-01") == 2)
            #expect(try ledger.onHand(item: ItemCode(s), lot: nil, at: "DMG-1") == 1)
            #expect(try ledger.verify().ok)
        }
    }
}
