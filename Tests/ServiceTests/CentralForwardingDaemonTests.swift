import Foundation
import Ledger
import ScanModel
import Service
import Stations
import Testing
@testable import Forwarding

/// The real scanledgerd with a `central` section, against a real PostgreSQL
/// (the one ForwardingTests use, PostgresServer.swift is shared by a
/// symlink): scans become postings, the daemon forwards them; PostgreSQL
/// stops and returns; the daemon is SIGKILLed while forwarding. At the end
/// the central database holds exactly the box's postings, each once, and
/// the station journal entries written while it was down.
@Suite(.serialized) struct CentralForwardingDaemonTests {
    let plain = gtin("0614141000012").digits

    /// A commit wakes the forwarder: with a minute between polls, a receipt
    /// still reaches the central database within seconds (before, it waited
    /// for the next poll).
    @Test func aCommitWakesTheForwarderWithoutWaitingForThePoll() throws {
        let server = try PostgresServer.shared()
        let database = try server.createDatabase()
        let site = try DaemonSite()
        let passwordFile = site.dir.appendingPathComponent("central.pass").path
        FileManager.default.createFile(atPath: passwordFile, contents: Data((PostgresServer.superuserPassword + "\n").utf8),
                                       attributes: [.posixPermissions: 0o600])
        let central = #""central": {"conninfo": "\#(server.tcpConninfo(database: database))", "password_file": "\#(passwordFile)", "poll_interval_ms": 60000}, "#
        try site.writeRaw(site.configText().replacingOccurrences(of: #""log_level""#, with: central + #""log_level""#))
        try site.start()
        // The forwarder's first round (connect, nothing to send) is over before the scan.
        try eventually("the forwarder to be idle") {
            (try site.request(["cmd": "status"])["forwarding"] as? [String: Any])?["state"] as? String == "idle"
        }
        site.scanner.scan("ASN-1001")
        site.scanner.scan("01\(plain)3010")
        site.scanner.scan("CMD:CLOSE")
        try eventually("the receipt central well before the next poll", limit: 20) {
            try server.connect(database).query("SELECT count(*) FROM postings WHERE origin = 'test'").int(0, 0) == 1
        }
        #expect(try site.stop() == 0)
    }

    @Test func daemonForwardsEveryPostingExactlyOnceThroughAnOutageAndASIGKILL() throws {
        let server = try PostgresServer.own()
        let database = try server.createDatabase()
        let site = try DaemonSite()
        let receipts = 18
        try site.withLedger { (ledger: Ledger) throws -> Void in
            try LedgerStationStores(ledger: ledger).store(asns: (0..<receipts).map { i in
                ASN(number: "ASN-\(3000 + i)", lines: [ASNLine(item: ItemCode(gtin: gtin("0614141000012")), quantity: 1 + i % 5)])
            }, orders: [])
        }
        // Password over TCP from a 0600 file, as a real box would.
        let passwordFile = site.dir.appendingPathComponent("central.pass").path
        FileManager.default.createFile(atPath: passwordFile, contents: Data((PostgresServer.superuserPassword + "\n").utf8),
                                       attributes: [.posixPermissions: 0o600])
        let central = #""central": {"conninfo": "\#(server.tcpConninfo(database: database))", "password_file": "\#(passwordFile)", "site": "north", "batch_size": 2}, "#
        try site.writeRaw(site.configText().replacingOccurrences(of: #""log_level""#, with: central + #""log_level""#))
        // A new connection per look: the server restarts under the test.
        func centralCount() throws -> Int64 {
            try server.connect(database).query("SELECT count(*) FROM postings WHERE origin = 'test'").int(0, 0) ?? -1
        }
        func postings() throws -> Int { try site.request(["cmd": "status"])["postings_since_start"] as? Int ?? -1 }
        var posted = 0
        /// One receipt: document, items (quantity AI), close; waits until it is posted.
        func receive(_ i: Int) throws {
            site.scanner.scan("ASN-\(3000 + i)")
            site.scanner.scan("01\(plain)30\(1 + i % 5)")
            site.scanner.scan("CMD:CLOSE")
            posted += 1
            let expected = posted
            try eventually("receipt \(i) to post (log: \(site.log.suffix(2_000)))") { try postings() == expected }
        }

        // 1. Forwarding while scanning.
        try site.start()
        for i in 0..<6 { try receive(i) }
        try eventually("6 postings central", limit: 60) { try centralCount() == 6 }

        // 2. PostgreSQL down: the station keeps posting locally, the backlog is a metric.
        try server.stop()
        var serverUp = false
        defer { if !serverUp { try? server.start() } }
        for i in 6..<12 { try receive(i) }
        try eventually("the backlog of 6 in the metrics", limit: 60) {
            let text = try site.request(["cmd": "metrics"])["text"] as? String ?? ""
            let line = text.split(separator: "\n").first { $0.hasPrefix("scanledger_forward_backlog_postings ") }
            return line.flatMap { Double($0.split(separator: " ").last ?? "") } == 6
        }
        try server.start()
        serverUp = true
        try eventually("caught up to 12 after the outage", limit: 90) { try centralCount() == 12 }

        // 3. SIGKILL while a backlog is being forwarded (2 per batch), then restart.
        try server.stop()
        serverUp = false
        for i in 12..<receipts { try receive(i) }
        try server.start()
        serverUp = true
        try eventually("forwarding to resume", limit: 90) { try centralCount() > 12 }
        #expect(try site.stop(SIGKILL) != 0)
        // Station journal entries written while the daemon is down go out after it restarts.
        let journal = (0..<5).map { JournalEntry(time: .seconds(1_700_000_000 + Int64($0)), station: "dock", code: "refused",
                                                 severity: .error, message: "refused \($0)") }
        try site.withLedger { (l: Ledger) throws -> Void in try l.recordJournal(journal) }
        try site.start()
        try eventually("caught up to \(receipts) after the SIGKILL", limit: 90) { try centralCount() == Int64(receipts) }
        // The stations journal too (each closed receipt's report), so the
        // box's whole journal must be central, the five written offline among it.
        let localJournal = try site.withLedger { (l: Ledger) throws -> Int in try l.stationJournal(JournalQuery()).count }
        #expect(localJournal >= 5 + receipts)
        try eventually("the journal central and its metrics", limit: 90) {
            let text = try site.request(["cmd": "metrics"])["text"] as? String ?? ""
            let central = try server.connect(database)
            return try central.query("SELECT count(*) FROM station_journal WHERE origin = 'test'").int(0, 0) == Int64(localJournal)
                && central.query("SELECT count(*) FROM station_journal WHERE origin = 'test' AND code = 'refused'").int(0, 0) == 5
                && text.contains("\nscanledger_forward_backlog_journal_entries 0")
        }
        #expect(try site.stop() == 0)

        // Exactly the box's postings, each once, with the same content; balances agree.
        let db = try server.connect(database)
        let local = try site.withLedger { (l: Ledger) throws -> [OutboxRecord] in try l.pendingOutbox(after: LedgerSequence(0), limit: 1_000) }
        #expect(local.count == receipts)
        let rows = try db.query("SELECT seq, key, commit_us FROM postings WHERE origin = 'test' ORDER BY seq")
        #expect(rows.rowCount == local.count)
        for (i, record) in local.enumerated() {
            #expect(rows.int(i, 0) == record.seq.value && rows.text(i, 1) == record.key && rows.int(i, 2) == record.commitTimeMicros)
        }
        // Every column as the server itself reads each local payload (the re-send comparison).
        let differing = try db.query(CentralIngest.findConflict, ["test", PGArray.integers(local.map(\.seq.value)), PGArray.texts(local.map(\.key)),
                                                                 PGArray.integers(local.map(\.commitTimeMicros)), PGArray.texts(local.map(\.payload))])
        #expect(differing.rowCount == 0)
        #expect(try db.query("SELECT count(*) FROM (SELECT seq FROM postings GROUP BY origin, seq HAVING count(*) > 1) d").int(0, 0) == 0)
        let centralDock = try db.query("SELECT qty FROM origin_balances WHERE origin = 'test' AND location = 'DOCK-1'").int(0, 0)
        let localDock = try site.withLedger { (l: Ledger) throws -> Int64? in try l.stock(StockQuery(location: "DOCK-1")).first?.qty }
        #expect(centralDock != nil && centralDock == localDock)
        #expect(try db.query("SELECT site FROM origins WHERE origin = 'test'").text(0, 0) == "north")
        #expect(site.log.contains("connected to the central database"))
        #expect(!site.log.contains(PostgresServer.superuserPassword))
    }
}
