import Foundation
import ScanModel

/// `flood` (issue 18): one pty scanner sends lines as fast as the pty takes
/// them for FLOOD_SECONDS (default 10) into its move station, while a second
/// scanner does ordinary moves on its own station, one scan at a time. The
/// second scanner's feedback latency is measured during the flood and, as
/// the baseline from the same run and daemon, before it; the daemon's
/// resident memory before and after, and the flood's inputs that were
/// dropped (answered at once with the error signal) are reported.
func floodBenchmark() -> [String: any Sendable] {
    let seconds = floodSeconds
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flood-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    guard let site = try? BenchSite(dir: dir, stations: 2) else { return ["error": "cannot set up the site in \(dir.path)"] }
    defer { site.stop() }
    guard site.start() else { return ["error": "scanledgerd did not answer on its socket; log: \(site.logTail)"] }
    let flooder = site.scanners[1]

    // The flood: items with no move open, each refused (and journaled) or dropped.
    let stop = Locked(false), answers = Locked(0), sent = Locked(0)
    let readerDone = DispatchSemaphore(value: 0)
    // Reads the flood's answers (unread, they would fill the pty and block
    // the daemon's feedback writes); after the flood, until 2 s pass quiet.
    Thread.detachNewThread {
        while true {
            let stopped = stop.withLock { $0 }
            if flooder.nextByte(within: stopped ? 2_000 : 200) != nil { answers.withLock { $0 += 1 } } else if stopped { break }
        }
        readerDone.signal()
    }
    let run = OperatorUnderFlood(site: site, scanner: site.scanners[0]).run {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end { flooder.send("]E04006381333931"); sent.withLock { $0 += 1 } }
        stop.withLock { $0 = true }
    }
    guard var result = run else { return ["error": "no answer from the operator's station; log: \(site.logTail)"] }
    readerDone.wait()
    let dropped = site.metricSum("scanledger_station_inputs_dropped_total") ?? 0
    result["flood_seconds"] = seconds
    result["flood_lines_sent"] = sent.withLock { $0 }
    result["flood_answers_seen"] = answers.withLock { $0 }
    result["flood_dropped"] = Int(dropped)
    return result
}

/// FLOOD_SECONDS, default 10.
var floodSeconds: Double { Double(ProcessInfo.processInfo.environment["FLOOD_SECONDS"] ?? "") ?? 10 }

/// What the floods share: an operator doing moves on station 0 of `site`
/// one scan at a time, first alone (the baseline), then while `flood` runs
/// on its own thread; the daemon's resident memory is sampled from /proc
/// every 100 ms from before the flood until it returns.
struct OperatorUnderFlood {
    let site: BenchSite
    let scanner: BenchScanner

    /// Moves, one scan at a time, while `go` holds; nil when a scan got no answer.
    func moves(_ range: Range<Int>, while go: () -> Bool = { true }) -> [Double]? {
        var out: [Double] = []
        for move in range {
            guard go() else { break }
            for line in benchMoveScript(station: 0, move: move) {
                guard let (ms, _) = scanner.scanAndWaitForFeedbackByte(line) else { return nil }
                out.append(ms)
            }
        }
        return out
    }

    func rssKiB() -> Int { site.pid.flatMap { SoakSample.read(pid: $0, at: 0)?.rssKiB } ?? -1 }

    /// Baseline, then the operator's moves during `flood`; nil when the
    /// baseline got no answer. Keys: the operator's percentiles before and
    /// during, their p99 ratio, the daemon's RSS before, at most and at the
    /// end of the flood.
    func run(flood: @escaping @Sendable () -> Void) -> [String: any Sendable]? {
        guard let baseline = moves(0..<10) else { return nil }
        let rssBefore = rssKiB()
        let cpuBefore = site.threadCPUSeconds()
        let stop = Locked(false), rssMax = Locked(rssBefore)
        let sampler = DispatchSemaphore(value: 0)
        Thread.detachNewThread { [self] in
            while !stop.withLock({ $0 }) {
                let now = rssKiB()
                rssMax.withLock { $0 = max($0, now) }
                usleep(100_000)
            }
            sampler.signal()
        }
        Thread.detachNewThread { flood(); stop.withLock { $0 = true } }
        let during = moves(10..<10_000_000, while: { !stop.withLock { $0 } })
        while !stop.withLock({ $0 }) { usleep(10_000) }
        sampler.wait()
        let rssEnd = rssKiB()
        // Whether one thread (the router's) was the bottleneck: its CPU
        // seconds near the flood's length mean it never waited.
        let cpu = site.threadCPUSeconds().map { $0.value - (cpuBefore[$0.key] ?? 0) }.sorted(by: >)
        let (duringMs, beforeMs) = (percentiles(during ?? []), percentiles(baseline))
        return [
            "operator_scans_during_flood": during?.count ?? 0, "operator_lost_an_answer": during == nil,
            "operator_ms_during_flood": duringMs, "baseline_operator_ms_before_flood": beforeMs,
            "ratio_p99_during_to_before": (duringMs["p99"] ?? 0) / max(beforeMs["p99"] ?? 0, 1e-9),
            "daemon_rss_kib_before": rssBefore, "daemon_rss_kib_max": max(rssMax.withLock { $0 }, rssEnd),
            "daemon_rss_kib_end_of_flood": rssEnd,
            "daemon_cpu_seconds": (cpu.reduce(0, +) * 100).rounded() / 100,
            "daemon_busiest_threads_cpu_seconds": cpu.prefix(3).map { ($0 * 100).rounded() / 100 },
        ]
    }
}
