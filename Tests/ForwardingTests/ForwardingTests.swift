import Foundation
import Testing
@testable import Forwarding
import Ledger
import ScanModel

/// Forwarding against a real PostgreSQL (one server per test process, one
/// database per test). Serialized: some tests stop and restart the server.
@Suite(.serialized)
struct ForwardingTests {
    @Test func forwardsEveryPostingOnceWithEntriesAndReversals() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let box = try Box(origin: "dock1")
        try box.postMix(30, tag: "a")
        let reversed = try box.ledger.reverse(LedgerSequence(2), key: "undo-2")
        #expect(reversed.status == .posted)
        let forwarder = try box.forwarder(try server.settings(database: name), batchSize: 7)
        let sent = try forwarder.forwardPending()
        #expect(sent == 31)
        #expect(try box.ledger.forwardedUpTo() == LedgerSequence(31))
        let db = try server.connect(name)
        #expect(try count(db, "SELECT count(*) FROM postings WHERE origin = 'dock1'") == 31)
        #expect(try count(db, "SELECT count(DISTINCT seq) FROM postings WHERE origin = 'dock1' AND seq BETWEEN 1 AND 31") == 31)
        // Every posting's entries sum to zero per item and lot, the reversal included.
        #expect(try count(db, "SELECT count(*) FROM (SELECT seq FROM entries GROUP BY origin, seq, item, lot HAVING sum(qty) <> 0) t") == 0)
        #expect(try count(db, "SELECT count(*) FROM entries WHERE seq = 31") == 2)
        #expect(try centralBalances(db, origin: "dock1") == box.balances())
        // Nothing pending: a second run sends nothing and changes nothing.
        #expect(try forwarder.forwardPending() == 0)
        #expect(try count(db, "SELECT count(*) FROM postings") == 31)
        let status = forwarder.status
        #expect(status.forwardedPostings == 31 && status.backlogPostings == 0 && status.batches == 5)
        #expect(status.errorsByKind.isEmpty)
    }

    /// (a) The forwarder dies after the central commit but before the local
    /// mark: the batch is re-sent, and must not be duplicated.
    @Test func resendAfterCrashBetweenCentralCommitAndMarkIsNotDuplicated() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let box = try Box(origin: "bench1")
        try box.postMix(40, tag: "a")
        // What a crashed forwarder left behind: postings 1…25 committed centrally, mark still 0.
        let batch = try box.ledger.pendingOutbox(limit: 25)
        let db = try server.connect(name)
        let outcome = try CentralIngest.send(batch, origin: "bench1", site: "site-1", localHead: nil, over: db)
        #expect(outcome.inserted == 25)
        #expect(try box.ledger.forwardedUpTo() == LedgerSequence(0))

        let forwarder = try box.forwarder(try server.settings(database: name), batchSize: 10)
        #expect(try forwarder.forwardPending() == 15)
        #expect(forwarder.status.alreadyCentralPostings == 25)
        #expect(try count(db, "SELECT count(*) FROM postings") == 40)
        #expect(try count(db, "SELECT count(*) FROM entries") == (try count(db, "SELECT sum(cardinality(entry_item)) FROM postings")))
        #expect(try box.ledger.forwardedUpTo() == LedgerSequence(40))
        #expect(try centralBalances(db) == box.balances())
    }

    /// (b) PostgreSQL restarts while the forwarder streams: it reconnects and catches up.
    @Test func reconnectsAfterServerRestartMidStream() throws {
        let server = try PostgresServer.own()
        let name = try server.createDatabase()
        let box = try Box(origin: "door2")
        let forwarder = try box.forwarder(try server.settings(database: name), batchSize: 20)
        forwarder.start()
        defer { forwarder.stop() }
        try box.postMix(100, tag: "before")
        try waitUntil("the first postings are central") { forwarder.status.forwardedUpTo >= 20 }
        try server.restart()
        try box.postMix(100, tag: "after")
        forwarder.wake()
        try waitUntil("caught up after the restart") { forwarder.status.forwardedUpTo == 200 }
        let db = try server.connect(name)
        #expect(try count(db, "SELECT count(*) FROM postings WHERE origin = 'door2'") == 200)
        #expect(try count(db, "SELECT max(seq) FROM postings") == 200)
        #expect(try centralBalances(db) == box.balances())
        let status = forwarder.status
        #expect(status.connects >= 2, "the forwarder should have reconnected")
        #expect((status.errorsByKind["connection"] ?? 0) >= 1)
    }

    /// (c) The server is down while postings continue locally: the backlog
    /// grows (alarm), nothing is dropped, and after the server returns the
    /// forwarder catches up in sequence order.
    @Test func catchesUpAfterOutageInOrderWithBacklogAlarm() throws {
        let server = try PostgresServer.own()
        let name = try server.createDatabase()
        let box = try Box(origin: "pack3")
        let logged = LogCollector()
        let forwarder = try box.forwarder(try server.settings(database: name), batchSize: 25, alarmPostings: 100, log: logged.log)
        forwarder.start()
        defer { forwarder.stop() }
        try box.postMix(30, tag: "up")
        try waitUntil("the first postings are central") { forwarder.status.forwardedUpTo == 30 }
        try server.stop()
        var restarted = false
        defer { if !restarted { try? server.start() } }
        for round in 0..<6 { try box.postMix(50, tag: "down\(round)") }
        forwarder.wake()
        // The backlog metric keeps counting while the server is unreachable.
        try waitUntil("the outage is noticed and the whole backlog counted") {
            let s = forwarder.status
            return (s.errorsByKind["connection"] ?? 0) >= 2 && s.backlogPostings == 300
        }
        let during = forwarder.status
        #expect(during.forwardedUpTo == 30)
        #expect(during.backlogAlarm)
        #expect(during.state == .retrying || during.state == .connecting)
        #expect(during.lagSeconds > 0)
        #expect(try box.ledger.forwardedUpTo() == LedgerSequence(30))
        try server.start()
        restarted = true
        try waitUntil("caught up after the outage") { forwarder.status.forwardedUpTo == 330 }
        let db = try server.connect(name)
        #expect(try count(db, "SELECT count(*) FROM postings WHERE origin = 'pack3'") == 330)
        // Arrival order (ingest_id) is sequence order: no gaps, no reordering.
        #expect(try count(db, "SELECT count(*) FROM (SELECT seq, lag(seq) OVER (ORDER BY ingest_id) AS prev FROM postings WHERE origin = 'pack3') t WHERE prev IS NOT NULL AND seq <> prev + 1") == 0)
        #expect(try centralBalances(db) == box.balances())
        try waitUntil("the alarm clears") { !forwarder.status.backlogAlarm }
        #expect(logged.contains("over the alarm threshold"))
    }

    /// (d) Three boxes post concurrently into one central database; one
    /// forwarder is stopped and replaced mid-way. The central database holds
    /// exactly the union, and the site balance is the sum of the local ones.
    @Test func threeOriginsIntoOneCentralDatabase() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let settings = try server.settings(database: name)
        let boxes = try ["door1", "door2", "bench1"].map { try Box(origin: $0) }
        var forwarders = try boxes.map { try $0.forwarder(settings, batchSize: 15) }
        forwarders.forEach { $0.start() }
        DispatchQueue.concurrentPerform(iterations: boxes.count) { i in
            for round in 0..<4 { _ = try? boxes[i].postMix(40 + i * 5, tag: "r\(round)") }
        }
        forwarders[1].stop()
        try boxes[1].postMix(20, tag: "while-stopped")
        forwarders[1] = try boxes[1].forwarder(settings, batchSize: 15)
        forwarders[1].start()
        defer { forwarders.forEach { $0.stop() } }
        forwarders.forEach { $0.wake() }
        for (box, forwarder) in zip(boxes, forwarders) {
            let head = box.head
            try waitUntil("\(box.origin) caught up") { forwarder.status.forwardedUpTo == head }
        }
        let db = try server.connect(name)
        var expectedTotal: [String: Int64] = [:]
        for box in boxes {
            #expect(try count(db, "SELECT count(*) FROM postings WHERE origin = $1", [box.origin]) == box.head)
            #expect(try centralBalances(db, origin: box.origin) == box.balances())
            for (k, v) in try box.balances() { expectedTotal[k, default: 0] += v }
        }
        #expect(try centralBalances(db) == expectedTotal.filter { $0.value != 0 })
        let lags = try CentralDatabase(settings).status()
        #expect(lags.map(\.origin) == ["bench1", "door1", "door2"])
        #expect(lags.allSatisfy { $0.postingsBehind == 0 && $0.centralSeq == $0.localHeadSeq })
    }

    @Test func centralRowThatDiffersIsAConflictNeverOverwritten() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let settings = try server.settings(database: name)
        let first = try Box(origin: "dock1")
        try first.postMix(5, tag: "one")
        try first.forwarder(settings).forwardPending()
        // A second box wrongly configured with the same origin id.
        let impostor = try Box(origin: "dock1")
        try impostor.postMix(3, tag: "two")
        let forwarder = try impostor.forwarder(settings)
        #expect {
            try forwarder.forwardPending()
        } throws: { isConflict($0, naming: "(dock1, 1)") }
        #expect(forwarder.status.errorsByKind["conflict"] == 1)
        #expect(try impostor.ledger.forwardedUpTo() == LedgerSequence(0))
        let db = try server.connect(name)
        #expect(try db.query("SELECT key FROM postings WHERE origin = 'dock1' AND seq = 1").text(0, 0) == "dock1-one-0")
        #expect(try count(db, "SELECT count(*) FROM postings") == 5)
    }

    @Test func newerCentralSchemaIsRefused() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let db = try server.connect(name)
        try db.run("UPDATE scanledger_schema SET version = 99")
        let box = try Box(origin: "dock1")
        try box.postMix(3, tag: "x")
        let forwarder = try box.forwarder(try server.settings(database: name))
        #expect {
            try forwarder.forwardPending()
        } throws: { error in
            (error as? CentralError)?.kind == .schema && "\(error)".contains("version 99 is newer")
        }
        #expect(try box.ledger.forwardedUpTo() == LedgerSequence(0))
        #expect(throws: CentralError.self) { try CentralDatabase(try server.settings(database: name)).initialize() }
        #expect(try count(db, "SELECT version FROM scanledger_schema") == 99)
    }

    @Test func uninitialisedDatabaseIsRefusedAndInitIsIdempotent() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase(initialize: false)
        let box = try Box(origin: "dock1")
        try box.postMix(2, tag: "x")
        #expect(throws: CentralError.self) { try box.forwarder(try server.settings(database: name)).forwardPending() }
        let central = try CentralDatabase(try server.settings(database: name))
        #expect(try central.initialize() == (0, CentralDatabase.supportedSchemaVersion))
        #expect(try central.initialize() == (CentralDatabase.supportedSchemaVersion, CentralDatabase.supportedSchemaVersion))
        #expect(try box.forwarder(try server.settings(database: name)).forwardPending() == 2)
    }

    @Test func passwordFromFileWorksAndWrongPasswordNeverAppearsInErrors() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good").path, bad = dir.appendingPathComponent("bad").path
        let open = dir.appendingPathComponent("open").path
        let wrongPassword = "Wr0ng-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: good, contents: Data((PostgresServer.superuserPassword + "\n").utf8), attributes: [.posixPermissions: 0o600])
        FileManager.default.createFile(atPath: bad, contents: Data(wrongPassword.utf8), attributes: [.posixPermissions: 0o400])
        FileManager.default.createFile(atPath: open, contents: Data(PostgresServer.superuserPassword.utf8), attributes: [.posixPermissions: 0o644])

        let box = try Box(origin: "dock1")
        try box.postMix(4, tag: "pw")
        let goodSettings = try CentralConnectionSettings(conninfo: server.tcpConninfo(database: name), passwordFile: good)
        #expect(try box.forwarder(goodSettings).forwardPending() == 4)

        let badSettings = try CentralConnectionSettings(conninfo: server.tcpConninfo(database: name), passwordFile: bad)
        let forwarder = try box.forwarder(badSettings)
        try box.postMix(1, tag: "more")
        do {
            try forwarder.forwardPending()
            Issue.record("a wrong password connected")
        } catch {
            #expect(error.kind == .authentication)
            #expect(!error.message.contains(wrongPassword))
            #expect(error.message.contains("password authentication failed"))
        }
        #expect(!(forwarder.status.lastError ?? "").contains(wrongPassword))
        #expect(forwarder.status.errorsByKind["authentication"] == 1)

        let openSettings = try CentralConnectionSettings(conninfo: server.tcpConninfo(database: name), passwordFile: open)
        #expect {
            try box.forwarder(openSettings).forwardPending()
        } throws: { error in
            (error as? CentralError)?.kind == .configuration && "\(error)".contains("chmod 600")
        }
    }
}

/// Collects log lines from a forwarder (any thread).
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var log: Forwarder.Log { { [self] level, message in lock.lock(); lines.append("\(level): \(message)"); lock.unlock() } }
    func contains(_ text: String) -> Bool { lock.lock(); defer { lock.unlock() }; return lines.contains { $0.contains(text) } }
}
