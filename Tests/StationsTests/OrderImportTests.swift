import ScanModel
import Testing
@testable import Stations

@Suite struct OrderImportTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    func importError(_ body: () throws -> Void) -> ImportError? {
        do { try body(); return nil } catch let e as ImportError { return e } catch { return nil }
    }

    @Test func shipByCarrierServiceAndPriorityFromCSVAndJSON() throws {
        let csv = "order,item,qty,ship_by,carrier,service,priority\nSO-1,X,2,2026-12-07,UPS,GROUND,5\nSO-1,Y,1,,,,\nSO-2,X,1,,,,\n"
        let orders = try ExpectedImport.parseOrders(bytes(csv), file: "o.csv")
        #expect(orders[0].shipBy == CivilDate(year: 2026, month: 12, day: 7) && orders[0].carrier == "UPS")
        #expect(orders[0].service == "GROUND" && orders[0].priority == 5 && orders[0].lines.count == 2)
        #expect(orders[1].shipBy == nil && orders[1].priority == nil)
        let json = #"[{"order":"SO-3","ship_by":"2026-12-08","carrier":"FedEx","service":"2DAY","priority":3,"lines":[{"item":"X","qty":1}]}]"#
        let o = try #require(try ExpectedImport.parseOrders(bytes(json), file: "o.json").first)
        #expect(o.shipBy == CivilDate(year: 2026, month: 12, day: 8) && o.carrier == "FedEx" && o.service == "2DAY" && o.priority == 3)
    }

    @Test(arguments: [
        ("order,item,qty,ship_by\nSO-1,X,1,2026-02-30\n", 2, 10, "ship_by"),
        ("order,item,qty,priority\nSO-1,X,1,high\n", 2, 10, "priority"),
        ("order,item,qty,rush\nSO-1,X,1,yes\n", 1, 16, "unknown column"),
    ])
    func csvErrorsNameTheField(csv: String, line: Int, column: Int, words: String) {
        let e = importError { _ = try ExpectedImport.parseOrders(bytes(csv), file: "o.csv") }
        #expect(e?.line == line && e?.column == column && e?.message.contains(words) == true, "\(String(describing: e))")
    }

    @Test(arguments: [
        (#"[{"order":"S","priority":"5","lines":[{"item":"X","qty":1}]}]"#, 26, "'priority' must be a number"),
        (#"[{"order":"S","ship_by":20261207,"lines":[{"item":"X","qty":1}]}]"#, 25, "'ship_by' must be a string"),
        (#"[{"order":"S","carrier":true,"lines":[{"item":"X","qty":1}]}]"#, 25, "'carrier' must be a string"),
        (#"[{"order":"S","rush":1,"lines":[{"item":"X","qty":1}]}]"#, 15, "unknown member 'rush'"),
    ])
    func jsonWrongTypesAndUnknownMembersAreRefused(json: String, column: Int, words: String) {
        let e = importError { _ = try ExpectedImport.parseOrders(bytes(json), file: "o.json") }
        #expect(e?.line == 1 && e?.column == column && e?.message.contains(words) == true, "\(String(describing: e))")
    }
}
