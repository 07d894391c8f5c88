import Foundation
import Testing
@testable import Service

/// A tmux server of its own (`-L`), no user config, UTF-8 forced, with one
/// detached 80×24 session running `script` under sh.
final class TmuxSession {
    let server = "sltop-\(UUID().uuidString.prefix(8))"
    let name = "top"

    init(script: String, width: Int = 80, height: Int = 24) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw HarnessFailure(description: "tmux is not installed (Debian package tmux; `make deps` installs it)")
        }
        let started = try tmux(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", "sh", "-c", script])
        guard started.status == 0 else { throw HarnessFailure(description: "tmux new-session failed: \(started.out)") }
    }

    deinit {
        _ = try? tmux(["kill-server"])  // its panes get SIGHUP
        unlink("/tmp/tmux-\(getuid())/\(server)")
    }

    /// Runs tmux by posix_spawn and waits for it. Not Foundation's Process:
    /// the tmux server forks from the first client and would keep the
    /// descriptor Process watches for its child's exit, so the wait never ended.
    @discardableResult
    func tmux(_ arguments: [String]) throws -> (status: Int32, out: String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(server)-\(UUID().uuidString.prefix(8)).out").path
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (["/usr/bin/tmux", "-u", "-L", server, "-f", "/dev/null"] + arguments).map { strdup($0) } + [nil]
        let env = ProcessInfo.processInfo.environment.filter { $0.key != "TMUX" }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + env).forEach { free($0) } }
        // The test runner's threads block most signals and a child inherits
        // that mask: a tmux server with SIGCHLD/SIGTERM blocked never exits.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none); sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/usr/bin/tmux", &actions, &attributes, argv, env)
        guard rc == 0 else { throw HarnessFailure(description: "posix_spawn tmux: errno \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let out = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return ((status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F), out)
    }

    /// The pane as a person sees it: one string per row.
    func capture() throws -> [String] {
        try tmux(["capture-pane", "-p", "-t", name]).out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    func keys(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }

    /// The pid of the process the pane's shell is running (its child).
    func child() throws -> Int32? {
        guard let shell = Int32(try tmux(["list-panes", "-t", name, "-F", "#{pane_pid}"]).out.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8) else { continue }
            // pid (comm) state ppid …: the fields after the last ')'.
            let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == shell { return pid }
        }
        return nil
    }
}

/// `scanledger top` against the real daemon: under tmux at 80×24 (the
/// screen, a scan appearing, q / Ctrl-C / SIGTERM quitting with the terminal
/// exactly as it was), and as one plain snapshot when stdout is no terminal.
@Suite(.serialized) struct TopTests {
    static var scanledger: String { DaemonSite.binary.deletingLastPathComponent().appendingPathComponent("scanledger").path }

    /// Runs top in tmux between two `stty -a`, keeping the pane open after it exits.
    static func session(_ site: DaemonSite) throws -> (TmuxSession, before: String, after: String) {
        let before = site.dir.appendingPathComponent("stty.before").path, after = site.dir.appendingPathComponent("stty.after").path
        let script = "stty -a > \(before); \(scanledger) top --socket \(site.socket); echo \"top exited $?\"; stty -a > \(after); sleep 120"
        return (try TmuxSession(script: script), before, after)
    }

    static func waitForScreen(_ tmux: TmuxSession, _ what: String, _ condition: @escaping ([String]) -> Bool) throws -> [String] {
        var rows: [String] = []
        do {
            try eventually(what) { rows = try tmux.capture(); return condition(rows) }
        } catch {
            throw HarnessFailure(description: "\(error); the screen:\n\(rows.joined(separator: "\n"))")
        }
        return rows
    }

    /// After top quit: it said so with exit 0, the alternate screen is gone,
    /// and the terminal settings are exactly those from before it started.
    static func expectRestored(_ tmux: TmuxSession, before: String, after: String) throws {
        let rows = try waitForScreen(tmux, "top to exit") { $0.contains("top exited 0") }
        #expect(!rows.contains { $0.contains("DEVICES") }, "the alternate screen was not left: \(rows)")
        try eventually("stty after top") { FileManager.default.fileExists(atPath: after) && !((try? String(contentsOfFile: after, encoding: .utf8)) ?? "").isEmpty }
        let (was, now) = (try String(contentsOfFile: before, encoding: .utf8), try String(contentsOfFile: after, encoding: .utf8))
        // The first line holds the size, which a test may have changed on purpose.
        func settings(_ stty: String) -> [Substring] { Array(stty.split(separator: "\n").dropFirst()) }
        #expect(settings(was) == settings(now), "the terminal was not restored:\nbefore: \(was)\nafter: \(now)")
        let settings = Set(now.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }))
        #expect(settings.isSuperset(of: ["icanon", "echo", "isig", "ixon", "icrnl"]), "\(now)")
    }

    @Test func theScreenFits80x24ShowsTheFloorAndAScanAndQQuitsRestoringTheTerminal() throws {
        let site = try DaemonSite()
        try site.start()
        let (tmux, before, after) = try Self.session(site)
        var rows = try Self.waitForScreen(tmux, "top's screen") { $0.contains { $0.contains("dock-scanner") } && $0.contains { $0.contains("RECENT") } }
        #expect(rows.first?.hasPrefix("scanledger top — box test — up ") == true, "\(rows)")
        #expect(rows.contains { $0.contains("DEVICES 1/1 up") } && rows.contains { $0.hasPrefix("dock-1") && $0.contains("receiving") }, "\(rows)")
        site.scanner.scan("ASN-1001")
        rows = try Self.waitForScreen(tmux, "the scan in the recent list") { $0.contains { $0.contains("scan dock-scanner → dock-1: document ASN-1001") } }
        #expect(rows.contains { $0.contains("dock-1 OK ") }, "the station's answer: \(rows)")
        // The station row shows the open receipt and its progress against the ASN.
        #expect(rows.contains { $0.hasPrefix("dock-1") && $0.contains("ASN-1001") && $0.contains("0/10") }, "\(rows)")
        // 24 rows of at most 80 columns, the help line last: nothing wrapped or scrolled.
        #expect(rows.prefix(24).allSatisfy { $0.count <= 80 } && rows.count >= 24, "\(rows)")
        #expect(rows[23].hasPrefix("q quit"), "\(rows)")
        // A bigger terminal (SIGWINCH): the frame follows at once, help line on the new last row.
        try tmux.tmux(["resize-window", "-t", tmux.name, "-x", "100", "-y", "30"])
        rows = try Self.waitForScreen(tmux, "the frame to fill 100×30") { $0.count >= 30 && $0[29].hasPrefix("q quit") }
        #expect(rows.prefix(30).allSatisfy { $0.count <= 100 }, "\(rows)")
        try tmux.keys("q")
        try Self.expectRestored(tmux, before: before, after: after)
        #expect(try site.stop() == 0)
    }

    @Test func ctrlCAndSIGTERMQuitAndRestoreTheTerminalToo() throws {
        let site = try DaemonSite()
        try site.start()
        let (byKey, before, after) = try Self.session(site)
        _ = try Self.waitForScreen(byKey, "top's screen") { $0.contains { $0.contains("dock-scanner") } }
        try byKey.keys("C-c")
        try Self.expectRestored(byKey, before: before, after: after)

        try FileManager.default.removeItem(atPath: before); try FileManager.default.removeItem(atPath: after)
        let (bySignal, before2, after2) = try Self.session(site)
        _ = try Self.waitForScreen(bySignal, "top's screen") { $0.contains { $0.contains("dock-scanner") } }
        guard let pid = try bySignal.child() else { throw HarnessFailure(description: "no top process under the pane") }
        kill(pid, SIGTERM)
        try Self.expectRestored(bySignal, before: before2, after: after2)
        #expect(try site.stop() == 0)
    }

    @Test func aPipeGetsOnePlainSnapshotWithOperatorsAndItExits() throws {
        let site = try DaemonSite()
        try site.start()
        site.scanner.scan("OP:alice")
        site.scanner.scan("ASN-1001")
        try eventually("the receipt to open") { try site.scanned() == [0] }
        let out = try runCLI(["top", "--socket", site.socket])
        #expect(out.status == 0, "\(out.err)")
        #expect(!out.out.contains("\u{1B}"), "escape sequences in a snapshot: \(out.out)")
        let lines = out.out.split(separator: "\n")
        #expect(lines.first?.hasPrefix("scanledger top — box test") == true, "\(out.out)")
        #expect(lines.contains { $0.hasPrefix("dock-scanner") && $0.contains("up") }, "\(out.out)")
        #expect(lines.contains { $0.hasPrefix("dock-1") && $0.contains("alice") && $0.contains("ASN-1001") && $0.contains("0/10") }, "\(out.out)")
        #expect(out.out.contains("forwarding not configured"), "\(out.out)")
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(out.out)")

        let json = try runCLI(["top", "--once", "--json", "--socket", site.socket])
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        #expect(((object?["stations"] as? [[String: Any]])?.first?["operator"] as? String) == "alice", "\(json.out)")
        #expect((object?["status"] as? [String: Any])?["box_id"] as? String == "test")

        #expect(try site.stop() == 0)
        let down = try runCLI(["top", "--once", "--socket", site.socket])
        #expect(down.status == 1 && down.err.contains("cannot reach scanledgerd"), "\(down.err)")
    }
}
