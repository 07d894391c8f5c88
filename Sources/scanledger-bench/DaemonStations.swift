import Foundation
import ScanModel

/// `daemon --stations N`: issue 14's latency target, scan → feedback bytes
/// on the wire with N busy stations. Each of N pty scanners has its own move
/// station and scans back to back, waiting for each scan's answer before
/// the next (an operator who never pauses), all N at once. The scanners'
/// feedback is one byte per outcome (G, W, E, D), so every answer is
/// exactly one byte and its outcome is checked. Baseline from the same run:
/// the first scanner alone, before the others start.
///
/// A CONFIRM posts the move (a commit at synchronous=FULL) before its answer
/// is sent, so its latency includes the fsync; the other ten scans of a move
/// touch only the station. Both are reported, so a missed target says which.
func busyStationsBenchmark(stations: Int) -> [String: any Sendable] {
    let env = ProcessInfo.processInfo.environment
    let moves = Int(env["DAEMON_BENCH_MOVES"] ?? "") ?? 30
    let baselineMoves = 20
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("daemon-busy-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let oneByte = BenchSite.oneBytePerOutcome
    guard let site = try? BenchSite(dir: dir, stations: stations, scannerFeedback: oneByte) else {
        return ["error": "cannot set up the site in \(dir.path)"]
    }
    defer { site.stop() }
    guard site.start() else { return ["error": "scanledgerd did not answer on its socket; log: \(site.logTail)"] }

    /// One scanner's moves, one scan at a time.
    @Sendable func run(_ s: Int, moves range: Range<Int>) -> [BusySample]? {
        var out: [BusySample] = []
        for move in range {
            for line in benchMoveScript(station: s, move: move) {
                guard let (ms, byte) = site.scanners[s].scanAndWaitForFeedbackByte(line) else { return nil }
                let confirm = line == "CMD:CONFIRM"
                out.append(BusySample(ms: ms, confirm: confirm, ok: byte == UInt8(ascii: confirm ? "D" : "G")))
            }
        }
        return out
    }

    guard let single = run(0, moves: 0..<baselineMoves) else { return ["error": "no answer on the baseline scanner; log: \(site.logTail)"] }
    let results = Locked([[BusySample]?](repeating: nil, count: stations))
    let start = DispatchTime.now().uptimeNanoseconds
    DispatchQueue.concurrentPerform(iterations: stations) { s in
        let first = s == 0 ? baselineMoves : 0   // station 0's stock moved on during the baseline
        let r = run(s, moves: first..<(first + moves))
        results.withLock { $0[s] = r }
    }
    let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let busy = results.withLock { $0 }
    guard busy.allSatisfy({ $0 != nil }) else { return ["error": "a scanner got no answer; log: \(site.logTail)"] }
    let all = busy.compactMap { $0 }.flatMap { $0 }

    return [
        "stations": stations, "scans": all.count, "scans_per_s": (Double(all.count) / wall).rounded(),
        "busy_ms": percentiles(all.map(\.ms)),
        "busy_ms_without_confirm": percentiles(all.filter { !$0.confirm }.map(\.ms)),
        "busy_ms_confirm_only": percentiles(all.filter(\.confirm).map(\.ms)),
        "baseline": "the first station alone, same daemon, same run",
        "single_ms": percentiles(single.map(\.ms)),
        "single_ms_without_confirm": percentiles(single.filter { !$0.confirm }.map(\.ms)),
        "single_ms_confirm_only": percentiles(single.filter(\.confirm).map(\.ms)),
        "unexpected_answers": (all + single).filter { !$0.ok }.count,
        "target": "p99 <= 5 ms with 8 busy stations",
    ]
}

/// One scan's answer: latency, whether it was the posting CONFIRM, and
/// whether the byte was the outcome a move expects (G, or D for CONFIRM).
struct BusySample: Sendable {
    var ms: Double
    var confirm: Bool
    var ok: Bool
}
