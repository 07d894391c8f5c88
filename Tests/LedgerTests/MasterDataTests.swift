import Foundation
import Testing
@testable import Ledger
import ScanModel

/// Import of items and locations: CSV and JSON, positions in errors, all or nothing.
@Suite struct MasterDataTests {
    @Test func csvWithQuotesAndCRLF() throws {
        let rows = try CSV.rows("a,b\r\n\"x, \"\"y\"\"\",2\r\n\r\n\"multi\nline\",3", file: "t.csv")
        #expect(rows.map { $0.map(\.value) } == [["a", "b"], ["x, \"y\"", "2"], ["multi\nline", "3"]])
        #expect(rows[1][1].position == SourcePosition(line: 2, column: 12))
        #expect(rows[2][1].position == SourcePosition(line: 5, column: 7))
        #expect(throws: TextError.self) { try CSV.rows("a,\"b\n", file: "t.csv") }
        #expect(throws: TextError.self) { try CSV.rows("a,b\"c\n", file: "t.csv") }
    }

    @Test func importsItemsAndLocationsFromCSV() throws {
        let t = try TestLedger(seed: false)
        let items = try MasterDataFile.items(text: """
            gtin,sku,description,tracking
            4006381333931,W-1,"Widget, blue",none
            ,BOLT,Bolt,
            09506000134352,,Milk,lot
            """, file: "items.csv")
        try t.ledger.importItems(items, file: "items.csv")
        let locations = try MasterDataFile.locations(text: "code,gln,gcp_length,type,allow_negative\nD1,0614141000012,7,dock,false\nF,,,storage,yes\n", file: "loc.csv")
        try t.ledger.importLocations(locations, file: "loc.csv")
        #expect(items.map(\.value.sku) == ["W-1", "BOLT", nil])
        #expect(items[0].value.description == "Widget, blue")
        #expect(locations.map(\.value) == [Location(code: "D1", gln: GLN("0614141000012"), gcpLength: 7, type: .dock),
                                           Location(code: "F", type: .storage, allowNegative: true)])
        #expect(try t.post(PostingRequest(key: "r", kind: .move, lines: [PostingLine(item: "BOLT", qty: 2, from: "F", to: "D1")])).status == .posted)
    }

    @Test func errorsNameFileLineAndColumn() throws {
        func error(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return String(describing: error) }
        }
        #expect(error { _ = try MasterDataFile.items(text: "gtin,sku\n4006381333931,A\n4006381333932,B\n", file: "i.csv") }
                == "i.csv:3:1: '4006381333932' is not a valid GTIN (8, 12, 13 or 14 digits with a correct check digit)")
        #expect(error { _ = try MasterDataFile.items(text: "gtin,colour\n", file: "i.csv") }.hasPrefix("i.csv:1:6: unknown column 'colour'"))
        #expect(error { _ = try MasterDataFile.items(text: "sku,tracking\nA,batch\n", file: "i.csv") }.hasPrefix("i.csv:2:3: tracking 'batch'"))
        #expect(error { _ = try MasterDataFile.items(text: "sku,tracking\nA\n", file: "i.csv") } == "i.csv:2:1: 1 fields, the header has 2")
        #expect(error { _ = try MasterDataFile.locations(text: "code,type\n@dock,dock\n", file: "l.csv") }.hasPrefix("l.csv:2:1: codes starting with '@'"))
        #expect(error { _ = try MasterDataFile.locations(text: "[\n  {\"code\": \"A\", \"type\": \"virtual\"}\n]", file: "l.json") }
                == "l.json:2:25: type 'virtual' must be dock, storage, pack, shipping, quarantine or damaged")
        #expect(error { _ = try MasterDataFile.locations(text: "[\n  {\"code\": \"A\",, }\n]", file: "l.json") }.hasPrefix("l.json:2:16:"))
        #expect(error { _ = try MasterDataFile.items(text: "[{\"sku\": \"A\", \"weight\": 3}]", file: "i.json") }.hasPrefix("i.json:1:25: unknown field 'weight'"))
        #expect(error { _ = try MasterDataFile.items(text: "", file: "e.csv") }.hasPrefix("e.csv:1:1: empty file"))
        // From the file's bytes, invalid UTF-8 is an error where it is (a String could not even hold it).
        #expect(error { _ = try MasterDataFile.items(bytes: Array("sku,description\nA,ab".utf8) + [0xFF] + [0x0A], file: "b.csv") }
                == "b.csv:2:5: invalid UTF-8 byte 0xFF")
        #expect(error { _ = try MasterDataFile.locations(bytes: Array("[{\"code\": \"x".utf8) + [0xC0, 0x80] + Array("\"}]".utf8), file: "b.json") }
                == "b.json:1:13: invalid UTF-8 byte 0xC0")
    }

    @Test func jsonImportAndAllOrNothing() throws {
        let t = try TestLedger()
        let items = try MasterDataFile.items(text: """
            [
              {"sku": "NEW-1", "description": "New", "tracking": "none"},
              {"gtin": "09506000134352", "tracking": "serial"}
            ]
            """, file: "items.json")
        _ = try t.receive("r1", item: TestLedger.milk, qty: 1, lot: "L1")
        do {
            try t.ledger.importItems(items, file: "items.json")
            Issue.record("changed the tracking of an item with stock")
        } catch {
            #expect(error.description.hasPrefix("items.json:3:3: item 09506000134352 already has stock tracked by lot"))
        }
        // The first row was rolled back with the second.
        #expect(try t.ledger.read { try $0.itemID("NEW-1") } == nil)
        // A duplicate SKU on another item is a conflict too.
        let clash = try MasterDataFile.items(text: "gtin,sku\n09506000134352,WID-1\n", file: "c.csv")
        #expect(throws: LedgerError.self) { try t.ledger.importItems(clash, file: "c.csv") }
    }

    @Test func positionedJSONParsesAndLocates() throws {
        let v = try JSONReader.parse("{\"a\": [1, -2.5e3, true, null, \"x\\u00e9\\n\"]}", file: "t.json")
        guard case .object(let pairs) = v.value, case .array(let items) = pairs[0].value.value else {
            Issue.record("wrong shape"); return
        }
        #expect(items.count == 5)
        if case .string(let s) = items[4].value { #expect(s == "xé\n") } else { Issue.record("not a string") }
        #expect(items[1].position == SourcePosition(line: 1, column: 11))
        #expect(throws: TextError.self) { try JSONReader.parse("[1, 2", file: "t.json") }
        #expect(throws: TextError.self) { try JSONReader.parse("\"open", file: "t.json") }
        #expect(throws: TextError.self) { try JSONReader.parse(String(repeating: "[", count: 100), file: "t.json") }
        #expect(throws: TextError.self) { try JSONReader.parse("{} x", file: "t.json") }
    }
}
