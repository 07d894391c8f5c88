/// Every benchmark, registered in one place; each lives in its own file.
struct Benchmark: Sendable {
    let name: String
    let run: @Sendable () -> [String: any Sendable]
}

let benchmarks: [Benchmark] = [
    ledgerPostBenchmark,
]
