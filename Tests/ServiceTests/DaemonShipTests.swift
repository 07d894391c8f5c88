import Foundation
import Testing
import Ledger
import ScanModel
import Stations
@testable import Service

/// Shipping through the real daemon and a pty scanner at a station with
/// pallets and dock doors: UPS, FedEx and USPS IMpb labels (valid, bad
/// check digits, a reused number), a carrier at the wrong door, a pallet
/// with its refusals; and SIGKILLs mid-pallet and after CONFIRM.
@Suite(.serialized) struct DaemonShipTests {
    static let plain = gtin("0614141000012").digits
    /// Cartons packed for SO-1…SO-5; `unpacked` never was; `pallet` is a pallet label.
    static let cartons = (1...5).map { sscc("0376123450000001\($0)").digits }
    static let unpacked = sscc("03761234500000099").digits
    static let pallet = sscc("03761234590000001").digits
    static let impb = "]C142078745\u{1D}9400111206206406260787"

    static func site() throws -> DaemonSite {
        let site = try DaemonSite()
        try site.withLedger { (l: Ledger) throws -> Void in
            try l.importLocations([Location(code: "PACK-1", type: .pack), Location(code: "SHIP-1", type: .shipping)])
            try seedStock(l, item: plain, qty: 20, at: "PACK-1")
            let packs = cartons.enumerated().map { i, carton in
                PostingRequest(key: "pack/SO-\(i + 1)", kind: .pack, ref: "SO-\(i + 1)", station: "pack-1", sscc: carton,
                               lines: [PostingLine(item: ItemCode(plain), qty: Int64(i + 1), from: "PACK-1", to: "SHIP-1")])
            }
            #expect(try l.postAndWait(packs).allSatisfy { $0.status == .posted })
        }
        try site.writeRaw("""
        {"site": {"box_id": "test"}, "log_level": "info",
         "ledger": {"path": "\(site.db)", "synchronous": "full"},
         "control": {"socket": "\(site.socket)", "mode": "0600"},
         "patterns": {"document": ["SO-#"]},
         "devices": [{"name": "ship-scanner", "driver": "line", "port": "\(site.scanner.path)", "serial": "115200 8N1"}],
         "stations": [{"name": "ship-1", "type": "ship", "devices": ["ship-scanner"], "packed_location": "SHIP-1", "pallets": true,
                       "doors": [{"location": "DOOR-1", "carrier": "UPS"}, {"location": "DOOR-2", "carrier": "FedEx"},
                                 {"location": "DOOR-3", "carrier": "USPS"}]}]}
        """)
        return site
    }

    func codes(_ events: [[String: Any]]) -> [String] { events.map { $0["code"] as? String ?? "?" } }
    func watch(_ site: DaemonSite) throws -> Int32 {
        let fd = try site.send(["cmd": "watch", "station": "ship-1"])
        #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
        return fd
    }

    /// (order, carton SSCC, tracking number) of every ship posting that stands.
    func shipped(_ site: DaemonSite) throws -> [String] {
        try site.withLedger { (l: Ledger) throws -> [String] in
            try l.read { try $0.shipments() }.map { "\($0.order ?? "-") \($0.sscc ?? "-") \($0.pallet ?? "-") \($0.tracking ?? "-")" }
        }
    }

    @Test func upsFedExAndUSPSLabelsAtTheirDoorsAndAPallet() throws {
        let site = try Self.site()
        try site.start()
        let fd = try watch(site)
        defer { close(fd) }
        let c = Self.cartons
        let loose = try site.scanEach([
            "00\(c[0])", "CMD:CONFIRM",                               // no label yet
            "1Z1111111111111111",                                     // UPS, bad check character
            "1Z5R89390357567127", "CMD:CONFIRM",                      // no door scanned
            "LOC:DOOR-2", "LOC:DOOR-1", "CMD:CONFIRM",                // FedEx door refused for a UPS label; UPS door
            "LOC:DOOR-2", "00\(c[1])", "1Z5R89390357567127",          // the UPS number again
            "996578788855",                                           // FedEx Express 12, bad check digit
            "568283610012000", "CMD:CONFIRM",                         // FedEx Ground 15
            "LOC:DOOR-3", "00\(c[2])", "]C142078745\u{1D}9400111206206406260788",  // IMpb, bad check digit
            "041441760228964",                                        // FedEx at the USPS door
            Self.impb, "CMD:CONFIRM",
        ], watching: fd)
        #expect(codes(loose) == ["opened", "incomplete", "bad-tracking-number", "accepted", "incomplete",
                                 "wrong-carrier", "accepted", "posted",
                                 "accepted", "opened", "tracking-reused", "bad-tracking-number", "accepted", "posted",
                                 "accepted", "opened", "bad-tracking-number", "wrong-carrier", "accepted", "posted"], "\(loose)")
        let pallet = try site.scanEach([
            "LOC:DOOR-1", "00\(Self.pallet)", "00\(c[0])", "00\(Self.unpacked)",   // shipped; never packed
            "00\(c[3])", "1Z879E930346834440", "00\(c[4])", "1Z879E930346834440",  // a number already on the pallet
            "041441760228964",                                                  // FedEx on a UPS pallet
            "1Z410E7W0392751591", "CMD:CONFIRM", "00\(Self.pallet)",              // shipped: the pallet SSCC is spent
        ], watching: fd)
        #expect(codes(pallet) == ["accepted", "opened", "document-already-done", "not-packed",
                                  "accepted", "accepted", "accepted", "tracking-reused", "wrong-carrier",
                                  "accepted", "posted", "document-already-done"], "\(pallet)")
        #expect(try site.stop() == 0)

        #expect(try shipped(site) == [
            "SO-1 \(c[0]) - 1Z5R89390357567127", "SO-2 \(c[1]) - 568283610012000", "SO-3 \(c[2]) - 9400111206206406260787",
            "SO-4 \(c[3]) \(Self.pallet) 1Z879E930346834440", "SO-5 \(c[4]) \(Self.pallet) 1Z410E7W0392751591",
        ])
        try site.withLedger { (l: Ledger) throws -> Void in
            #expect(try l.onHand(item: ItemCode(Self.plain), lot: nil, at: "SHIP-1") == 0)
            #expect(try l.verify().ok)
        }
        let notice = try runCLI(["export", "shipments", "--format", "epcis", "--db", site.db])
        #expect(notice.status == 0 && notice.out.contains("\"AggregationEvent\"") && notice.out.contains("https://id.gs1.org/00/\(Self.pallet)"))
    }

    @Test func aSIGKILLMidPalletAndAfterConfirmLosesNothingAndPostsOnce() throws {
        let site = try Self.site()
        let c = Self.cartons
        try site.start()
        var fd = try watch(site)
        let first = try site.scanEach(["LOC:DOOR-1", "00\(Self.pallet)", "00\(c[3])", "1Z879E930346834440", "00\(c[4])"], watching: fd)
        #expect(codes(first) == ["accepted", "opened", "accepted", "accepted", "accepted"], "\(first)")
        close(fd)
        #expect(try site.stop(SIGKILL) == SIGKILL)  // between scans: c5 on the pallet, waiting for its label

        try site.start()
        #expect(site.log.contains("station ship-1") && site.log.contains("resumed the open session"))
        fd = try watch(site)
        // The door and the pallet came back: no door scan before CONFIRM.
        let second = try site.scanEach(["1Z879E930346834440", "1Z410E7W0392751591", "CMD:CONFIRM", "CMD:CONFIRM"], watching: fd)
        #expect(codes(second) == ["tracking-reused", "accepted", "posted", "nothing-to-do"], "\(second)")
        close(fd)
        #expect(try site.stop(SIGKILL) == SIGKILL)  // after the acknowledged CONFIRM

        try site.start()
        fd = try watch(site)
        defer { close(fd) }
        // A loose carton killed mid-ship resumes with its label.
        #expect(codes(try site.scanEach(["00\(c[0])", "1Z5R89390357567127"], watching: fd)) == ["opened", "accepted"])
        #expect(try site.stop(SIGKILL) == SIGKILL)
        try site.start()
        let fd2 = try watch(site)
        defer { close(fd2) }
        #expect(codes(try site.scanEach(["CMD:CONFIRM"], watching: fd2)) == ["posted"])
        #expect(try site.stop() == 0)

        #expect(try shipped(site) == ["SO-4 \(c[3]) \(Self.pallet) 1Z879E930346834440", "SO-5 \(c[4]) \(Self.pallet) 1Z410E7W0392751591",
                                      "SO-1 \(c[0]) - 1Z5R89390357567127"])
        try site.withLedger { (l: Ledger) throws -> Void in
            #expect(try l.history(.ref("SO-4")).filter { $0.kind == .ship && $0.qty > 0 }.count == 1)
            #expect(try l.verify().ok)
        }
    }
}
