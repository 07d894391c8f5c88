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
    let seconds = Double(ProcessInfo.processInfo.environment["FLOOD_SECONDS"] ?? "") ?? 10
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flood-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    guard let site = try? BenchSite(dir: dir, stations: 2) else { return ["error": "cannot set up the site in \(dir.path)"] }
    defer { site.stop() }
    guard site.start() else { return ["error": "scanledgerd did not answer on its socket; log: \(site.logTail)"] }
    let (operatorScanner, flooder) = (site.scanners[0], site.scanners[1])

    /// Moves, one scan at a time, while `go` holds.
    func moves(_ range: Range<Int>, while go: () -> Bool = { true }) -> [Double]? {
        var out: [Double] = []
        for move in range {
            guard go() else { break }
            for line in benchMoveScript(station: 0, move: move) {
                guard let (ms, _) = operatorScanner.scanAndWaitForFeedbackByte(line) else { return nil }
                out.append(ms)
            }
        }
        return out
    }
    guard let baseline = moves(0..<10) else { return ["error": "no answer before the flood; log: \(site.logTail)"] }
    let rssBefore = site.pid.flatMap { SoakSample.read(pid: $0, at: 0)?.rssKiB } ?? -1

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
    Thread.detachNewThread {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end { flooder.send("]E04006381333931"); sent.withLock { $0 += 1 } }
        stop.withLock { $0 = true }
    }
    let during = moves(10..<10_000_000, while: { !stop.withLock { $0 } })
    while !stop.withLock({ $0 }) { usleep(10_000) }
    let rssDuring = site.pid.flatMap { SoakSample.read(pid: $0, at: 0)?.rssKiB } ?? -1
    readerDone.wait()
    let dropped = site.metricSum("scanledger_station_inputs_dropped_total") ?? 0
    let (duringMs, beforeMs) = (percentiles(during ?? []), percentiles(baseline))
    return [
        "flood_seconds": seconds, "flood_lines_sent": sent.withLock { $0 }, "flood_answers_seen": answers.withLock { $0 },
        "flood_dropped": Int(dropped), "operator_scans_during_flood": during?.count ?? 0,
        "operator_ms_during_flood": duringMs, "baseline_operator_ms_before_flood": beforeMs,
        "ratio_p99_during_to_before": (duringMs["p99"] ?? 0) / max(beforeMs["p99"] ?? 0, 1e-9),
        "daemon_rss_kib_before": rssBefore, "daemon_rss_kib_end_of_flood": rssDuring,
    ]
}
