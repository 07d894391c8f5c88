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
    if let busy = Int(env["DAEMON_BENCH_BUSY_STATIONS"] ?? ""), busy > 0 { return busyStationsBenchmark(stations: busy) }
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
        for line in benchMoveScript(station: 0, move: move) {
            guard let ms = site.scanners[0].scanAndWaitForBeep(line) else { return ["error": "no beep for \(line); log: \(site.logTail)"] }
            latencies.append(ms)
        }
    }
    latencies.sort()

    // Phase 2: every scanner flat out, each on its own thread.
    let cpuBefore = site.daemonCPUSeconds()
    let start = DispatchTime.now().uptimeNanoseconds
    DispatchQueue.concurrentPerform(iterations: stations) { s in
        let scripts = (0..<movesPerStation).flatMap { benchMoveScript(station: s, move: latencyMoves * (s == 0 ? 1 : 0) + $0) }
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
