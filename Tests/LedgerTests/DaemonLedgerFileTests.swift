import Foundation
import Testing
@testable import Ledger
import ScanModel

/// The real scanledgerd on a ledger file: refuses a damaged one (exit 3, what
/// to do in the message, the file untouched), and holds the lock that makes
/// `scanledger restore` refuse while it runs, even after a SIGKILL has
/// released it.
@Suite(.serialized) struct DaemonLedgerFileTests {
    /// A daemon with no devices or stations: just the ledger and its control socket.
    final class Daemon {
        let process = Process()
        let log: URL
        init(ledger: String, directory: URL, startupCheck: String = "quick") throws {
            let config = directory.appendingPathComponent("scanledger-\(UUID().uuidString.prefix(6)).json")
            try """
            {"site": {"box_id": "test"}, "ledger": {"path": "\(ledger)", "startup_check": "\(startupCheck)"},
             "control": {"socket": "\(directory.path)/c-\(UUID().uuidString.prefix(6)).sock"}, "devices": [], "stations": []}
            """.write(to: config, atomically: true, encoding: .utf8)
            log = directory.appendingPathComponent("daemon-\(UUID().uuidString.prefix(6)).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = try ProcessSupport.scanledger().deletingLastPathComponent().appendingPathComponent("scanledgerd")
            process.arguments = ["--config", config.path]
            var env = ProcessInfo.processInfo.environment
            env.removeValue(forKey: "NOTIFY_SOCKET")
            process.environment = env
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
        }
        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Waits for "ready" in the log, or for the process to exit.
        func waitReadyOrExit(limit: TimeInterval = 30) {
            let deadline = Date().addingTimeInterval(limit)
            while process.isRunning, !output.contains("ready:"), Date() < deadline { usleep(20_000) }
        }

        func waitExit(limit: TimeInterval = 30) -> Int32? {
            let deadline = Date().addingTimeInterval(limit)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            return process.isRunning ? nil : process.terminationStatus
        }
    }

    static func seeded(_ t: TestLedger, postings: Int) throws {
        for batch in stride(from: 0, to: postings, by: 100) {
            _ = try t.ledger.postAndWait((batch..<min(postings, batch + 100)).map { i in
                PostingRequest(key: "k\(i)", kind: .receipt, ref: "ASN-\(i / 100)", eventTime: "2024-05-01T10:00:00Z",
                               lines: [PostingLine(item: TestLedger.widget, qty: Int64(i % 9 + 1), from: VirtualLocation.supplier, to: "DOCK1")])
            })
        }
        t.ledger.close()
    }

    @Test func damagedLedgerStopsTheDaemonWithExit3AndSaysWhatToDo() throws {
        let t = try TestLedger()
        try Self.seeded(t, postings: 3_000)
        let damaged = t.directory.appendingPathComponent("damaged.db").path
        _ = try LedgerBackup.backup(source: t.path, to: damaged)
        let page = try Corruption.damageMiddleOfTablePage(damaged, table: "postings")
        let evidence = try Data(contentsOf: URL(fileURLWithPath: damaged))

        let daemon = try Daemon(ledger: damaged, directory: t.directory)
        let status = daemon.waitExit()
        #expect(status == 3, "damaged postings page \(page): scanledgerd \(String(describing: status)); log: \(daemon.output)")
        let log = daemon.output
        #expect(!log.contains("ready:"), "\(log)")
        for hint in ["is damaged", "quick_check", "scanledger verify --deep --db \(damaged)", "scanledger restore BACKUP --db \(damaged)"] {
            #expect(log.contains(hint), "the refusal lacks '\(hint)': \(log)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: damaged)) == evidence, "the daemon changed the damaged file")

        // The sound original passes the same check and starts.
        let sound = try Daemon(ledger: t.path, directory: t.directory)
        sound.waitReadyOrExit()
        #expect(sound.output.contains("quick_check ok"), "\(sound.output)")
        #expect(sound.output.contains("3000 postings in the ledger"), "\(sound.output)")
        kill(sound.process.processIdentifier, SIGTERM)
        #expect(sound.waitExit() == 0)
    }

    @Test func restoreIsRefusedWhileTheDaemonRunsAndWorksAfterItDied() throws {
        let binary = try ProcessSupport.scanledger()
        let t = try TestLedger()
        try Self.seeded(t, postings: 300)
        let daemon = try Daemon(ledger: t.path, directory: t.directory)
        daemon.waitReadyOrExit()
        try #require(daemon.process.isRunning, "scanledgerd did not start: \(daemon.output)")

        // Backups run next to the daemon.
        let backup = t.directory.appendingPathComponent("nightly.db").path
        let b = try ProcessSupport.run(binary, ["backup", "--db", t.path, backup])
        #expect(b.status == 0, "\(b.stderr)")

        let refused = try ProcessSupport.run(binary, ["restore", "--db", t.path, backup])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("running scanledgerd") && refused.stderr.contains("pid \(daemon.process.processIdentifier)"),
                "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: t.path + ".before-restore"))

        // A second daemon on the same file is refused too (exit 1, not 3).
        let second = try Daemon(ledger: t.path, directory: t.directory)
        #expect(second.waitExit() == 1)
        #expect(second.output.contains("in use by another scanledgerd"), "\(second.output)")

        // SIGKILL: no clean-up ran, the kernel dropped the lock; nothing stale is left to refuse on.
        kill(daemon.process.processIdentifier, SIGKILL)
        _ = daemon.waitExit()
        let restored = try ProcessSupport.run(binary, ["restore", "--db", t.path, backup])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(FileManager.default.fileExists(atPath: t.path + ".before-restore"))

        // And the daemon starts on the restored file.
        let again = try Daemon(ledger: t.path, directory: t.directory)
        again.waitReadyOrExit()
        #expect(again.output.contains("300 postings in the ledger"), "\(again.output)")
        kill(again.process.processIdentifier, SIGTERM)
        #expect(again.waitExit() == 0)
    }
}
