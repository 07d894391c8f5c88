import Foundation
import ScanModel
import Testing
@testable import Stations

@Suite struct ImportTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func importError(_ body: () throws -> Void) -> ImportError? {
        do { try body(); return nil } catch let e as ImportError { return e } catch { return nil }
    }

    @Test func asnCSVGroupsRowsAndNormalisesFields() throws {
        let csv = "\u{FEFF}asn,item,qty,lot,expiry,sscc\r\n" +
            "ASN-1,614141000012,10,,,\r\n" +           // GTIN-12 → 14 digits
            "ASN-1,SKU-42,\"1\",\"L,1\",2027-06-30,\r\n" +
            "\r\n" +
            "ASN-2,00614141000029,5,L9,,037612345000000014\r\n"
        let asns = try ExpectedImport.parseASNs(bytes(csv), file: "asn.csv")
        #expect(asns.map(\.number) == ["ASN-1", "ASN-2"])
        #expect(asns[0].lines.map(\.item) == ["00614141000012", "SKU-42"])
        #expect(asns[0].lines[1].lot == "L,1")
        #expect(asns[0].lines[1].expiry == CivilDate(year: 2027, month: 6, day: 30))
        #expect(asns[1].lines[0].sscc == "037612345000000014")
        #expect(asns[1].ssccs == ["037612345000000014"])
    }

    @Test(arguments: [
        ("asn,item,qty\nA,X,0\n", 2, 5, "qty"),
        ("asn,item,qty\nA,X,ten\n", 2, 5, "qty"),
        ("asn,item,qty\nA,00614141000013,1\n", 2, 3, "check digit"),
        ("asn,item,qty,colour\nA,X,1,red\n", 1, 14, "unknown column"),
        ("asn,qty\nA,1\n", 1, 1, "no 'item'"),
        ("asn,item,qty\nA,X\n", 2, 1, "2 fields"),
        ("asn,item,qty\nA,\"X,1\n", 2, 3, "never closed"),
        ("asn,item,qty\nA,X\"Y,1\n", 2, 4, "quote inside"),
        ("asn,item,qty\n,X,1\n", 2, 1, "asn is empty"),
        ("asn,item,qty,expiry\nA,X,1,2027-02-30\n", 2, 7, "expiry"),
        ("asn,item,qty,sscc\nA,X,1,037612345000000018\n", 2, 7, "sscc"),
        ("asn,item,qty,sscc\nA,X,1,037612345000000014\nB,X,1,037612345000000014\n", 3, 1, "both ASN"),
        ("asn,item,qty\n", 1, 1, "no data rows"),
        ("", 1, 1, "empty"),
        ("asn,item,qty,qty\nA,X,1,1\n", 1, 14, "twice"),
    ])
    func asnCSVErrorsNameLineAndColumn(csv: String, line: Int, column: Int, words: String) throws {
        let e = try #require(importError { _ = try ExpectedImport.parseASNs(bytes(csv), file: "in.csv") })
        #expect(e.file == "in.csv")
        #expect((e.line, e.column) == (line, column), "\(e)")
        #expect(e.message.contains(words), "\(e)")
        #expect(e.description.hasPrefix("in.csv:\(line):\(column): "))
    }

    @Test func asnJSONBothShapes() throws {
        let json = """
        {"asns": [
          {"asn": "ASN-9", "lines": [
            {"item": "00614141000012", "qty": 3, "sscc": "037612345000000014"},
            {"item": "SKU-\\u00e9", "quantity": "2", "lot": "L1", "expiry": "2027-01-31"}
          ]}
        ]}
        """
        let asns = try ExpectedImport.parseASNs(bytes(json), file: "asn.txt")
        #expect(asns.count == 1 && asns[0].lines.map(\.quantity) == [3, 2])
        #expect(asns[0].lines[1].item == "SKU-é")
        let bare = try ExpectedImport.parseASNs(bytes(#"[{"po":"PO-1","lines":[{"item":"X","qty":1}]}]"#), file: "po.json")
        #expect(bare.map(\.number) == ["PO-1"])
    }

    @Test(arguments: [
        ("[{\"asn\":\"A\",\n \"lines\":[{\"item\":\"X\",\"qty\":-1}]}]", 2, 29, "qty"),
        ("[{\"asn\":\"A\",\"lines\":[{\"item\":\"X\",\"qty\":1,\"color\":1}]}]", 1, 42, "unknown member"),
        ("[{\"asn\":\"A\",\"lines\":[]}]", 1, 21, "non-empty"),
        ("[{\"asn\":\"A\",\"lines\":[{\"item\":\"X\",\"qty\":1}]},\n{\"asn\":\"A\",\"lines\":[{\"item\":\"X\",\"qty\":1}]}]", 2, 1, "twice"),
        ("[{\"asn\":\"A\",\"lines\":[{\"item\":\"X\" \"qty\":1}]}]", 1, 34, "',' or '}'"),
        ("[{\"asn\":\"A\"", 1, 12, "',' or '}'"),
        ("{\"orders\":[]}", 1, 1, "'asns'"),
        ("[1]", 1, 2, "object"),
        ("[{\"lines\":[{\"item\":\"X\",\"qty\":1}]}]", 1, 2, "'po' is missing"),
        ("[] x", 1, 4, "after the JSON"),
    ])
    func asnJSONErrorsNameLineAndColumn(json: String, line: Int, column: Int, words: String) throws {
        let e = try #require(importError { _ = try ExpectedImport.parseASNs(bytes(json), file: "a.json") })
        #expect((e.line, e.column) == (line, column), "\(e)")
        #expect(e.message.contains(words), "\(e)")
    }

    @Test func ordersCSVAndJSON() throws {
        let csv = "order,tote,item,qty,serials\nSO-1,T-1,X,2,S1;S2\nSO-1,,Y,1,\nSO-2,,X,1,\n"
        let orders = try ExpectedImport.parseOrders(bytes(csv), file: "orders.csv")
        #expect(orders.map(\.number) == ["SO-1", "SO-2"])
        #expect(orders[0].tote == "T-1" && orders[0].lines.map(\.serials) == [["S1", "S2"], []])
        let json = #"{"orders":[{"order":"SO-3","tote":"T-3","lines":[{"item":"X","qty":2,"serials":["A","B"]}]}]}"#
        let fromJSON = try ExpectedImport.parseOrders(bytes(json), file: "orders.json")
        #expect(fromJSON == [PackOrder(number: "SO-3", tote: "T-3", lines: [PackOrderLine(item: "X", quantity: 2, serials: ["A", "B"])])])
    }

    @Test func orderErrors() throws {
        let tooMany = importError { _ = try ExpectedImport.parseOrders(bytes("order,item,qty,serials\nSO-1,X,1,A;B\n"), file: "o.csv") }
        #expect(tooMany?.line == 2 && tooMany?.message.contains("2 serials") == true)
        let toteClash = importError { _ = try ExpectedImport.parseOrders(bytes("order,tote,item,qty\nSO-1,T1,X,1\nSO-1,T2,Y,1\n"), file: "o.csv") }
        #expect(toteClash.map { ($0.line, $0.column) } ?? (0, 0) == (3, 6))
        let badSerial = importError { _ = try ExpectedImport.parseOrders(bytes(#"[{"order":"S","lines":[{"item":"X","qty":1,"serials":[7]}]}]"#), file: "o.json") }
        #expect(badSerial?.column == 55)
        let twice = importError { _ = try ExpectedImport.parseOrders(bytes(#"[{"order":"S","lines":[{"item":"X","qty":2,"serials":["A","A"]}]}]"#), file: "o.json") }
        #expect(twice?.message.contains("listed twice") == true)
    }

    @Test func importedDocumentsDriveAStation() throws {
        let w = World()
        let csv = "asn,item,qty\nASN-7,\(w.plain.digits),2\n"
        try w.expected.store(asns: try ExpectedImport.parseASNs(bytes(csv), file: "asn.csv"), orders: [])
        let s = try ReceivingStation(config: ReceivingConfig(station: "d", dock: "DOCK-1"), dependencies: w.deps())
        s.feed(.document("ASN-7"), at(2026, 1, 1))
        #expect(s.feed(.tradeItem(TradeItemScan(gtin: w.plain, quantity: 2)), at(2026, 1, 1)).accepted)
        #expect(s.feed(.command("CLOSE"), at(2026, 1, 1)).feedback.code == .posted)
    }

    @Test func formatDetection() {
        #expect(ExpectedImport.detectFormat(file: "x.JSON", data: []) == .json)
        #expect(ExpectedImport.detectFormat(file: "x", data: bytes("  [")) == .json)
        #expect(ExpectedImport.detectFormat(file: "x", data: bytes("asn,item")) == .csv)
        #expect(ExpectedImport.detectFormat(file: "x.csv", data: bytes("[")) == .csv)
    }

    @Test func importFileIsAllOrNothingAndProtectsDoneDocuments() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stations-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = InMemoryExpectedDataStore()
        let good = dir.appendingPathComponent("asn.csv")
        try Data("asn,item,qty\nA1,X,1\nA2,Y,2\n".utf8).write(to: good)
        #expect(try ExpectedImport.importFile(.asn, path: good.path, into: store) == 2)
        let bad = dir.appendingPathComponent("more.csv")
        try Data("asn,item,qty\nA3,X,1\nA4,Y,zero\n".utf8).write(to: bad)
        let e = importError { try ExpectedImport.importFile(.asn, path: bad.path, into: store) }
        #expect(e?.line == 3 && e?.file == bad.path)
        #expect(try store.asn(number: "A3") == nil)  // nothing from the failed file
        try store.markASN("A1", status: .done(seq: 9))
        let again = importError { try ExpectedImport.importFile(.asn, path: good.path, into: store) }
        #expect(again.map { ($0.line, $0.column) } ?? (0, 0) == (2, 1))
        #expect(try store.asn(number: "A1")?.status == .done(seq: 9))
        // A partly received ASN is protected too: replacing it would lose its tallies.
        try store.markASN("A1", status: .open)
        try store.markASN("A2", status: .partial(seqs: [4]))
        let partly = importError { try ExpectedImport.importFile(.asn, path: good.path, into: store) }
        #expect(partly?.line == 3 && partly?.message.contains("partly received") == true)
        let missing = importError { try ExpectedImport.importFile(.orders, path: dir.appendingPathComponent("nope.json").path, into: store) }
        #expect(missing?.message.contains("cannot read") == true)
        let orders = dir.appendingPathComponent("orders.json")
        try Data(#"[{"order":"SO-1","lines":[{"item":"X","qty":1}]}]"#.utf8).write(to: orders)
        #expect(try ExpectedImport.importFile(.orders, path: orders.path, into: store) == 1)
        #expect(try store.order(numberOrTote: "SO-1") != nil)
    }

    @Test func unrecognizedBarcodesGetAnErrorEverywhere() throws {
        let w = World()
        let stations: [any Station] = [
            try ReceivingStation(config: ReceivingConfig(station: "r", dock: "DOCK-1"), dependencies: w.deps()),
            try MoveStation(config: MoveConfig(station: "m"), dependencies: w.deps()),
            try CountStation(config: CountConfig(station: "c"), dependencies: w.deps(), reviews: w.reviews),
            try PackStation(config: PackConfig(station: "p", packLocation: "PACK-1", packedLocation: "SHIP"), dependencies: w.deps()),
        ]
        for s in stations {
            let e = s.handle(.unrecognized("HELLO WORLD"), at: .zero)
            #expect(e.feedback.code == .unknownBarcode && e.feedback.outcome == .error)
            #expect(!s.hasOpenSession)
        }
    }
}
