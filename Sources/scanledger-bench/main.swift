import Foundation
import ScanModel

// scanledger-bench NAME…: each benchmark prints one JSON line. Build with
// `-c release`; numbers are medians over repeated runs in one process, and
// every target is quoted beside a baseline measured in the same run.

let benchCommand = CommandSpec(
    "scanledger-bench", summary: "Runs benchmarks; each prints one JSON line. Build with -c release.",
    positionals: [PositionalSpec("BENCHMARK", .zeroOrMore, "benchmarks to run, in order, or all", choices: ["all"] + (benchmarks + longRuns).map(\.name))],
    options: [.flag("--list", "print the benchmarks' names and exit"),
              .value("--stations", "N", "daemon: N busy stations, each scan's feedback latency (sets DAEMON_BENCH_BUSY_STATIONS)")],
    // The knobs are read by each benchmark's own file; listed here so --help shows them.
    notes: """
    Sizes come from the environment: DAEMON_BENCH_STATIONS, DAEMON_BENCH_MOVES (daemon),
    FORWARD_BENCH_POSTINGS, FORWARD_BENCH_BATCH, FORWARD_BENCH_CENTRAL (forward),
    LEDGER_BENCH_ENTRIES (ledger-post), DEDUP_QUICK (dedup), SOAK_SECONDS, SOAK_OFF (soak),
    KILL_CAMPAIGN_KILLS (kill-campaign, not part of all), RETURNS_BENCH_ORDERS (station-feedback),
    KPI_BENCH_ENTRIES, KPI_BENCH_RUNS, KPI_BENCH_KEEP (kpi), FLOOD_SECONDS (flood, flood-llrp),
    FLOOD_LLRP_RATE, FLOOD_LLRP_TAGS_PER_REPORT, FLOOD_LLRP_POOL (flood-llrp).
    With no BENCHMARK it prints the list and exits 2.
    """) { args in
    let requested = args.positionals("BENCHMARK")
    // Benchmarks read their sizes from the environment; the option is a spelling of one.
    if let n = try args.int("--stations", in: 1...64) { setenv("DAEMON_BENCH_BUSY_STATIONS", String(n), 1) }
    if args.flag("--list") || requested.isEmpty {
        guard requested.isEmpty else { throw args.usageError("--list takes no BENCHMARK") }
        for b in benchmarks + longRuns { print(b.name) }
        // Without a name there is nothing to run: the list, as a usage error.
        return args.flag("--list") ? ExitStatus.ok : ExitStatus.usage
    }
    for name in requested == ["all"] ? benchmarks.map(\.name) : requested {
        guard let bench = (benchmarks + longRuns).first(where: { $0.name == name }) else { throw args.usageError("'all' runs every benchmark; give it alone") }
        var result: [String: Any] = bench.run()
        result["benchmark"] = name
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
    return ExitStatus.ok
}

exit(CommandLineTool.run(benchCommand, arguments: Array(CommandLine.arguments.dropFirst())))
