/// Every benchmark, registered in one place; each lives in its own file.
struct Benchmark: Sendable {
    let name: String
    let run: @Sendable () -> [String: any Sendable]
}

let benchmarks: [Benchmark] = [
    Benchmark(name: "decode-epc", run: decodeEPCBenchmark),
    decodeGS1Benchmark,
    parseLLRPBenchmark,
    stationFeedbackBenchmark,
    parseMercuryBenchmark,
    parseSSIBenchmark,
    ptyMercuryBenchmark,
    Benchmark(name: "dedup", run: dedupBenchmark),
    ledgerPostBenchmark,
    forwardBenchmark,
    daemonBenchmark,
    soakBenchmark,
    Benchmark(name: "flood", run: floodBenchmark),
    Benchmark(name: "flood-llrp", run: floodLLRPBenchmark),
    kpiBenchmark,
]

/// Runs too long for `all`: named alone (Tests/KillCampaign/run.sh).
let longRuns: [Benchmark] = [
    Benchmark(name: "kill-campaign", run: killCampaign),
]
