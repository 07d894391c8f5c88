import Foundation
import Ledger
import ScanModel
import Stations
import Testing

/// `scanledger orders`, `order show` and `order cancel` on a ledger where
/// one order was picked short into its tote and the other never started.
@Suite struct OrdersCLITests {
    final class Fixture {
        let dir: URL
        var db: String { dir.appendingPathComponent("l.db").path }

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("orders-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let orders = dir.appendingPathComponent("orders.csv").path
            try "order,item,qty,ship_by,carrier,priority\nSO-1,WID-1,3,2026-12-07,UPS,5\nSO-2,WID-1,1,,,\n".write(toFile: orders, atomically: true, encoding: .utf8)
            let ledger = try Ledger(path: db)
            defer { ledger.close() }
            try ledger.importItems([Item(sku: "WID-1")])
            try ledger.importLocations([Location(code: "A-01"), Location(code: "TOTE-1", type: .pack)])
            ledger.close()
            #expect(try run(["import", "orders", orders]).status == 0)
            let again = try Ledger(path: db)
            defer { again.close() }
            // What a pick station leaves: 2 of 3 in the tote, 1 backordered, status picked.
            var pick = PostingRequest(key: "pick-1/pick/1/0", kind: .receipt, ref: "seed", lines: [
                PostingLine(item: "WID-1", qty: 5, from: VirtualLocation.supplier, to: "A-01")])
            #expect(try again.postAndWait([pick]).first?.status == .posted)
            pick = PostingRequest(key: "pick-1/pick/2/0", kind: .move, ref: "SO-1", station: "pick-1", lines: [
                PostingLine(item: "WID-1", qty: 2, from: "A-01", to: "TOTE-1")])
            pick.journal = [OrderJournal.statusChange(order: "SO-1", to: .picking, station: "pick-1", at: .seconds(1)),
                            OrderJournal.backordered(order: "SO-1", item: "WID-1", quantity: 1, because: "short pick", station: "pick-1", at: .seconds(1)),
                            OrderJournal.statusChange(order: "SO-1", to: .picked, station: "pick-1", at: .seconds(1))]
            #expect(try again.postAndWait([pick]).first?.status == .posted)
            let stores = try again.document(kind: "order", key: "SO-1")
            var order = try JSONDecoder().decode(PackOrder.self, from: Data(try #require(stores).utf8))
            order.tote = "TOTE-1"
            let e = JSONEncoder(); e.outputFormatting = .sortedKeys
            try again.putDocuments([StoredDocument(kind: "order", key: "SO-1", body: String(decoding: try e.encode(order), as: UTF8.self), aliases: ["TOTE-1"])])
        }

        deinit { try? FileManager.default.removeItem(at: dir) }
        func run(_ arguments: [String]) throws -> CLI.Output { try CLI.run("scanledger", arguments + ["--db", db]) }
    }

    @Test func ordersListsStatusesAndFilters() throws {
        let f = try Fixture()
        let all = try f.run(["orders", "--json"])
        #expect(all.status == 0, "\(all.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["order"] as? String } == ["SO-1", "SO-2"])
        #expect(rows.map { $0["status"] as? String } == ["picked", "open"])
        #expect(rows[0]["ship_by"] as? String == "2026-12-07" && rows[0]["carrier"] as? String == "UPS" && rows[0]["priority"] as? Int == 5)
        #expect(try f.run(["orders", "--status", "open", "--csv"]).lines == ["order,status,changed,ship_by,carrier,service,priority,tote", "SO-2,open,,,,,,"])
        #expect(try f.run(["orders", "--status", "lost"]).status == 2)
    }

    @Test func pickPlanTakesWhatOrdersStillOwe() throws {
        let f = try Fixture()
        let plan = try f.run(["pick", "plan", "--locations", "A-01", "--max", "1", "--json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        // SO-1 ships first (its ship-by date); SO-2 has none.
        #expect(plan.stdout == #"{"orders":["SO-1"],"short":[],"stops":[{"item":"WID-1","location":"A-01","lot":null,"order":"SO-1","qty":1}]}"# + "\n")
        // SO-1 was picked short: its backorder (1 of 3) is planned when named.
        let backorder = try f.run(["pick", "plan", "--locations", "A-01", "--orders", "SO-1", "--json"])
        #expect(backorder.stdout.contains(#""stops":[{"item":"WID-1","location":"A-01","lot":null,"order":"SO-1","qty":1}]"#), "\(backorder)")
        #expect(try f.run(["pick", "plan", "--locations", "A-01", "--orders", "SO-9"]).stderr.contains("no order SO-9"))
        #expect(try f.run(["pick", "plan", "--locations", "A-01", "--orders", "SO-2", "--max", "1"]).status == 2)
    }

    @Test func orderShowGivesEveryQuantityAndCancelReturnsTheToteByAPosting() throws {
        let f = try Fixture()
        let shown = try f.run(["order", "show", "SO-1", "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains(#"{"backordered":1,"item":"WID-1","ordered":3,"packed":0,"picked":2,"returned":0,"shipped":0}"#))
        #expect(try f.run(["order", "cancel", "SO-1", "--reason", "CUSTOMER", "--operator", "OP-1"]).status == 1)   // the tote holds stock
        let cancelled = try f.run(["order", "cancel", "SO-1", "--reason", "CUSTOMER", "--operator", "OP-1", "--return-to", "A-01"])
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        #expect(try f.run(["order", "show", "SO-1", "--json"]).stdout.contains(#""picked":2,"returned":2"#))
        #expect(try f.run(["orders", "--status", "cancelled", "--csv"]).lines.count == 2)
        #expect(try f.run(["stock", "--location", "TOTE-1", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        #expect(try f.run(["order", "cancel", "SO-1", "--reason", "AGAIN", "--operator", "OP-1"]).status == 1)
        let ledger = try Ledger(path: f.db)
        defer { ledger.close() }
        let order = try JSONDecoder().decode(PackOrder.self, from: Data(try #require(try ledger.document(kind: "order", key: "SO-1")).utf8))
        #expect(order.cancelled == true && order.tote == "TOTE-1")
        #expect(try f.run(["verify"]).status == 0)
    }
}
