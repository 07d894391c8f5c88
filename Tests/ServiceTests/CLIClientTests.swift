import Foundation
import Testing
import Ledger
@testable import Service

/// The `scanledger` commands that talk to the daemon, and the file-side ones
/// that work while it is down.
@Suite(.serialized) struct CLIClientTests {
    @Test func statusStationsDevicesAndCountsOverTheSocketInTablesAndJSON() throws {
        let site = try DaemonSite()
        try site.start()
        site.scanner.scan("ASN-1001")
        try eventually("the receipt to open") { try site.scanned() == [0] }
        let env = ["SCANLEDGER_SOCKET": site.socket]
        let status = try runCLI(["status"], environment: env)
        #expect(status.status == 0 && status.out.contains("open_sessions") && status.out.contains("dock-1"))
        let stations = try runCLI(["stations", "--socket", site.socket])
        #expect(stations.out.contains("dock-1 [receiving] open doc ASN-1001 at DOCK-1"))
        let devices = try runCLI(["devices", "--json"], environment: env)
        let json = try JSONSerialization.jsonObject(with: Data(devices.out.utf8)) as? [String: Any]
        #expect((json?["devices"] as? [[String: Any]])?.first?["name"] as? String == "dock-scanner")
        #expect(try runCLI(["counts", "list"], environment: env).out.hasPrefix("id"))
        let missing = try runCLI(["counts", "show", "nope"], environment: env)
        #expect(missing.status == 1 && missing.err.contains("no count 'nope'"))
        #expect(try runCLI(["counts", "frobnicate"], environment: env).status == 2)
        #expect(try site.stop() == 0)
        let down = try runCLI(["status"], environment: env)
        #expect(down.status == 1 && down.err.contains("cannot reach scanledgerd"))
    }

    @Test func watchFollowsOneStationLive() throws {
        let site = try DaemonSite()
        try site.start()
        let p = Process()
        p.executableURL = DaemonSite.binary.deletingLastPathComponent().appendingPathComponent("scanledger")
        p.arguments = ["watch", "--station", "dock-1", "--socket", site.socket]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGTERM); p.waitUntilExit() } }
        // Scan until the watcher has subscribed and printed the result (it may connect after the first scan).
        var text = ""
        let fd = out.fileHandleForReading.fileDescriptor
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var lastScan = Date.distantPast
        try eventually("the watcher to print a result with the live view") {
            // The watcher may subscribe after a scan: scan again (a second ASN-1001
            // is refused, but its event still carries the view) until one shows.
            if Date().timeIntervalSince(lastScan) > 0.5 { site.scanner.scan("ASN-1001"); lastScan = Date() }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { text += String(decoding: buffer[0..<n], as: UTF8.self) }
            return text.contains("dock-1 [receiving] open doc ASN-1001 at DOCK-1")
        }
        #expect(["OK", "WARNING", "ERROR"].contains { text.contains("dock-1 \($0) ") }, "\(text)")  // the result line above the view
        #expect(try site.stop() == 0)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)  // the stream ended with the daemon
    }

    @Test func checkConfigAndImportOfExpectedDataOnTheDatabaseFile() throws {
        let site = try DaemonSite()
        #expect(try runCLI(["check-config", site.configPath]).status == 0)
        try site.writeConfig(broken: true)
        let bad = try runCLI(["check-config", site.configPath])
        #expect(bad.status == 1 && bad.err.contains("stations[0].dokc: unknown key"))
        let asn = site.dir.appendingPathComponent("asn.csv").path
        try "asn,item,qty\nASN-7,06141410000120,3\n".write(toFile: asn, atomically: true, encoding: .utf8)
        let imported = try runCLI(["--db", site.db, "import", "asn", asn])
        #expect(imported.status == 0 && imported.out.contains("imported 1 ASNs"))
        try "order,item,qty\nSO-1,06141410000120,x\n".write(toFile: asn, atomically: true, encoding: .utf8)
        let refused = try runCLI(["--db", site.db, "import", "orders", asn])
        #expect(refused.status == 1 && refused.err.contains("asn.csv:2"))
        // The daemon then finds the imported ASN in its database.
        try site.writeConfig()
        try site.start()
        #expect(try site.request(["cmd": "import", "kind": "asn", "path": asn])["ok"] as? Bool == false)
        try site.stop()
        try site.withLedger { (l: Ledger) throws -> Void in
            #expect(try LedgerStationStores(ledger: l).asn(number: "ASN-7")?.lines.first?.quantity == 3)
        }
    }
}
