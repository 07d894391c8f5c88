import Foundation
import Testing

/// `scanledger capture` checks its `--options` against the driver it was
/// given before it opens anything.
@Suite struct CaptureCLITests {
    @Test func anotherDriversOptionIsAUsageErrorNamingIt() throws {
        let out = try CLI.run("scanledger", ["capture", "/dev/null", "--driver", "mercury", "--options", "layout=de"], stdin: Data())
        #expect(out.status == 2, "\(out.stderr)")
        #expect(out.stderr.contains("unknown option 'layout' for driver mercury"), "\(out.stderr)")
        #expect(out.stdout.isEmpty)
    }
}
