import Foundation

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

/// Keeps a value alive so the optimiser cannot delete the work producing it.
@inline(never)
func blackHole<T>(_ value: T) { _ = value }
