import Foundation
import Testing
@testable import Ledger
import ScanModel

/// Held stock from the command line: quarantine locations imported by type,
/// release and scrap posted with `scanledger post`, lots held and released
/// with `scanledger hold lot` / `release lot`; `verify` stays clean.
@Suite struct HeldStockCLITests {
    let cli: CLILedger
    init() throws { cli = try CLILedger() }
    var t: TestLedger { cli.t }
    func run(_ args: [String], stdin: String = "") throws -> ProcessSupport.Output { try cli.run(args, stdin: stdin) }

    func statuses(_ out: ProcessSupport.Output) throws -> [String] {
        try out.stdout.split(separator: "\n").map { line in
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return "\(o["status"] ?? "?")" + ((o["error"] as? String).map { ": \($0)" } ?? "")
        }
    }

    @Test func releaseAndScrapArePostedWithAReasonAndAnOperator() throws {
        let file = t.directory.appendingPathComponent("held.csv")
        try "code,type\nQA,quarantine\nDMG,damaged\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try run(["import", "locations", file.path]).status == 0)
        let out = try run(["post"], stdin: """
            {"key":"r","kind":"receipt","lines":[{"item":"WID-1","qty":6,"from":"@supplier","to":"QA"}]}
            {"key":"m","kind":"move","lines":[{"item":"WID-1","qty":1,"from":"QA","to":"A-01"}]}
            {"key":"rel0","kind":"release","lines":[{"item":"WID-1","qty":2,"from":"QA","to":"A-01"}]}
            {"key":"rel","kind":"release","reason":"QC-PASSED","operator":"badge-7","lines":[{"item":"WID-1","qty":2,"from":"QA","to":"A-01"}]}
            {"key":"x","kind":"scrap","reason":"MOULD","operator":"badge-7","lines":[{"item":"WID-1","qty":3,"from":"QA","to":"@scrap"}]}
            """)
        let results = try statuses(out)
        #expect(results == ["posted",
                            "rejected: line 2: held-stock: item WID-1 at QA is held (a quarantine or damaged location); only a release or a scrap posting may take it out",
                            "rejected: line 3: a release needs a reason (it is what the shrinkage report shows)",
                            "posted", "posted"], "\(out.stdout)\(out.stderr)")
        #expect(out.status == 1)
        let scrap = try run(["stock", "--all", "--csv", "--location", "@scrap"])
        #expect(scrap.stdout == "item,location,lot,serial,qty\n04006381333931,@scrap,,,3\n", "\(scrap.stderr)")
        #expect(try run(["verify"]).status == 0)
    }

    @Test func holdAndReleaseALot() throws {
        _ = try run(["post"], stdin: """
            {"key":"r","kind":"receipt","lines":[{"item":"09506000134352","lot":"L1","qty":4,"from":"@supplier","to":"A-01"}]}
            """)
        #expect(try run(["hold", "lot", "09506000134352", "L1"]).status == 2)   // --reason is required
        let held = try run(["hold", "lot", "09506000134352", "L1", "--reason", "RECALL-42", "--operator", "qa-boss"])
        #expect(held.status == 0)
        #expect(held.stdout == "lot L1 of item 09506000134352 is on hold: moves, picks and packs of it are refused\n")
        #expect(try run(["hold", "lot", "09506000134352", "L1", "--reason", "AGAIN"]).stdout.contains("was already on hold"))
        let list = try run(["hold", "list"]).stdout.split(separator: "\t")
        #expect(list.count == 5 && list[0] == "09506000134352" && list[1] == "L1" && list[3] == "qa-boss" && list[4] == "RECALL-42\n", "\(list)")
        #expect(try run(["hold", "lot", "WID-1", "L1", "--reason", "R"]).stderr.contains("not by lot"))
        let move = #"{"key":"m","kind":"move","lines":[{"item":"09506000134352","lot":"L1","qty":1,"from":"A-01","to":"A-02"}]}"#
        #expect(try statuses(try run(["post"], stdin: move)) ==
                ["rejected: line 1: held-stock: lot L1 of item 09506000134352 is on hold (RECALL-42); release the lot before taking it from A-01"])
        let released = try run(["release", "lot", "09506000134352", "L1", "--reason", "RECALL-42 LIFTED"])
        #expect(released.status == 0 && released.stdout == "lot L1 of item 09506000134352 released from hold\n")
        let again = try run(["release", "lot", "09506000134352", "L1", "--reason", "X"])
        #expect(again.status == 1 && again.stderr.contains("is not on hold; nothing released"))
        #expect(try run(["hold", "list"]).stdout.isEmpty)
        // The key was refused before; a new key moves the lot now.
        #expect(try statuses(try run(["post"], stdin: move.replacingOccurrences(of: "\"m\"", with: "\"m2\""))) == ["posted"])
        #expect(try run(["verify"]).status == 0)
    }
}
