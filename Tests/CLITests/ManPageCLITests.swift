import Foundation
import Testing

/// scanledger(1) has a section for every command and action the binary
/// lists, naming each long option of its usage line: a command added or an
/// option renamed without the page fails here.
@Suite struct ManPageCLITests {
    @Test func everyRegisteredCommandAndActionHasASectionWithItsOptions() throws {
        let roff = try String(contentsOf: CLI.repoRoot.appendingPathComponent("docs/man/scanledger.1"), encoding: .utf8)
        let page = roff.replacingOccurrences(of: "\\-", with: "-")
        var pending = UsageCLITests.listedCommands(try CLI.run("scanledger", ["--help"]).stdout).map { [$0] }
        #expect(pending.count > 20 && pending.contains(["top"]))
        var checked = 0
        while let path = pending.popLast() {
            let help = try CLI.run("scanledger", path + ["--help"]).stdout
            let name = path.joined(separator: " ")
            #expect(page.contains("\n.SS \(name)\n"), "scanledger.1 has no section '.SS \(name)'")
            let usage = help.split(separator: "\n").first ?? ""
            let options = usage.split(whereSeparator: { " []…|".contains($0) }).filter { $0.hasPrefix("--") }.map { $0.split(separator: "=")[0] }
            for option in options where !page.contains(option) {
                Issue.record("scanledger.1 does not mention \(option) of scanledger \(name) (\(usage))")
            }
            pending += UsageCLITests.listedCommands(help).map { path + [$0] }
            checked += 1
        }
        #expect(checked > 25)
    }
}
