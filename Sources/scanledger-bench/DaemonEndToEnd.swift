import CLinuxShims
import CSQLite
import Foundation
import Ledger
import ScanModel

/// `daemon`: the real release `scanledgerd` end to end. Line-mode scanners on
/// pseudo-terminals feed move stations (source, 8 items, destination, confirm:
/// 11 scans and one posting per move); every scan is decoded, handled by its
/// station, journaled in SQLite at synchronous=FULL and answered with a beep
/// (BEL) on the scanner's line, which is what the benchmark waits for.
///
/// Two phases: feedback latency (one scanner, one scan at a time: scan line
/// written → beep read, the operator's wait) and throughput (several
/// scanners writing flat out). Baseline from the same run and disk: single-row
/// SQLite commits at FULL, the ceiling for one station that journals each scan.
let daemonBenchmark = Benchmark(name: "daemon") {
    let env = ProcessInfo.processInfo.environment
    let stations = Int(env["DAEMON_BENCH_STATIONS"] ?? "") ?? 4
    let movesPerStation = Int(env["DAEMON_BENCH_MOVES"] ?? "") ?? 60
    let latencyMoves = 40
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("daemon-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }

    let baselineCommitsPerSecond = rawCommitRate(path: dir.appendingPathComponent("raw.db").path, commits: 300)
    guard let site = try? BenchSite(dir: dir, stations: stations) else { return ["error": "cannot set up the site in \(dir.path)"] }
    defer { site.stop() }
    guard site.start() else { return ["error": "scanledgerd did not answer on its socket; log: \(site.logTail)"] }

    // Phase 1: feedback latency, one scan at a time on the first scanner.
    var latencies: [Double] = []
    for move in 0..<latencyMoves {
        for line in moveScript(station: 0, move: move) {
            guard let ms = site.scanners[0].scanAndWaitForBeep(line) else { return ["error": "no beep for \(line); log: \(site.logTail)"] }
            latencies.append(ms)
        }
    }
    latencies.sort()

    // Phase 2: every scanner flat out, each on its own thread.
    let cpuBefore = site.daemonCPUSeconds()
    let start = DispatchTime.now().uptimeNanoseconds
    DispatchQueue.concurrentPerform(iterations: stations) { s in
        let scripts = (0..<movesPerStation).flatMap { moveScript(station: s, move: latencyMoves * (s == 0 ? 1 : 0) + $0) }
        site.scanners[s].scanFlatOut(scripts)
    }
    let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let cpu = site.daemonCPUSeconds() - cpuBefore
    let scans = stations * movesPerStation * 11
    let counts = site.stationInputs()
    let expectedMoves = stations * movesPerStation + latencyMoves
    let posted = site.waitForPostings(expectedMoves)

    func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
    let scansPerSecond = Double(scans) / wall
    return [
        "stations": stations, "scans": scans, "moves": expectedMoves,
        "postings_committed": posted, "refused_inputs": counts.refused, "accepted_inputs": counts.accepted,
        "feedback_ms_p50": percentile(0.50), "feedback_ms_p99": percentile(0.99), "feedback_ms_max": latencies.last ?? 0,
        "scans_per_s": scansPerSecond.rounded(), "postings_per_s": (Double(stations * movesPerStation) / wall).rounded(),
        "daemon_cpu_s_per_1000_scans": cpu / Double(scans) * 1000,
        "baseline": "single-row SQLite commits at synchronous=FULL, same disk",
        "baseline_commits_per_s": baselineCommitsPerSecond.rounded(),
        "ratio_scans_to_baseline_commits": scansPerSecond / max(baselineCommitsPerSecond, 1),
    ]
}

/// One move of 11 scans; even moves go A → B, odd ones B → A, so stock never runs out.
private func moveScript(station: Int, move: Int) -> [String] {
    let (from, to) = move % 2 == 0 ? ("S\(station)-A", "S\(station)-B") : ("S\(station)-B", "S\(station)-A")
    return ["LOC:\(from)"] + Array(repeating: "]E04006381333931", count: 8) + ["LOC:\(to)", "CMD:CONFIRM"]
}

/// Sequential one-row transactions at FULL: what one fsync-bound writer gets.
private func rawCommitRate(path: String, commits: Int) -> Double {
    var db: OpaquePointer?
    guard sqlite3_open(path, &db) == SQLITE_OK else { return 0 }
    defer { sqlite3_close(db) }
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)", nil, nil, nil)
    let start = DispatchTime.now().uptimeNanoseconds
    for i in 0..<commits { sqlite3_exec(db, "INSERT INTO t VALUES(\(i), 'journal entry')", nil, nil, nil) }
    return Double(commits) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// A pty standing in for a line-mode scanner: scan lines go in at the master,
/// the daemon's feedback beeps come back out of it.
private final class BenchScanner: @unchecked Sendable {
    let master: Int32, slave: Int32, path: String
    init?() {
        var m: Int32 = -1, s: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard CLinuxShims_openpty(&m, &s, &name, name.count) == 0 else { return nil }
        master = m; slave = s
        path = String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    deinit { close(master); close(slave) }

    private func write(_ line: String) {
        let bytes = Array(line.utf8) + [0x0D]
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
            if n <= 0 { if errno == EINTR || errno == EAGAIN { continue }; return }
            done += n
        }
    }

    /// Reads beeps until `count` arrived or 10 s pass without one; returns how many arrived.
    private func readBeeps(_ count: Int) -> Int {
        var got = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while got < count {
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 10_000) > 0 else { return got }
            let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if n > 0 { got += buffer[0..<n].reduce(0) { $0 + ($1 == 0x07 ? 1 : 0) } }
        }
        return got
    }

    /// Milliseconds from writing the line to reading its beep, nil if none came.
    func scanAndWaitForBeep(_ line: String) -> Double? {
        let start = DispatchTime.now().uptimeNanoseconds
        write(line)
        guard readBeeps(1) == 1 else { return nil }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    /// Writes every line as fast as the pty takes them while a second thread
    /// counts beeps (unread beeps would fill the pty and stall the daemon).
    func scanFlatOut(_ lines: [String]) {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread { [self] in _ = readBeeps(lines.count); done.signal() }
        for line in lines { write(line) }
        done.wait()
    }
}

/// A temporary site: ledger with one item and two stocked locations per
/// station, a config, the scanners, and the release scanledgerd next to us.
private final class BenchSite: @unchecked Sendable {
    let dir: URL
    let scanners: [BenchScanner]
    var process: Process?
    var socketPath: String { dir.appendingPathComponent("control.sock").path }
    var logPath: String { dir.appendingPathComponent("daemon.log").path }

    init(dir: URL, stations: Int) throws {
        self.dir = dir
        scanners = (0..<stations).compactMap { _ in BenchScanner() }
        guard scanners.count == stations, let gtin = GTIN("04006381333931") else { throw CocoaError(.fileWriteUnknown) }
        let ledger = try Ledger(path: dir.appendingPathComponent("ledger.db").path)
        defer { ledger.close() }
        try ledger.importItems([Item(gtin: gtin)])
        try ledger.importLocations((0..<stations).flatMap { [Location(code: "S\($0)-A"), Location(code: "S\($0)-B")] })
        _ = try ledger.postAndWait((0..<stations).map {
            PostingRequest(key: "seed-\($0)", kind: .receipt, lines: [PostingLine(item: "4006381333931", qty: 1_000_000, from: VirtualLocation.supplier, to: "S\($0)-A")])
        })
        let devices = scanners.enumerated().map { #"{"name": "scanner-\#($0.offset)", "driver": "line", "port": "\#($0.element.path)", "serial": "115200 8N1"}"# }
        let stationList = (0..<stations).map { #"{"name": "move-\#($0)", "type": "move", "devices": ["scanner-\#($0)"]}"# }
        let config = """
        {"site": {"box_id": "bench"}, "log_level": "warning",
         "ledger": {"path": "\(dir.appendingPathComponent("ledger.db").path)", "synchronous": "full"},
         "control": {"socket": "\(socketPath)", "mode": "0600"},
         "patterns": {"location": ["LOC:*"], "command": ["CMD:*"]},
         "devices": [\(devices.joined(separator: ", "))],
         "stations": [\(stationList.joined(separator: ", "))]}
        """
        try config.write(to: dir.appendingPathComponent("scanledger.json"), atomically: true, encoding: .utf8)
    }

    /// Starts the daemon and waits (up to 60 s) until its socket answers.
    func start() -> Bool {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let p = Process()
        p.executableURL = exe.deletingLastPathComponent().appendingPathComponent("scanledgerd")
        p.arguments = ["--config", dir.appendingPathComponent("scanledger.json").path]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NOTIFY_SOCKET"); environment.removeValue(forKey: "WATCHDOG_USEC")
        p.environment = environment
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        p.standardError = FileHandle(forWritingAtPath: logPath)
        do { try p.run() } catch { return false }
        process = p
        for _ in 0..<600 {
            if request("status") != nil { return true }
            usleep(100_000)
        }
        return false
    }

    func stop() {
        guard let p = process, p.isRunning else { return }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
    }

    var logTail: String { String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(800)) }

    /// The daemon's user+system CPU seconds, from /proc.
    func daemonCPUSeconds() -> Double {
        guard let pid = process?.processIdentifier,
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // Fields after the command name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func stationInputs() -> (accepted: Int, refused: Int) {
        let text = metric("scanledger_station_inputs_total")
        func value(_ outcome: String) -> Int {
            Int(text.first { $0.contains("outcome=\"\(outcome)\"") }?.split(separator: " ").last.flatMap { Double($0) } ?? -1)
        }
        return (value("accepted"), value("refused"))
    }

    /// Waits until the ledger gateway counted `expected` postings (the last
    /// confirm's beep may come before its commit), up to 30 s.
    func waitForPostings(_ expected: Int) -> Int {
        var posted = 0
        for _ in 0..<300 {
            let line = metric("scanledger_postings_total").first { $0.contains("status=\"posted\"") }
            posted = Int(line?.split(separator: " ").last.flatMap { Double($0) } ?? 0)
            if posted >= expected { break }
            usleep(100_000)
        }
        return posted
    }

    private func metric(_ name: String) -> [Substring] {
        guard let text = request("metrics")?["text"] as? String else { return [] }
        return text.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
    }

    /// One control-socket request, one JSON answer line.
    func request(_ command: String) -> [String: Any]? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var storage = [UInt8](repeating: 0, count: CLinuxShims_sockaddr_un_size())
        let length = storage.withUnsafeMutableBytes { CLinuxShims_sockaddr_un($0.baseAddress!, socketPath) }
        let connected = storage.withUnsafeBytes { connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(length)) }
        guard connected == 0 else { return nil }
        let line = Array("{\"cmd\":\"\(command)\"}\n".utf8)
        guard line.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == line.count else { return nil }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !answer.contains(0x0A) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        let body = answer.prefix { $0 != 0x0A }
        return (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}
