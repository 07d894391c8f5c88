import Foundation
import Testing
@testable import Service

/// What an admin sees when the central section is wrong: `check-config`
/// finds the bad files, `status` shows the forwarder's trouble, a changed
/// `central` on reload is named as needing a restart, `metrics` prints.
@Suite(.serialized) struct AdminVisibilityTests {
    /// A config with a central section whose server is not there (port 1).
    static func withCentral(_ site: DaemonSite, passwordFile: String) throws {
        let central = #""central": {"conninfo": "host=127.0.0.1 port=1 dbname=nowhere user=box", "password_file": "\#(passwordFile)"}, "#
        try site.writeRaw(site.configText().replacingOccurrences(of: #""log_level""#, with: central + #""log_level""#))
    }

    @Test func checkConfigChecksThePasswordFileAndTheLedgerDirectory() throws {
        let site = try DaemonSite()
        let password = site.dir.appendingPathComponent("central.pass").path
        try Self.withCentral(site, passwordFile: password)
        let missing = try runCLI(["check-config", site.configPath])
        #expect(missing.status == 1 && missing.err.contains("central.password_file") && missing.err.contains(password), "\(missing.err)")
        try "secret\n".write(toFile: password, atomically: true, encoding: .utf8)
        chmod(password, 0o644)
        let readable = try runCLI(["check-config", site.configPath])
        #expect(readable.status == 1 && readable.err.contains("chmod 600"), "\(readable.err)")
        chmod(password, 0o600)
        let fine = try runCLI(["check-config", site.configPath])
        #expect(fine.status == 0, "\(fine.err)")
        // A ledger in a directory that does not exist cannot be created.
        try site.writeRaw(site.configText().replacingOccurrences(of: site.db, with: "/nonexistent-\(UUID().uuidString)/ledger.db"))
        let noDir = try runCLI(["check-config", site.configPath])
        #expect(noDir.status == 1 && noDir.err.contains("ledger.path: the directory"), "\(noDir.err)")
    }

    @Test func statusShowsForwardingTroubleAndReloadNamesACentralChange() throws {
        let site = try DaemonSite()
        let password = site.dir.appendingPathComponent("central.pass").path
        try "secret\n".write(toFile: password, atomically: true, encoding: .utf8)
        chmod(password, 0o600)
        try Self.withCentral(site, passwordFile: password)
        try site.start()
        let socket = ["--socket", site.socket]
        try eventually("the forwarder to report its failure") {
            let f = try site.request(["cmd": "status"])["forwarding"] as? [String: Any]
            return (f?["last_error"] as? String) != nil && (f?["consecutive_failures"] as? Int ?? 0) > 0
        }
        let status = try runCLI(["status"] + socket)
        #expect(status.status == 0 && status.out.contains("forwarding.last_error") && status.out.contains("forwarding.state"), "\(status.out)")
        let metrics = try runCLI(["metrics"] + socket)
        #expect(metrics.status == 0 && metrics.out.contains("scanledger_forward_errors_total"), "\(metrics.out)")

        // A new server on reload cannot be picked up by the running forwarder: said, not ignored.
        try site.writeRaw(try String(contentsOfFile: site.configPath, encoding: .utf8).replacingOccurrences(of: "port=1", with: "port=2"))
        let answer = try site.request(["cmd": "reload"])
        #expect(answer["restart_needed"] as? [String] == ["central"], "\(answer)")
        #expect(site.log.contains("applied except central"))
        // Reloading the same file again still says so: the forwarder keeps the old section until a restart.
        #expect(try site.request(["cmd": "reload"])["restart_needed"] as? [String] == ["central"], "the kept section was forgotten")
        #expect(try site.stop() == 0)
    }
}
