import Devices
import Foundation
import ScanModel

/// `soak`: the real release `scanledgerd` kept busy for SOAK_SECONDS (default
/// 120) with everything that churns its state, while its RSS, open fds and
/// threads are sampled from /proc every second:
///
/// - a line scanner doing move cycles back to back (one scan, one beep);
/// - a Mercury reader on a pty streaming ~2,000 tag reads/s over a rotating
///   population (20 tags arrive and 20 depart per second: dedup state churns),
///   hung up every 15 s and brought back on a new pty behind the same path;
/// - an LLRP reader (the loopback emulator) reporting tags, killed and
///   restarted every 10 s (the daemon reconnects);
/// - control clients: status/devices/metrics several times a second, and
///   `watch` streams opened and dropped;
/// - SIGHUP every 10 s with the zone smoothing toggled (a new pipeline).
///
/// Baseline from the same run: the values at the end of the 15 s warm-up.
/// Growth of fds or threads is flagged in the JSON, not failed on: a leak
/// that follows reconnects shows as end > warm-up by about the reconnect count.
let soakBenchmark = Benchmark(name: "soak") {
    let seconds = Double(ProcessInfo.processInfo.environment["SOAK_SECONDS"] ?? "") ?? 120
    let warmUp = min(15, seconds / 4)
    // SOAK_OFF=scanner,mercury,llrp,control,watch,hup switches loads off, to find what grows.
    let off = Set((ProcessInfo.processInfo.environment["SOAK_OFF"] ?? "").split(separator: ",").map(String.init))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("soak-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }

    guard let emulator = try? LLRPReaderEmulator(),
          let mercury = SwappablePty(link: dir.appendingPathComponent("mercury-tty").path) else { return ["error": "cannot set up the readers"] }
    defer { emulator.stop() }
    let devices = [
        #"{"name": "portal-mercury", "driver": "mercury", "port": "\#(mercury.link)"}"#,
        #"{"name": "door-llrp", "driver": "llrp", "host": "\#(emulator.address)", "options": "preset=presence antennas=1 report=tags:1 keepalive=1000 reconnect-max=500"}"#,
    ]
    func zones(observedCount: Int) -> String {
        let smoothing = #"{"observed_count": \#(observedCount), "retention_ms": 5000}"#
        return #"[{"name": "portal", "readers": [{"device": "portal-mercury"}], "smoothing": \#(smoothing)}, {"name": "door", "readers": [{"device": "door-llrp"}], "smoothing": \#(smoothing)}]"#
    }
    guard let site = try? BenchSite(dir: dir, stations: 1, extraDevices: devices, zones: zones(observedCount: 1)) else { return ["error": "cannot set up the site in \(dir.path)"] }
    defer { site.stop() }
    guard site.start(), let pid = site.pid else { return ["error": "scanledgerd did not answer on its socket; log: \(site.logTail)"] }

    let tally = SoakTally()
    let start = Date()
    let end = start.addingTimeInterval(seconds)
    @Sendable func running() -> Bool { Date() < end }
    let group = DispatchGroup()
    func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        guard !off.contains(name) else { return }
        group.enter()
        let t = Thread { body(); group.leave() }
        t.name = name
        t.start()
    }

    spawn("scanner") {
        var move = 0
        while running() {
            for line in benchMoveScript(station: 0, move: move) {
                if site.scanners[0].scanAndWaitForBeep(line) == nil { tally.add(\.scansWithoutBeep) } else { tally.add(\.scans) }
            }
            move += 1
        }
    }
    spawn("mercury") { feedMercury(mercury, until: end, tally: tally) }
    spawn("llrp") { feedLLRP(emulator, until: end, tally: tally) }
    spawn("control") {
        let commands = ["status", "devices", "metrics"]
        var i = 0
        while running() {
            if site.request(commands[i % 3]) == nil { tally.add(\.controlFailures) } else { tally.add(\.controlRequests) }
            i += 1
            usleep(100_000)
        }
    }
    spawn("watch") {
        while running() {
            if watchBriefly(site, milliseconds: 700) { tally.add(\.watchStreams) } else { tally.add(\.controlFailures) }
            usleep(300_000)
        }
    }

    // The main thread samples /proc each second and sends SIGHUP every 10 s.
    var samples: [SoakSample] = []
    var walBytes: [(t: Double, bytes: Int)] = []   // the ledger's WAL file: disk that must not grow for ever
    var nextHUP = 10.0, hups = 0
    while running() {
        let t = Date().timeIntervalSince(start)
        if let s = SoakSample.read(pid: pid, at: t) { samples.append(s) }
        walBytes.append((t, fileSize(dir.appendingPathComponent("ledger.db-wal").path)))
        if t >= nextHUP, !off.contains("hup") {
            try? site.writeConfig(extraDevices: devices, zones: zones(observedCount: hups % 2 == 0 ? 2 : 1))
            kill(pid, SIGHUP)
            hups += 1; nextHUP += 10
        }
        usleep(1_000_000)
    }
    group.wait()
    usleep(1_000_000)   // let the last batches land before reading counters
    if let s = SoakSample.read(pid: pid, at: Date().timeIntervalSince(start)) { samples.append(s) }
    guard site.process?.isRunning == true else { return ["error": "scanledgerd died; log: \(site.logTail)"] }

    let warm = samples.filter { $0.t >= warmUp }
    let counts = tally.snapshot
    func metric(_ name: String, _ label: String? = nil) -> Int { Int(site.metricSum(name, labelled: label) ?? -1) }
    func window(_ from: Double, _ to: Double) -> [SoakSample] { samples.filter { $0.t >= from && $0.t < to } }
    // Min over a 10 s window ignores a client connected at that instant.
    let early = window(warmUp, warmUp + 10), late = window(seconds - 10, .infinity)
    func growth(_ value: (SoakSample) -> Int) -> Int {
        (late.map(value).min() ?? 0) - (early.map(value).min() ?? 0)
    }
    let fdGrowth = growth(\.fds), threadGrowth = growth(\.threads)
    let warmSample = warm.first ?? samples.first, endSample = samples.last
    func ratio(_ a: Int?, _ b: Int?) -> Double { guard let a, let b, b > 0 else { return 0 }; return (Double(a) / Double(b) * 1000).rounded() / 1000 }
    return [
        "duration_s": seconds, "warm_up_s": warmUp, "samples": samples.count,
        "daemon_scans": metric("scanledger_scans_total"), "daemon_postings": metric("scanledger_postings_total", "status=\"posted\""),
        "daemon_tag_reads": metric("scanledger_device_tag_reads_total"),
        "daemon_reconnects_llrp": metric("scanledger_device_reconnects_total", "device=\"door-llrp\""),
        "daemon_reconnects_mercury": metric("scanledger_device_reconnects_total", "device=\"portal-mercury\""),
        "scans_sent": counts.scans, "scans_without_beep": counts.scansWithoutBeep,
        "mercury_reads_written": counts.mercuryReads, "mercury_reads_dropped_while_down": counts.mercuryDropped, "mercury_hangups": counts.mercuryHangups,
        "llrp_reads_reported": counts.llrpReads, "llrp_restarts": counts.llrpRestarts,
        "control_requests": counts.controlRequests, "watch_streams": counts.watchStreams, "control_failures": counts.controlFailures, "sighups": hups,
        "rss_kib_warm": warmSample?.rssKiB ?? 0, "rss_kib_end": endSample?.rssKiB ?? 0, "rss_kib_max": samples.map(\.rssKiB).max() ?? 0,
        "fds_warm": warmSample?.fds ?? 0, "fds_end": endSample?.fds ?? 0, "fds_max": samples.map(\.fds).max() ?? 0,
        "threads_warm": warmSample?.threads ?? 0, "threads_end": endSample?.threads ?? 0, "threads_max": samples.map(\.threads).max() ?? 0,
        "rss_slope_kib_per_min": (rssSlopeKiBPerMinute(warm) * 10).rounded() / 10,
        "rss_anon_kib_warm": warmSample?.anonKiB ?? 0, "rss_anon_kib_end": endSample?.anonKiB ?? 0,
        "rss_anon_slope_kib_per_min": (rssSlopeKiBPerMinute(warm, \.anonKiB) * 10).rounded() / 10,
        // A cache filling up flattens out; a leak keeps its slope in the second half.
        "rss_slope_second_half_kib_per_min": (rssSlopeKiBPerMinute(Array(warm.suffix(warm.count / 2))) * 10).rounded() / 10,
        "rss_anon_slope_second_half_kib_per_min": (rssSlopeKiBPerMinute(Array(warm.suffix(warm.count / 2)), \.anonKiB) * 10).rounded() / 10,
        "loads_off": off.sorted().joined(separator: ","),
        "baseline": "the same daemon at the end of the warm-up",
        "ratio_rss_end_to_warm": ratio(endSample?.rssKiB, warmSample?.rssKiB),
        "ratio_fds_end_to_warm": ratio(endSample?.fds, warmSample?.fds),
        "ratio_threads_end_to_warm": ratio(endSample?.threads, warmSample?.threads),
        "fd_growth": fdGrowth, "thread_growth": threadGrowth,
        "flag_fd_growth": fdGrowth > 2, "flag_thread_growth": threadGrowth > 2,
        "wal_mib_warm": mebibytes(walBytes.first { $0.t >= warmUp }?.bytes), "wal_mib_end": mebibytes(walBytes.last?.bytes),
        "wal_mib_max": mebibytes(walBytes.map(\.bytes).max()),
        "ledger_db_mib_end": mebibytes(fileSize(dir.appendingPathComponent("ledger.db").path)),
        "daemon_cpu_s": (site.daemonCPUSeconds() * 10).rounded() / 10,
    ]
}

/// Counters the load threads bump.
private final class SoakTally: @unchecked Sendable {
    struct Counts {
        var scans = 0, scansWithoutBeep = 0, mercuryReads = 0, mercuryDropped = 0, mercuryHangups = 0
        var llrpReads = 0, llrpRestarts = 0, controlRequests = 0, watchStreams = 0, controlFailures = 0
    }
    private let lock = NSLock()
    private var counts = Counts()
    func add(_ key: WritableKeyPath<Counts, Int>, _ n: Int = 1) { lock.lock(); counts[keyPath: key] += n; lock.unlock() }
    var snapshot: Counts { lock.lock(); defer { lock.unlock() }; return counts }
}

/// One /proc sample of the daemon.
struct SoakSample {
    let t: Double, rssKiB: Int, anonKiB: Int, threads: Int, fds: Int

    static func read(pid: Int32, at t: Double) -> SoakSample? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return nil }
        func field(_ name: String) -> Int? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }?
                .split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
        }
        guard let rss = field("VmRSS"), let threads = field("Threads") else { return nil }
        return SoakSample(t: t, rssKiB: rss, anonKiB: field("RssAnon") ?? 0, threads: threads, fds: fds.count)
    }
}

private func fileSize(_ path: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
}

private func mebibytes(_ bytes: Int?) -> Double { (Double(bytes ?? 0) / 1_048_576 * 10).rounded() / 10 }

/// Least-squares slope of RSS (or another KiB field) over time, KiB per minute.
private func rssSlopeKiBPerMinute(_ samples: [SoakSample], _ kib: (SoakSample) -> Int = \.rssKiB) -> Double {
    guard samples.count >= 2 else { return 0 }
    let n = Double(samples.count)
    let mt = samples.map(\.t).reduce(0, +) / n, mr = samples.map { Double(kib($0)) }.reduce(0, +) / n
    let cov = samples.map { ($0.t - mt) * (Double(kib($0)) - mr) }.reduce(0, +)
    let varT = samples.map { ($0.t - mt) * ($0.t - mt) }.reduce(0, +)
    return varT == 0 ? 0 : cov / varT * 60
}

/// A pty behind a fixed symlink (the device path in the config): `swap`
/// hangs the current one up and points the link at a fresh one, as when a
/// USB serial reader is unplugged and plugged back in.
private final class SwappablePty: @unchecked Sendable {
    let link: String
    private let lock = NSLock()
    private var pty: BenchPty

    init?(link: String) {
        guard let p = BenchPty() else { return nil }
        self.link = link
        pty = p
        guard Self.point(link, at: p) else { return nil }
    }

    var master: Int32 { lock.lock(); defer { lock.unlock() }; return pty.master }

    func swap() {
        guard let fresh = BenchPty() else { return }
        lock.lock()
        let old = pty
        pty = fresh
        _ = Self.point(link, at: fresh)
        lock.unlock()
        old.hangUp()
    }

    /// Master non-blocking (reads stall nobody while the daemon is away), link replaced atomically.
    private static func point(_ link: String, at p: BenchPty) -> Bool {
        _ = fcntl(p.master, F_SETFL, fcntl(p.master, F_GETFL) | O_NONBLOCK)
        let temp = link + ".new"
        unlink(temp)
        return symlink(p.path, temp) == 0 && rename(temp, link) == 0
    }
}

/// 100 reads every 50 ms (2,000/s) over a window of 200 tags that moves on by
/// one tag per tick; the pty is hung up every 15 s.
private func feedMercury(_ pty: SwappablePty, until end: Date, tally: SoakTally) {
    let perTick = 100, population = 200
    var base = 0, k = 0, tick = 0
    var sink = [UInt8](repeating: 0, count: 4096)
    let start = DispatchTime.now().uptimeNanoseconds
    var nextSwap = 15.0
    while Date() < end {
        let master = pty.master
        while read(master, &sink, sink.count) > 0 {}   // the daemon's init commands, unanswered
        var bytes: [UInt8] = []
        for _ in 0..<perTick {
            bytes += MercuryBenchStream.record(base + k % population)
            k += 1
        }
        let n = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        // Partial records at a hang-up are what a real unplug leaves too.
        let written = n > 0 ? n * perTick / bytes.count : 0
        tally.add(\.mercuryReads, written)
        tally.add(\.mercuryDropped, perTick - written)
        base += 1; tick += 1
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if elapsed >= nextSwap { pty.swap(); tally.add(\.mercuryHangups); nextSwap += 15 }
        let next = start + UInt64(tick) * 50_000_000
        let now = DispatchTime.now().uptimeNanoseconds
        if next > now { usleep(UInt32((next - now) / 1000)) }
    }
}

/// 20 tags every 100 ms from a window of 50 moving on by 2 per report; the
/// reader is killed and restarted every 10 s.
private func feedLLRP(_ emulator: LLRPReaderEmulator, until end: Date, tally: SoakTally) {
    let prefix: [UInt8] = [0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x41]
    func epc(_ i: Int) -> EPC? {
        var bytes = prefix
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: i).bigEndian) { bytes += $0 }
        return EPC(bytes: bytes)
    }
    var base = 0, k = 0
    var nextRestart = Date().addingTimeInterval(10)
    while Date() < end {
        let tags = (0..<20).compactMap { _ -> EPC? in defer { k += 1 }; return epc(base + k % 50) }
        if emulator.report(tags) { tally.add(\.llrpReads, tags.count) }
        base += 2
        if Date() >= nextRestart {
            emulator.stop()
            usleep(200_000)
            try? emulator.start()
            tally.add(\.llrpRestarts)
            nextRestart = Date().addingTimeInterval(10)
        }
        usleep(100_000)
    }
}

/// Opens a `watch` stream, reads it for a while, drops it. False if no stream came.
private func watchBriefly(_ site: BenchSite, milliseconds: Int32) -> Bool {
    guard let fd = site.connectControl("{\"cmd\":\"watch\"}\n") else { return false }
    defer { close(fd) }
    var got = 0
    var buffer = [UInt8](repeating: 0, count: 16_384)
    let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(milliseconds) * 1_000_000
    while DispatchTime.now().uptimeNanoseconds < deadline {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 100) >= 0 else { break }
        if p.revents == 0 { continue }
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        got += n
    }
    return got > 0
}
