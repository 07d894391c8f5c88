import Foundation
import ScanModel
import Testing
@testable import Stations

/// `scanledger import rmas FILE`: CSV or JSON, all or nothing, errors at file:line:column.
@Suite struct RMAImportTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func importError(_ body: () throws -> Void) -> ImportError? {
        do { try body(); return nil } catch let e as ImportError { return e } catch { return nil }
    }

    @Test func csvGroupsRowsOfOneRMA() throws {
        let csv = "rma,order,item,qty,lot,serial\nR-1,SO-1,614141000012,2,,\nR-1,SO-1,SKU-9,1,,S7\nR-2,SO-2,SKU-9,1,L3,\n"
        let rmas = try ExpectedImport.parseRMAs(bytes(csv), file: "r.csv")
        #expect(rmas.map(\.number) == ["R-1", "R-2"])
        #expect(rmas[0].order == "SO-1" && rmas[0].lines.map(\.item) == ["00614141000012", "SKU-9"])
        #expect(rmas[0].lines[1].serial == "S7" && rmas[1].lines[0].lot == "L3")
    }

    @Test func jsonTakesAnArrayOrAnRmasObject() throws {
        let json = #"{"rmas":[{"rma":"R-1","order":"SO-1","lines":[{"item":"X","qty":1,"serial":"S1"},{"item":"Y","quantity":3,"lot":"L"}]}]}"#
        let rmas = try ExpectedImport.parseRMAs(bytes(json), file: "r.json")
        #expect(rmas == [RMA(number: "R-1", order: "SO-1", lines: [RMALine(item: "X", quantity: 1, serial: "S1"), RMALine(item: "Y", quantity: 3, lot: "L")])])
    }

    @Test(arguments: [
        ("rma,order,item,qty\nR,SO,X,0\n", "r.csv", 2, 8, "qty"),
        ("rma,item,qty\nR,X,1\n", "r.csv", 1, 1, "no 'order'"),
        ("rma,order,item,qty\nR,SO-1,X,1\nR,SO-2,Y,1\n", "r.csv", 3, 3, "for order SO-1"),
        ("rma,order,item,qty,serial\nR,SO,X,2,S1\n", "r.csv", 2, 1, "qty 1"),
        (#"[{"rma":"R","lines":[{"item":"X","qty":1}]}]"#, "r.json", 1, 2, "'order'"),
        (#"[{"rma":"R","order":"SO","lines":[{"item":"X","qty":1,"colour":"red"}]}]"#, "r.json", 1, 55, "unknown member"),
    ])
    func badFilesNameWhere(text: String, file: String, line: Int, column: Int, words: String) {
        let e = importError { _ = try ExpectedImport.parseRMAs(bytes(text), file: file) }
        #expect(e?.line == line && e?.column == column, "\(String(describing: e))")
        #expect(e?.message.contains(words) == true, "\(String(describing: e))")
    }

    @Test func aReturnedRMAIsNotReplaced() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rma-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = InMemoryExpectedDataStore()
        let file = dir.appendingPathComponent("rmas.csv")
        try Data("rma,order,item,qty\nR-1,SO-1,X,1\nR-2,SO-2,X,1\n".utf8).write(to: file)
        #expect(try ExpectedImport.importFile(.rmas, path: file.path, into: store) == 2)
        try store.markRMA("R-2", status: .done(seq: 5))
        let e = importError { try ExpectedImport.importFile(.rmas, path: file.path, into: store) }
        #expect(e?.line == 3 && e?.message.contains("already returned") == true)
        #expect(try store.rma(number: "R-2")?.status == .done(seq: 5))
    }
}
