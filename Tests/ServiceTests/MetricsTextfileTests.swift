import Foundation
import Testing
@testable import Service

/// `metrics.textfile`: the daemon writes its Prometheus text for
/// node_exporter's textfile collector, atomically, every interval and at
/// shutdown, and `promtool check metrics` accepts it.
@Suite(.serialized) struct MetricsTextfileTests {
    static func configure(_ site: DaemonSite, textfile: String) throws {
        let metrics = #""metrics": {"textfile": "\#(textfile)", "interval_seconds": 1}, "#
        try site.writeRaw(site.configText().replacingOccurrences(of: #""log_level""#, with: metrics + #""log_level""#))
    }

    /// promtool's lint: nil when it found nothing, else what it said.
    static func promtool(_ text: String) throws -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        guard FileManager.default.isExecutableFile(atPath: p.executableURL!.path) else {
            return "promtool is not installed (Debian package prometheus; `make deps` installs it)"
        }
        p.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input; p.standardOutput = output; p.standardError = output
        try p.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return p.terminationStatus == 0 && said.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : "exit \(p.terminationStatus): \(said)"
    }

    @Test func theDaemonWritesTheFileWholeEverySecondAndAtShutdownAndPromtoolAcceptsIt() throws {
        let site = try DaemonSite()
        let textfile = site.dir.appendingPathComponent("scanledger.prom").path
        try Self.configure(site, textfile: textfile)
        try site.start()
        try eventually("the textfile to appear") { FileManager.default.fileExists(atPath: textfile) }
        site.scanner.scan("ASN-1001")
        site.scanner.scan("0614141000012")
        // Read while the writer rewrites it: every read is one whole rendering.
        var reads: [String] = []
        try eventually("the textfile to count the two scans") {
            let text = try String(contentsOfFile: textfile, encoding: .utf8)
            reads.append(text)
            return text.contains(#"scanledger_device_scans_total{device="dock-scanner"} 2"#)
        }
        let whole = reads.allSatisfy { $0.hasPrefix("# HELP ") && $0.hasSuffix("\n") && $0.contains("# TYPE scanledger_zone_lag_seconds gauge") }
        #expect(whole, "a read saw a partial file: \(reads.first { !$0.hasSuffix("\n") } ?? "")")
        let live = try String(contentsOfFile: textfile, encoding: .utf8)
        // The same families as the socket's `metrics` answer.
        let served = try site.request(["cmd": "metrics"])["text"] as? String ?? ""
        func types(_ text: String) -> [Substring] { text.split(separator: "\n").filter { $0.hasPrefix("# TYPE") } }
        #expect(types(live) == types(served))
        #expect(live.contains(#"scanledger_device_connected{device="dock-scanner"} 1"#), "\(live)")
        let ledgerBytes = live.split(separator: "\n").first { $0.hasPrefix("scanledger_ledger_file_bytes ") }.flatMap { Int($0.split(separator: " ")[1]) }
        #expect((ledgerBytes ?? 0) > 0, "no ledger size: \(live)")  // a checkpoint may change it since, so no equality
        #expect(live.contains("# TYPE scanledger_ledger_wal_bytes gauge"), "\(live)")
        let lint = try Self.promtool(live)
        #expect(lint == nil, "promtool check metrics: \(lint ?? "")")

        // At shutdown it is written once more, and no temporary file stays behind.
        try FileManager.default.removeItem(atPath: textfile)
        #expect(try site.stop() == 0)
        let last = try String(contentsOfFile: textfile, encoding: .utf8)
        #expect(last.contains(#"scanledger_device_scans_total{device="dock-scanner"} 2"#), "\(last)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: site.dir.path).filter { $0.contains(".tmp-") }.isEmpty)
    }

    /// With `central`, the forwarding families (errors by kind, backlog, lag) are in the file and pass promtool too.
    @Test func theForwardingFamiliesPassPromtool() throws {
        let site = try DaemonSite()
        let password = site.dir.appendingPathComponent("central.pass").path
        try "secret\n".write(toFile: password, atomically: true, encoding: .utf8)
        chmod(password, 0o600)
        let textfile = site.dir.appendingPathComponent("scanledger.prom").path
        let sections = #""central": {"conninfo": "host=127.0.0.1 port=1 dbname=nowhere user=box", "password_file": "\#(password)"}, "#
            + #""metrics": {"textfile": "\#(textfile)", "interval_seconds": 1}, "#
        try site.writeRaw(site.configText().replacingOccurrences(of: #""log_level""#, with: sections + #""log_level""#))
        try site.start()
        var text = ""
        try eventually("the forwarder's failures in the textfile") {
            text = (try? String(contentsOfFile: textfile, encoding: .utf8)) ?? ""
            return text.contains("scanledger_forward_errors_total{kind=")
        }
        #expect(text.contains("# TYPE scanledger_forward_lag_seconds gauge"), "\(text)")
        let lint = try Self.promtool(text)
        #expect(lint == nil, "promtool check metrics: \(lint ?? "")")
        #expect(try site.stop() == 0)
    }

    @Test func anUnwritableTextfileIsLoggedOnceAndTheDaemonRunsOn() throws {
        let site = try DaemonSite()
        try Self.configure(site, textfile: "/nonexistent-\(UUID().uuidString.prefix(8))/scanledger.prom")
        try site.start()
        try eventually("the failure to be logged") { site.log.contains("cannot write the metrics textfile") }
        Thread.sleep(forTimeInterval: 2.5)
        let times = site.log.components(separatedBy: "cannot write the metrics textfile").count - 1
        #expect(times == 1, "logged \(times) times:\n\(site.log)")
        #expect(site.log.contains("ENOENT"), "\(site.log)")
        #expect(try site.request(["cmd": "status"])["live"] as? Bool == true)
        #expect(try site.stop() == 0)
    }

    @Test(arguments: [
        (#"{"textfile": "scanledger.prom"}"#, "metrics.textfile: 'scanledger.prom' is not an absolute path"),
        (#"{"textfile": "/var/lib/x/scanledger.txt"}"#, "must end in .prom"),
        (#"{"textfile": "/x.prom", "interval": 5}"#, "metrics.interval: unknown key"),
        (#"{"textfile": "/x.prom", "interval_seconds": 0}"#, "metrics.interval_seconds: 0 is out of range 1…3600"),
        (#"{"interval_seconds": 5}"#, "metrics.textfile: missing (required)"),
    ])
    func theSectionIsStrict(section: String, message: String) throws {
        let site = try DaemonSite()
        let text = site.configText().replacingOccurrences(of: #""log_level""#, with: #""metrics": \#(section), "log_level""#)
        #expect {
            try ServiceConfig.parse(try ConfigNode.parse(Data(text.utf8), file: "scanledger.json"))
        } throws: { error in
            "\(error)".contains(message) && "\(error)".hasPrefix("scanledger.json:")
        }
    }

    @Test func aChangedTextfileOnReloadWaitsForARestart() throws {
        let site = try DaemonSite()
        try Self.configure(site, textfile: site.dir.appendingPathComponent("a.prom").path)
        try site.start()
        try Self.configure(site, textfile: site.dir.appendingPathComponent("b.prom").path)
        #expect(try site.request(["cmd": "reload"])["restart_needed"] as? [String] == ["metrics"])
        #expect(try site.stop() == 0)
    }
}
