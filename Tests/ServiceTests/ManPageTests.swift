import Foundation
import Testing
@testable import Service

/// docs/man: scanledgerd(8) and scanledger.json(5) against what the daemon
/// and the config reader really take (scanledger(1) against the CLI's
/// commands: CLITests/ManPageCLITests),
/// so a command, option or config key added or removed without the page
/// fails here; and man(1) renders each page without a warning.
@Suite struct ManPageTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let pages = ["scanledger.1", "scanledgerd.8", "scanledger.json.5"]

    static func page(_ name: String) throws -> String {
        try String(contentsOf: repo.appendingPathComponent("docs/man/\(name)"), encoding: .utf8)
    }

    /// The page's text with roff's escaped hyphens as plain ones.
    static func plain(_ roff: String) -> String { roff.replacingOccurrences(of: "\\-", with: "-") }

    /// The long options in a usage line (`[--db PATH]` → `--db`).
    static func options(_ usage: String) -> [String] {
        usage.split(whereSeparator: { " []…|".contains($0) }).filter { $0.hasPrefix("--") }.map { String($0.split(separator: "=")[0]) }
    }

    static func binary(_ name: String) -> String { DaemonSite.binary.deletingLastPathComponent().appendingPathComponent(name).path }

    @Test func theDaemonsPageHasItsOptionsAndExitStatuses() throws {
        let page = Self.plain(try Self.page("scanledgerd.8"))
        let p = Process()
        p.executableURL = DaemonSite.binary
        p.arguments = ["--help"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let help = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let options = Self.options(String(help.split(separator: "\n").first ?? ""))
        #expect(options == ["--config", "--check"], "\(help)")
        for option in options { #expect(page.contains(option), "scanledgerd.8 does not mention \(option)") }
        for status in ["0", "1", "2", "3"] { #expect(page.contains(".TP\n.B \(status)\n"), "scanledgerd.8 has no exit status \(status)") }
        for signal in ["SIGTERM", "SIGHUP"] { #expect(page.contains(signal)) }
    }

    /// Every top-level key the reader takes has its section, and every
    /// section names a key the reader takes.
    @Test func theConfigPageHasExactlyTheTopLevelKeys() throws {
        let page = try Self.page("scanledger.json.5")
        let start = try #require(page.range(of: ".SH TOP-LEVEL KEYS\n")), end = try #require(page.range(of: "\n.SH EXAMPLE"))
        let sections = page[start.upperBound..<end.lowerBound].split(separator: "\n").filter { $0.hasPrefix(".SS ") }.map { String($0.dropFirst(4)) }
        #expect(Set(sections) == Set(ServiceConfig.topLevelKeys), "sections \(sections) against keys \(ServiceConfig.topLevelKeys)")
        #expect(sections.count == ServiceConfig.topLevelKeys.count, "a section twice: \(sections)")
    }

    @Test(arguments: pages)
    func manRendersThePageWithoutWarnings(_ name: String) throws {
        let man = "/usr/bin/man"
        guard FileManager.default.isExecutableFile(atPath: man) else {
            Issue.record("man is not installed (Debian package man-db; `make deps` installs it)")
            return
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: man)
        p.arguments = ["--warnings", "-l", "-Tutf8", Self.repo.appendingPathComponent("docs/man/\(name)").path]
        p.environment = ProcessInfo.processInfo.environment.merging(["MANWIDTH": "80", "MAN_KEEP_FORMATTING": "0"]) { _, new in new }
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let warnings = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0 && warnings.isEmpty, "man --warnings \(name): exit \(p.terminationStatus): \(warnings)")
    }
}

extension ManPageTests {
    /// `make install` puts each page in its section's directory (checked with `make -n`: nothing is built or copied).
    @Test func makeInstallInstallsThePages() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/make")
        p.arguments = ["-n", "-C", Self.repo.path, "install", "DESTDIR=/tmp/destdir", "PREFIX=/usr"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let plan = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        for (page, section) in [("scanledger.1", 1), ("scanledger.json.5", 5), ("scanledgerd.8", 8)] {
            #expect(plan.contains("install -m 0644 docs/man/\(page) /tmp/destdir/usr/share/man/man\(section)/"), "make -n install:\n\(plan)")
        }
    }
}
