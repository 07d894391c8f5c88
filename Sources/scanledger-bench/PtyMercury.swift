import CLinuxShims
import Devices
import Foundation
import ScanModel

/// `pty-mercury`: end to end through a pseudo-terminal. A simulated reader
/// writes 20,000 tag reads/s (200 records every 10 ms) into the pty master
/// for 3 s; a `DeviceRunner` on the slave path (termios transport, Mercury
/// driver, the daemon's code path) consumes them. Reports loss and the
/// process CPU time per wall second while streaming (writer included).
let ptyMercuryBenchmark = Benchmark(name: "pty-mercury") {
    let perTick = 200, tickMs = 10, seconds = 3
    let total = perTick * (1000 / tickMs) * seconds
    var master: Int32 = -1, slave: Int32 = -1
    var name = [CChar](repeating: 0, count: 128)
    guard CLinuxShims_openpty(&master, &slave, &name, name.count) == 0 else { return ["error": "openpty failed"] }
    defer { close(master); close(slave) }
    let path = String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)

    final class Count: @unchecked Sendable {
        let lock = NSLock(); var tags = 0; var problems = 0
    }
    let count = Count()
    var config = DeviceConfig(name: "bench", driver: "mercury", port: .path(path), serial: SerialSettings(baud: 921600))
    config.pollMilliseconds = 50
    guard let runner = try? DeviceRunner(config: config, logger: StandardErrorLogger(), handler: { _, batch in
        var t = 0, p = 0
        for e in batch.events { if case .tag = e { t += 1 } else if case .problem = e { p += 1 } }
        count.lock.lock(); count.tags += t; count.problems += p; count.lock.unlock()
    }) else { return ["error": "runner"] }
    runner.start()
    // Drain the init/start commands the runner sends, so the reader is live.
    var sink = [UInt8](repeating: 0, count: 4096)
    var waited = 0
    while !runner.isConnected && waited < 5000 { usleep(1000); waited += 1 }
    usleep(50_000)
    _ = read(master, &sink, sink.count)

    let records = (0..<perTick).map { MercuryBenchStream.record($0) }.flatMap { $0 }
    var usageStart = rusage(); getrusage(RUSAGE_SELF.rawValue, &usageStart)
    let start = DispatchTime.now().uptimeNanoseconds
    for tick in 0..<(total / perTick) {
        var off = 0
        while off < records.count {
            let n = records.withUnsafeBytes { write(master, $0.baseAddress! + off, records.count - off) }
            if n > 0 { off += n } else { usleep(100) }
        }
        let next = start + UInt64(tick + 1) * UInt64(tickMs) * 1_000_000
        let now = DispatchTime.now().uptimeNanoseconds
        if next > now { usleep(UInt32((next - now) / 1000)) }
    }
    // Wait (bounded) for the reader to catch up.
    for _ in 0..<3000 {
        count.lock.lock(); let done = count.tags >= total; count.lock.unlock()
        if done { break }
        usleep(1000)
    }
    let wallNs = DispatchTime.now().uptimeNanoseconds - start
    var usageEnd = rusage(); getrusage(RUSAGE_SELF.rawValue, &usageEnd)
    runner.stop()
    func secs(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    let cpu = (secs(usageEnd.ru_utime) - secs(usageStart.ru_utime)) + (secs(usageEnd.ru_stime) - secs(usageStart.ru_stime))
    count.lock.lock(); let got = count.tags; let problems = count.problems; count.lock.unlock()
    return [
        "reads_written": total,
        "reads_received": got,
        "lost": total - got,
        "problems": problems,
        "offered_reads_per_sec": perTick * 1000 / tickMs,
        "wall_seconds": (Double(wallNs) / 1e9 * 100).rounded() / 100,
        "cpu_percent_of_one_core": (cpu / (Double(wallNs) / 1e9) * 1000).rounded() / 10,
    ]
}
