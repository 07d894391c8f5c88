import Foundation
import Testing
@testable import Forwarding
import Ledger
import ScanModel

/// `scanledger central …` as a real process, including one SIGKILLed mid-stream.
extension ForwardingTests {
    static func scanledger() throws -> URL {
        var candidates: [URL] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("scanledger"))
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/scanledger"))
        for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) { return c }
        throw TestFailure("scanledger binary not found (\(candidates.map(\.path))); build it with `swift build --build-tests`")
    }

    static func runCLI(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = try scanledger()
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func centralCommandsInitStatusStockAndUsage() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase(initialize: false)
        let env = ["SCANLEDGER_CENTRAL": server.socketConninfo(database: name)]
        let first = try Self.runCLI(["central", "init"], environment: env)
        #expect(first.status == 0 && first.stdout.contains("migrated from version 0 to \(CentralDatabase.supportedSchemaVersion)"), "\(first)")
        #expect(try Self.runCLI(["central", "init"], environment: env).stdout.contains("nothing to do"))
        let box = try Box(origin: "dock1")
        try box.postMix(6, tag: "cli")
        box.ledger.close()
        let forward = try Self.runCLI(["central", "forward", "--origin", "dock1", "--site", "north", "--db", box.path], environment: env)
        #expect(forward.status == 0 && forward.stdout.contains("\"forwarded\":6"), "\(forward)")
        let status = try Self.runCLI(["central", "status", "--json"], environment: env)
        #expect(status.stdout.contains("\"origin\":\"dock1\"") && status.stdout.contains("\"postings_behind\":0"), "\(status)")
        let stock = try Self.runCLI(["central", "stock", "--json", "--site", "north", "--item", Box.bolt], environment: env)
        // Two bolt receipts of 10 to A-02, two moves of 3 to A-01.
        #expect(stock.stdout.contains("{\"item\":\"BOLT-M8\",\"location\":\"A-01\",\"lot\":null,\"qty\":6,\"serial\":null,\"site\":\"north\"}"), "\(stock)")
        #expect(stock.stdout.contains("\"location\":\"A-02\",\"lot\":null,\"qty\":14"), "\(stock)")
        let bad = try Self.runCLI(["central", "status", "--central", "host=x password=hunter2"])
        #expect(bad.status == 2 && !bad.stderr.contains("hunter2") && bad.stderr.contains("password file"), "\(bad)")
        #expect(try Self.runCLI(["central", "frobnicate"], environment: env).status == 2)
    }

    /// A forwarding process SIGKILLed mid-stream, then run again: every
    /// posting and station journal entry central exactly once.
    @Test func forwarderProcessKilledMidStreamLosesAndDuplicatesNothing() throws {
        let server = try PostgresServer.shared()
        let name = try server.createDatabase()
        let box = try Box(origin: "door9")
        for round in 0..<10 {
            try box.postMix(290, tag: "k\(round)")
            // Entries with postings and on their own, between the plain postings.
            try Self.postWithJournal(box, count: 10, tag: "k\(round)")
            try box.ledger.recordJournal((0..<20).map { Self.journalEntry("refused-\($0)", at: 1_700_000_000 + Int64(round)) })
        }
        let journal = try box.ledger.stationJournal(JournalQuery())
        #expect(journal.count == 340)
        box.ledger.close()
        let db = try server.connect(name)
        let p = Process()
        p.executableURL = try Self.scanledger()
        p.arguments = ["central", "forward", "--origin", "door9", "--batch", "50", "--db", box.path]
        p.environment = ProcessInfo.processInfo.environment.merging(["SCANLEDGER_CENTRAL": server.socketConninfo(database: name)]) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        try waitUntil("the first batches are central") { try count(db, "SELECT count(*) FROM postings") >= 100 || !p.isRunning }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let afterKill = try count(db, "SELECT count(*) FROM postings")
        #expect(afterKill < 3_000, "the process finished before it was killed; the test proves less")
        let again = try Self.runCLI(["central", "forward", "--origin", "door9", "--batch", "500", "--db", box.path],
                                    environment: ["SCANLEDGER_CENTRAL": server.socketConninfo(database: name)])
        #expect(again.status == 0, "\(again)")
        #expect(try count(db, "SELECT count(*) FROM postings WHERE origin = 'door9'") == 3_000)
        #expect(try count(db, "SELECT count(DISTINCT key) FROM postings WHERE origin = 'door9'") == 3_000)
        #expect(try count(db, "SELECT max(seq) FROM postings") == 3_000)
        #expect(try count(db, "SELECT count(*) FROM station_journal WHERE origin = 'door9'") == Int64(journal.count))
        #expect(try count(db, "SELECT count(DISTINCT id) FROM station_journal") == Int64(journal.count))
        let reopened = try Ledger(path: box.path)
        defer { reopened.close() }
        #expect(try reopened.forwardedUpTo() == LedgerSequence(3_000))
        #expect(try reopened.journalForwardedUpTo() == journal.last?.id)
    }
}
