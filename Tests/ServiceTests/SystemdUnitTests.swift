import Foundation
import Testing

/// The shipped units are checked by systemd itself, with ExecStart pointed at
/// binaries that exist (verify insists on that), and the udev rules are
/// checked for the shape udev accepts.
@Suite struct SystemdUnitTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The directory holding the products of this build (.build/<triple>/debug).
    static var productsDir: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: repo.appendingPathComponent(path), encoding: .utf8)
    }

    /// Writes the units into a temp unit directory with real binary paths.
    static func stagedUnits() throws -> URL {
        let bin = productsDir.path + "/"
        try #require(FileManager.default.isExecutableFile(atPath: bin + "scanledgerd"), "build scanledgerd first")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("units-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in ["scanledgerd.service", "scanledger-attach@.service", "scanledger-backup.service", "scanledger-backup.timer"] {
            try text("systemd/" + name).replacingOccurrences(of: "/usr/local/bin/", with: bin)
                .write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        // An instance of the template, as udev would start it.
        try FileManager.default.copyItem(at: dir.appendingPathComponent("scanledger-attach@.service"),
                                         to: dir.appendingPathComponent("scanledger-attach@ttyACM0.service"))
        return dir
    }

    static func systemdAnalyze(_ args: [String], unitDir: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = args
        process.currentDirectoryURL = unitDir
        var env = ProcessInfo.processInfo.environment
        env["SYSTEMD_UNIT_PATH"] = unitDir.path + ":"   // trailing ':' keeps the system paths
        process.environment = env
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func unitsPassSystemdAnalyzeVerify() throws {
        let dir = try Self.stagedUnits()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try Self.systemdAnalyze(["verify", "scanledgerd.service", "scanledger-attach@ttyACM0.service",
                                              "scanledger-backup.service", "scanledger-backup.timer"], unitDir: dir)
        #expect(result.status == 0, "systemd-analyze verify: \(result.output)")
        #expect(result.output.isEmpty, "systemd-analyze verify warned: \(result.output)")
    }

    /// The README quotes this figure; keep the hardening from eroding.
    @Test func daemonExposureStaysLow() throws {
        let dir = try Self.stagedUnits()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try Self.systemdAnalyze(["security", "--offline=true", dir.appendingPathComponent("scanledgerd.service").path], unitDir: dir)
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(line.split(separator: " ").compactMap { Double($0) }.first, "no score in: \(line)")
        #expect(score <= 2.0, "exposure \(score): \(line)")
    }

    @Test func daemonUnitHasTheContractTheCodeRelies() throws {
        let unit = try Self.text("systemd/scanledgerd.service")
        for line in ["Type=notify", "WatchdogSec=", "StateDirectory=scanledger", "RuntimeDirectory=scanledger",
                     "DevicePolicy=closed", "SystemCallFilter=@system-service", "ProtectSystem=strict"] {
            #expect(unit.contains(line), "scanledgerd.service lacks \(line)")
        }
    }

    /// The nightly backup: the command with retention, as the daemon's user,
    /// into the directory tmpfiles creates and the unit may write; the daemon
    /// unit does not restart a daemon that refused a damaged ledger (exit 3).
    @Test func backupUnitsRunTheBackupWithRetention() throws {
        let service = try Self.text("systemd/scanledger-backup.service")
        let exec = try #require(service.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        #expect(exec.contains("/usr/local/bin/scanledger backup") && exec.contains("--keep ") && exec.hasSuffix("/var/backups/scanledger/"), "\(exec)")
        for line in ["Type=oneshot", "User=scanledger", "ReadWritePaths=/var/backups/scanledger", "StateDirectory=scanledger"] {
            #expect(service.contains(line), "scanledger-backup.service lacks \(line)")
        }
        let timer = try Self.text("systemd/scanledger-backup.timer")
        for line in ["OnCalendar=", "Persistent=true", "Unit=scanledger-backup.service", "WantedBy=timers.target"] {
            #expect(timer.contains(line), "scanledger-backup.timer lacks \(line)")
        }
        #expect(try Self.text("systemd/scanledger.tmpfiles").contains("d /var/backups/scanledger 0750 scanledger scanledger"))
        #expect(try Self.text("systemd/scanledgerd.service").contains("RestartPreventExitStatus=3"))
    }

    @Test func sysusersAndTmpfilesDeclareTheAccount() throws {
        let users = try Self.text("systemd/scanledger.sysusers")
        #expect(users.contains("g scanledger"))
        #expect(users.contains("u scanledger"))
        let tmpfiles = try Self.text("systemd/scanledger.tmpfiles")
        #expect(tmpfiles.contains("/var/lib/scanledger 0750 scanledger scanledger"))
    }

    /// udev has no offline verifier in systemd 252: check each rule is a list
    /// of KEY op "value" pairs with known operators and that every GOTO has
    /// its LABEL, which is where hand-edited rules usually break.
    @Test func udevRulesAreWellFormed() throws {
        let text = try Self.text("udev/60-scanledger.rules")
        let joined = text.replacingOccurrences(of: "\\\n", with: " ")
        let pair = try Regex(#"^\s*[A-Z_]+(\{[^}]+\})?\s*(==|!=|\+=|-=|:=|=)\s*"[^"]*"\s*$"#)
        var gotos: Set<String> = [], labels: Set<String> = []
        var rules = 0
        for (n, line) in joined.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            rules += 1
            for part in trimmed.split(separator: ",") {
                #expect(String(part).wholeMatch(of: pair) != nil, "rule line \(n + 1): '\(part)' is not KEY op \"value\"")
                if part.contains("GOTO=") { gotos.insert(part.split(separator: "\"")[1].description) }
                if part.contains("LABEL=") { labels.insert(part.split(separator: "\"")[1].description) }
            }
        }
        #expect(rules > 5)
        #expect(gotos.isSubset(of: labels), "GOTO without LABEL: \(gotos.subtracting(labels))")
        #expect(text.contains(#"ENV{ID_MM_DEVICE_IGNORE}="1""#))
        #expect(text.contains("scanledger-attach@%k.service"))
    }
}
