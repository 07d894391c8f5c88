import Foundation
import Testing

/// The shipped unit is checked by systemd itself, with ExecStart pointed at
/// the daemon this build produced (verify insists the binary exists).
@Suite struct SystemdUnitTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The directory holding the products of this build (.build/<triple>/debug).
    static var productsDir: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    @Test func unitPassesSystemdAnalyzeVerify() throws {
        let unit = try String(contentsOf: Self.repo.appendingPathComponent("systemd/scanledgerd.service"), encoding: .utf8)
        #expect(unit.contains("Type=notify"))
        #expect(unit.contains("WatchdogSec="))
        let daemon = Self.productsDir.appendingPathComponent("scanledgerd").path
        try #require(FileManager.default.isExecutableFile(atPath: daemon), "build scanledgerd first: \(daemon)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("unit-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("scanledgerd.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/scanledgerd", with: daemon)
            .write(to: copy, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["verify", copy.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "systemd-analyze verify: \(output)")
        #expect(output.isEmpty, "systemd-analyze verify warned: \(output)")
    }

    @Test func sysusersDeclaresTheSocketGroup() throws {
        let text = try String(contentsOf: Self.repo.appendingPathComponent("systemd/scanledger.sysusers"), encoding: .utf8)
        #expect(text.contains("g scanledger"))
        #expect(text.contains("u scanledger"))
    }
}
