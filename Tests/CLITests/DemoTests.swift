import Foundation
import Testing

/// The README's first command plays examples/demo.sh against the release
/// build; here the same script runs against this build, so a change that
/// breaks the demo day fails `make test`, not a user's first five minutes.
@Suite struct DemoTests {
    @Test func warehouseDayRunsAndEndsClean() throws {
        let daemon = try #require(CLI.executable("scanledgerd"), "build scanledgerd first")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [CLI.repoRoot.appendingPathComponent("examples/demo.sh").path, daemon.deletingLastPathComponent().path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "demo.sh failed:\n\(text)")
        // The story the README tells, as the operators and the ledger saw it.
        for expected in [
            "dock-1 ERROR over-receipt: 04006381333931: 5 received, 4 expected",
            "dock-1 WARNING overridden",
            "receipt ASN-1001 posted (seq 1): short 0, over 1, unexpected 0",
            "count A-01: 2 found, 1 missing, 1 misplaced",
            "pick-1 ERROR wrong-location: PACK-1 is not the stop: go to A-02",
            "into tote TOTE-7",
            "pack-1 ERROR wrong-item-for-order",
            "order SO-5001 packed",
            "ship-1 ERROR wrong-carrier: order SO-5001 is labelled FedEx 568283610012000, but door DOOR-1 loads UPS",
            "order SO-5001 shipped UPS 1Z5R89390357567127",
            #""scanledger:trackingNumber" : "1Z5R89390357567127""#,
            ": OK",
            "scanledgerd exited with status 0",
        ] {
            #expect(text.contains(expected), "demo output lacks \"\(expected)\"")
        }
        // After the approved count: 1003 written off, 1004 moved to A-01.
        let afterStock = text.components(separatedBy: "== Stock on hand").last ?? ""
        let stock = afterStock.components(separatedBy: "== Ledger history").first ?? ""
        #expect(stock.contains("A-01         -            1004"))
        #expect(!stock.contains("1003"))
        // It ends with the day's KPIs: the refused wrong item is a pack error of the one order.
        let kpis = text.components(separatedBy: "== The day's KPIs").last ?? ""
        #expect(text.contains("== The day's KPIs") && kpis.contains("fill_rate"), "no KPIs at the end of the demo")
        #expect(kpis.contains("pack_error_rate") && kpis.range(of: #"pack_error_rate +per 100 orders +100\.00"#, options: .regularExpression) != nil)
    }
}
