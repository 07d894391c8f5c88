import Foundation
import Devices
import ScanModel

/// Runs `body` `runs` times and returns the median of the per-run rates
/// (`work` units per second). One warm-up run first.
func medianRate(runs: Int = 7, work: Int, _ body: () -> Void) -> Double {
    body()
    var rates: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        let ns = Double(DispatchTime.now().uptimeNanoseconds - start)
        rates.append(Double(work) / (ns / 1e9))
    }
    rates.sort()
    return rates[rates.count / 2]
}

/// CPU seconds this thread has used. On a shared, loaded machine the wall
/// clock measures the neighbours too; thread CPU time measures only us.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Like `medianRate`, but divides by the thread's CPU time.
func medianCPURate(runs: Int = 7, work: Int, _ body: () -> Void) -> Double {
    body()
    var rates: [Double] = []
    for _ in 0..<runs {
        let start = threadCPUSeconds()
        body()
        rates.append(Double(work) / max(threadCPUSeconds() - start, 1e-9))
    }
    rates.sort()
    return rates[rates.count / 2]
}

/// Keeps a value alive so the optimiser cannot delete the work producing it.
@inline(never)
func blackHole<T>(_ value: T) { _ = value }

/// Feeds `bytes` to `driver` in reads of `chunk` bytes, as from a serial
/// port, dropping each batch (the consumer's work is the pipeline's
/// benchmark). The driver benchmarks' timed loop.
func feedInReads(_ driver: any DeviceDriver, _ bytes: [UInt8], chunk: Int) {
    var batch = EventBatch(capacity: 1024)
    bytes.withUnsafeBytes { all in
        var i = 0
        while i < all.count {
            let n = min(chunk, all.count - i)
            driver.feed(UnsafeRawBufferPointer(rebasing: all[i..<(i + n)]), time: Microseconds(Int64(i)), into: &batch)
            batch.removeAll()
            i += n
        }
    }
}

/// Latency samples (ms) as p50, p90, p99 and max, nearest rank; zeros when empty.
func percentiles(_ samples: [Double]) -> [String: Double] {
    let s = samples.sorted()
    func p(_ q: Double) -> Double { s.isEmpty ? 0 : s[min(s.count - 1, Int(Double(s.count) * q))] }
    return ["p50": p(0.50), "p90": p(0.90), "p99": p(0.99), "max": s.last ?? 0]
}
