import Foundation
import Testing
import Ledger
import ScanModel
import Stations
@testable import Service

/// Picking through the real daemon and a pty scanner: a wave of three orders
/// into three totes with a wrong location, a wrong lot and a held lot
/// refused and a short pick backordered; and a SIGKILL in the middle of a
/// stop that resumes with every acknowledged scan and posting there once.
@Suite(.serialized) struct DaemonPickTests {
    static let plain = gtin("0614141000012").digits
    static let lotted = gtin("0614141000029").digits

    /// A-01: lots L-OLD (first out), L-NEW and the recalled L-RECALL; B-01: 5 plain.
    /// SO-1 (2 lotted) ships first; SO-2 (2 plain, priority 5) before SO-3 (3 plain).
    static func site() throws -> DaemonSite {
        let site = try DaemonSite()
        try site.withLedger { (l: Ledger) throws -> Void in
            try l.importLocations([Location(code: "TOTE-1", type: .pack), Location(code: "TOTE-2", type: .pack),
                                   Location(code: "TOTE-3", type: .pack), Location(code: "PACK-1", type: .pack)])
            let lot = { (name: String, y: Int, m: Int) in
                PostingLine(item: ItemCode(lotted), qty: 4, from: VirtualLocation.supplier, to: "A-01", lot: name, expiry: CivilDate(year: y, month: m, day: 1))
            }
            let r = try l.postAndWait([PostingRequest(key: "seed-lots", kind: .receipt, lines: [lot("L-OLD", 2027, 1), lot("L-NEW", 2027, 9), lot("L-RECALL", 2026, 12)])])
            #expect(r.first?.status == .posted)
            _ = try l.holdLot(item: ItemCode(lotted), lot: "L-RECALL", reason: "RECALL")
            try seedStock(l, item: plain, qty: 5, at: "B-01")
            try LedgerStationStores(ledger: l).store(asns: [], orders: [
                PackOrder(number: "SO-1", lines: [PackOrderLine(item: ItemCode(lotted), quantity: 2)], shipBy: CivilDate(year: 2026, month: 12, day: 5)),
                PackOrder(number: "SO-2", lines: [PackOrderLine(item: ItemCode(plain), quantity: 2)], priority: 5),
                PackOrder(number: "SO-3", lines: [PackOrderLine(item: ItemCode(plain), quantity: 3)]),
            ])
        }
        try site.writeRaw("""
        {"site": {"box_id": "test"}, "log_level": "info",
         "ledger": {"path": "\(site.db)", "synchronous": "full"},
         "control": {"socket": "\(site.socket)", "mode": "0600"},
         "patterns": {"document": ["SO-#"]},
         "devices": [{"name": "pick-scanner", "driver": "line", "port": "\(site.scanner.path)", "serial": "115200 8N1"}],
         "stations": [{"name": "pick-1", "type": "pick", "devices": ["pick-scanner"], "pick_locations": ["A-01", "B-01"]}]}
        """)
        return site
    }

    func codes(_ events: [[String: Any]]) -> [String] { events.map { $0["code"] as? String ?? "?" } }

    @Test func aWaveIntoTotesWithRefusalsAndAShortPick() throws {
        let site = try Self.site()
        try site.start()
        let fd = try site.send(["cmd": "watch", "station": "pick-1"])
        defer { close(fd) }
        #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
        let (p, l) = (Self.plain, Self.lotted)
        let wave = try site.scanEach([
            "SO-3", "SO-1", "SO-2",
            "LOC:B-01", "LOC:A-01",                                   // SO-1 first: A-01
            "01\(l)10L-NEW", "01\(l)10L-RECALL", "01\(l)10L-OLD", "01\(l)10L-OLD", "LOC:TOTE-1",
            "LOC:B-01", "01\(p)302", "LOC:TOTE-1", "LOC:TOTE-2",       // SO-2 into its own tote
            "LOC:B-01", "01\(p)", "CMD:SHORT-PICK", "LOC:TOTE-3",      // SO-3: 1 of 3, the rest backordered
        ], watching: fd)
        #expect(codes(wave) == ["opened", "opened", "opened", "wrong-location", "accepted",
                                "wrong-lot", "held-stock", "accepted", "accepted", "posted",
                                "accepted", "accepted", "wrong-tote", "posted",
                                "accepted", "accepted", "short-picked", "posted"], "\(wave)")
        let orders = try site.request(["cmd": "orders", "status": "picked"])
        #expect((orders["orders"] as? [[String: Any]])?.compactMap { $0["order"] as? String } == ["SO-1", "SO-2", "SO-3"], "\(orders)")
        let so3 = try site.request(["cmd": "order", "order": "SO-3"])
        let line = (so3["lines"] as? [[String: Any]])?.first
        #expect(line?["picked"] as? Int == 1 && line?["backordered"] as? Int == 2, "\(so3)")
        #expect(try site.stop() == 0)

        try site.withLedger { (ledger: Ledger) throws -> Void in
            #expect(try ledger.onHand(item: ItemCode(l), lot: "L-OLD", at: "TOTE-1") == 2)
            #expect(try ledger.onHand(item: ItemCode(p), lot: nil, at: "TOTE-2") == 2)
            #expect(try ledger.onHand(item: ItemCode(p), lot: nil, at: "TOTE-3") == 1)
            #expect(try ledger.stationJournal(JournalQuery(code: "backordered", document: "SO-3")).count == 1)
            #expect(try ledger.stationJournal(JournalQuery(station: "pick-1", code: "wrong-lot")).count == 1)
            #expect(try ledger.verify().ok)
        }
    }

    @Test func aSIGKILLMidPickResumesWithNothingLostOrDoubled() throws {
        let site = try Self.site()
        try site.start()
        var fd = try site.send(["cmd": "watch", "station": "pick-1"])
        #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
        let (p, l) = (Self.plain, Self.lotted)
        let first = try site.scanEach(["SO-1", "SO-2", "LOC:A-01", "01\(l)10L-OLD", "01\(l)10L-OLD", "LOC:TOTE-1", "LOC:B-01", "01\(p)"], watching: fd)
        #expect(codes(first) == ["opened", "opened", "accepted", "accepted", "accepted", "posted", "accepted", "accepted"], "\(first)")
        close(fd)
        #expect(try site.stop(SIGKILL) == SIGKILL)  // one stop posted, one unit of the next acknowledged

        try site.start()
        #expect(site.log.contains("station pick-1") && site.log.contains("resumed the open session"))
        fd = try site.send(["cmd": "watch", "station": "pick-1"])
        defer { close(fd) }
        #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
        // The acknowledged unit is still scanned: one more fills the stop, a third is an over-pick.
        let second = try site.scanEach(["01\(p)", "01\(p)", "LOC:TOTE-2"], watching: fd)
        #expect(codes(second) == ["accepted", "over-pick", "posted"], "\(second)")
        #expect(try site.stop() == 0)
        try site.withLedger { (ledger: Ledger) throws -> Void in
            #expect(try ledger.onHand(item: ItemCode(l), lot: "L-OLD", at: "TOTE-1") == 2)
            #expect(try ledger.onHand(item: ItemCode(p), lot: nil, at: "TOTE-2") == 2)
            #expect(try ledger.history(.ref("SO-1")).map(\.seq).count == 2)   // one move: two entries
            #expect(try ledger.verify().ok)
        }
    }
}
