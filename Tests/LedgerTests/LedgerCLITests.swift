import Foundation
import Testing
@testable import Ledger
import ScanModel

/// The ledger subcommands of the `scanledger` binary, run as a user would.
@Suite struct LedgerCLITests {
    let cli: CLILedger
    var binary: URL { cli.binary }
    var t: TestLedger { cli.t }
    init() throws { cli = try CLILedger() }
    func run(_ args: [String], stdin: String = "") throws -> ProcessSupport.Output { try cli.run(args, stdin: stdin) }

    func json(_ line: Substring) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func postAnswersEveryLineInOrder() throws {
        let input = """
            {"key":"a","kind":"receipt","time":"2024-05-01T10:00:00Z","lines":[{"item":"04006381333931","qty":5,"from":"@supplier","to":"DOCK1"}]}
            {"key":"b","kind":"move","lines":[{"item":"WID-1","qty":9,"from":"DOCK1","to":"A-01"}]}

            {"key":"c","kind":"teleport","lines":[]}
            {broken
            {"key":"a","kind":"receipt","time":"2024-05-01T10:00:00Z","lines":[{"item":"04006381333931","qty":5,"from":"@supplier","to":"DOCK1"}]}
            {"key":"d","kind":"move","lines":[{"item":"WID-1","qty":2.5,"from":"DOCK1","to":"A-01"}]}
            {"key":"e","kind":"move","lines":[{"item":"WID-1","qty":2,"from":"DOCK1","to":"A-01","colour":"red"}]}
            {"key":"f","kind":"move","lines":[{"item":"WID-1","qty":2,"from":"DOCK1","to":"A-01"}]}
            """
        let out = try run(["post"], stdin: input)
        #expect(out.status == 1)
        let lines = out.stdout.split(separator: "\n")
        try #require(lines.count == 8, "\(out.stdout)\(out.stderr)")
        let results = try lines.map(json)
        #expect(results.map { $0["status"] as? String } == ["posted", "rejected", "rejected", "rejected", "duplicate", "rejected", "rejected", "posted"])
        #expect(results.map { $0["seq"] as? Int } == [1, nil, nil, nil, 1, nil, nil, 2])
        #expect((results[1]["error"] as? String)?.hasPrefix("line 2: on-hand of item WID-1 at DOCK1 would be -4") == true)
        #expect((results[2]["error"] as? String)?.hasPrefix("line 4: \"kind\" must be one of receipt, move, adjustment, pack, ship") == true)
        #expect((results[3]["error"] as? String)?.hasPrefix("line 5: not valid JSON (column 2:") == true)
        #expect(results[3]["key"] is NSNull)
        #expect(results[5]["error"] as? String == "line 7: lines[0].qty must be a positive whole number")
        #expect((results[6]["error"] as? String)?.contains("unknown field 'lines[0].colour'") == true)
        // Keys in sorted, stable order.
        #expect(lines[0] == "{\"error\":null,\"key\":\"a\",\"seq\":1,\"status\":\"posted\"}")
    }

    // An expiry used to be stored as whatever text came in; it is a date now.
    @Test func postRefusesAnExpiryThatIsNotADate() throws {
        let out = try run(["post"], stdin: """
            {"key":"a","kind":"receipt","lines":[{"item":"09506000134352","qty":2,"lot":"L7","expiry":"2024-13-01","from":"@supplier","to":"A-01"}]}
            {"key":"b","kind":"receipt","lines":[{"item":"09506000134352","qty":2,"lot":"L8","expiry":"2024-12-31","from":"@supplier","to":"A-01"}]}
            """)
        let results = try out.stdout.split(separator: "\n").map(json)
        #expect(results.map { $0["status"] as? String } == ["rejected", "posted"], "\(out.stdout)\(out.stderr)")
        #expect(results.first?["error"] as? String == "line 1: lines[0].expiry '2024-13-01' must be a date YYYY-MM-DD")
    }

    @Test func stockHistoryVerifyReverseAndExport() throws {
        _ = try run(["post"], stdin: """
            {"key":"a","kind":"receipt","ref":"ASN-1","lines":[{"item":"04006381333931","qty":5,"from":"@supplier","to":"DOCK1"},{"item":"09506000134352","qty":2,"lot":"L7","from":"@supplier","to":"A-01"}]}
            {"key":"b","kind":"move","lines":[{"item":"04006381333931","qty":2,"from":"DOCK1","to":"A-01"}]}
            """)
        let stock = try run(["stock", "--json"])
        #expect(stock.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(stock.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { "\($0["item"]!)@\($0["location"]!)=\($0["qty"]!)" } ==
                ["04006381333931@A-01=2", "04006381333931@DOCK1=3", "09506000134352@A-01=2"])
        #expect(Set(rows.flatMap(\.keys)) == ["item", "location", "lot", "serial", "qty"])
        #expect(try run(["stock", "--all", "--csv", "--item", "WID-1"]).stdout ==
                "item,location,lot,serial,qty\n04006381333931,@supplier,,,-5\n04006381333931,A-01,,,2\n04006381333931,DOCK1,,,3\n")
        #expect(try run(["stock", "--lot", "L7", "--csv"]).stdout.hasSuffix("09506000134352,A-01,L7,,2\n"))
        #expect(try run(["stock", "--item", "NOPE"]).status == 1)
        #expect(try run(["stock", "--json", "--csv"]).status == 2)

        let history = try run(["history", "--ref", "ASN-1", "--json"])
        #expect(history.status == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [Any])?.count == 4)
        #expect(try run(["history"]).status == 2)

        #expect(try run(["verify"]).status == 0)
        #expect(try run(["reverse", "2", "--key", "undo-b"]).stdout == "{\"error\":null,\"key\":\"undo-b\",\"seq\":3,\"status\":\"posted\"}\n")
        let twice = try run(["reverse", "2", "--key", "undo-b-again"])
        #expect(twice.status == 1)
        #expect(twice.stdout.contains("already reversed by posting 3"))
        #expect(try run(["reverse", "2"]).status == 2)

        #expect(try run(["export", "--format", "csv", "--since", "2"]).stdout.split(separator: "\n").count == 3)
        let epcis = try run(["export", "--format", "epcis"])
        #expect(epcis.status == 0)
        #expect(epcis.stdout.contains("\"type\" : \"EPCISDocument\""))
        #expect(try run(["export", "--format", "xml"]).status == 2)

        try t.rawExec("UPDATE accounts SET balance = 42 WHERE id = (SELECT max(id) FROM accounts)")
        let broken = try run(["verify"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("1 problem(s)"))
        #expect(broken.stderr.contains("balance 42 but entries sum to"))
    }

    @Test func importReportsFileLineColumnAndImportsNothingOnError() throws {
        let file = t.directory.appendingPathComponent("locations.csv")
        try "code,type\nB-01,storage\nB-02,cellar\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try run(["import", "locations", file.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("\(file.path):3:6: type 'cellar' must be dock, storage, pack, shipping, quarantine or damaged (nothing imported)"))
        #expect(try run(["stock", "--location", "B-01"]).status == 1) // B-01 was not imported
        try "code,type\nB-01,storage\n".write(to: file, atomically: true, encoding: .utf8)
        let good = try run(["import", "locations", file.path])
        #expect(good.status == 0)
        #expect(good.stdout == "imported 1 locations from \(file.path)\n")
        #expect(try run(["import", "pallets", file.path]).status == 2)
        #expect(try run(["import", "items", "/nonexistent.csv"]).status == 1)
    }

    @Test func databaseLocationAndSchemaErrors() throws {
        let missing = try ProcessSupport.run(binary, ["verify"], environment: ["SCANLEDGER_DB": "/nonexistent-dir/l.db"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("database directory /nonexistent-dir does not exist"))
        let fromEnv = try ProcessSupport.run(binary, ["verify"], environment: ["SCANLEDGER_DB": t.path])
        #expect(fromEnv.status == 0)
        #expect(fromEnv.stdout.hasPrefix("\(t.path): 0 postings"))
        try t.rawExec("PRAGMA user_version = 7")
        let newer = try run(["verify"])
        #expect(newer.status == 1)
        #expect(newer.stderr.contains("schema version 7 is newer than this scanledger supports"))
        #expect(try run(["post", "--synchronous", "sometimes"]).status == 2)
    }
}
