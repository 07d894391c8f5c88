import Foundation
import Forwarding
import Ledger
import ScanModel

/// `forward`: catch-up of a 1,000,000-posting backlog (FORWARD_BENCH_POSTINGS)
/// to a local PostgreSQL: postings/s and total catch-up time. The backlog is
/// built through the ledger engine (postAndWait in bursts of 10,000,
/// synchronous=NORMAL; its time is reported, not counted). Baseline, same run,
/// same server: the same batches as plain multi-row INSERTs of (seq, key,
/// payload) into an unkeyed table — the transport floor without JSON
/// parsing, entries, idempotency or the local mark. Run it several times and
/// quote the median: the build machine is shared.
/// The server is a private one (initdb into a temp dir, as the tests do)
/// unless FORWARD_BENCH_CENTRAL gives a conninfo for an empty database.
let forwardBenchmark = Benchmark(name: "forward") {
    let env = ProcessInfo.processInfo.environment
    let total = Int(env["FORWARD_BENCH_POSTINGS"] ?? "") ?? 1_000_000
    let batch = Int(env["FORWARD_BENCH_BATCH"] ?? "") ?? 5_000
    let directory = NSTemporaryDirectory() + "forward-bench-\(getpid())"
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }

    var server: BenchPostgres?
    let conninfo: String
    if let given = env["FORWARD_BENCH_CENTRAL"] {
        conninfo = given
    } else {
        do { server = try BenchPostgres(directory: directory + "/pg") } catch { return ["error": "cannot start PostgreSQL: \(error)"] }
        conninfo = server?.conninfo ?? ""
    }
    defer { server?.stop() }
    guard let settings = try? CentralConnectionSettings(conninfo: conninfo),
          let central = try? CentralDatabase(settings), (try? central.initialize()) != nil else {
        return ["error": "cannot initialise the central schema (check FORWARD_BENCH_CENTRAL)"]
    }

    // The backlog.
    let ledgerPath = directory + "/ledger.db"
    guard let ledger = try? Ledger(path: ledgerPath, options: LedgerOptions(synchronous: .normal, maxBatch: 10_000)) else {
        return ["error": "cannot open \(ledgerPath)"]
    }
    defer { ledger.close() }
    let items = (0..<1_000).map { String(format: "SKU-%05d", $0) }
    let locations = (0..<100).map { String(format: "S-%03d", $0) }
    try? ledger.importItems(items.map { Item(sku: $0) })
    try? ledger.importLocations(locations.map { Location(code: $0) })
    let buildStart = DispatchTime.now().uptimeNanoseconds
    var built = 0
    while built < total {
        let n = min(10_000, total - built)
        let requests = (built..<(built + n)).map { i in
            PostingRequest(key: "bench-\(i)", kind: .receipt, ref: "ASN-\(i / 100)", station: "dock-1", eventTime: "2024-05-01T10:00:00Z",
                           lines: [PostingLine(item: ItemCode(items[i % items.count]), qty: Int64(1 + i % 9), from: VirtualLocation.supplier,
                                               to: LocationCode(locations[i % locations.count]))])
        }
        guard (try? ledger.postAndWait(requests)) != nil else { return ["error": "building the backlog failed at \(built)"] }
        built += n
    }
    let buildSeconds = Double(DispatchTime.now().uptimeNanoseconds - buildStart) / 1e9

    // Baseline: the transport floor, same batches, before the forwarder so the server is equally warm.
    let baselineRate = transportFloor(ledger: ledger, settings: settings, batch: batch, total: total)

    guard let config = try? ForwarderConfig(connection: settings, origin: "bench-box", batchSize: batch) else { return ["error": "bad config"] }
    let forwarder = Forwarder(config: config, ledger: ledger)
    let start = DispatchTime.now().uptimeNanoseconds
    let sent: Int64
    do { sent = try forwarder.forwardPending() } catch { return ["error": "forwarding failed: \(error)"] }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let status = forwarder.status
    let rate = Double(sent) / seconds
    return [
        "benchmark": "forward",
        "backlog_postings": total,
        "forwarded_postings": Int(sent),
        "batch_size": batch,
        "catch_up_seconds": (seconds * 100).rounded() / 100,
        "postings_per_sec": Int(rate),
        "target_postings_per_sec": 50_000,
        "ingest": "binary COPY of columns extracted on the box; next batch read while the current one commits",
        "central_schema_version": CentralDatabase.supportedSchemaVersion,
        "already_central_postings": Int(status.alreadyCentralPostings),
        "batch_latency_ms_mean": status.batches > 0 ? (status.batchSecondsSum / Double(status.batches) * 1e4).rounded() / 10 : 0,
        "batch_latency_ms_max": (status.batchSecondsMax * 1e4).rounded() / 10,
        "baseline": "plain multi-row INSERT of (seq,key,payload) per batch, same server",
        "baseline_postings_per_sec": Int(baselineRate),
        "ratio_to_baseline": baselineRate > 0 ? (rate / baselineRate * 100).rounded() / 100 : 0,
        "backlog_build_seconds": (buildSeconds * 10).rounded() / 10,
        "backlog_built_through": "ledger engine postAndWait, 10,000 per burst, synchronous=NORMAL",
    ]
}

/// Postings/s for the same batches as plain INSERTs (one transaction each), no processing.
private func transportFloor(ledger: Ledger, settings: CentralConnectionSettings, batch: Int, total: Int) -> Double {
    guard let db = try? CentralDatabase(settings) else { return 0 }
    guard (try? db.execute("CREATE TABLE IF NOT EXISTS floor(seq bigint, key text, payload text)")) != nil else { return 0 }
    var after = LedgerSequence(0), sent = 0
    var nanos: UInt64 = 0
    while sent < total {
        // Timed like the forwarder: reading the outbox included.
        let start = DispatchTime.now().uptimeNanoseconds
        guard let records = try? ledger.pendingOutbox(after: after, limit: batch), let last = records.last else { break }
        let ok = (try? db.execute("BEGIN")) != nil
            && (try? db.execute("INSERT INTO floor SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])",
                            [PGArray.integers(records.map(\.seq.value)), PGArray.texts(records.map(\.key)), PGArray.texts(records.map(\.payload))])) != nil
            && (try? db.execute("COMMIT")) != nil
        nanos += DispatchTime.now().uptimeNanoseconds - start
        guard ok else { return 0 }
        sent += records.count
        after = last.seq
    }
    _ = try? db.execute("DROP TABLE floor")
    return Double(sent) / (Double(nanos) / 1e9)
}

/// A private PostgreSQL 15 for the benchmark (as the tests start theirs):
/// initdb into `directory`, socket only, default durability settings.
private final class BenchPostgres {
    static let binaries = "/usr/lib/postgresql/15/bin"
    let directory: String
    let port = 45_000 + Int(getpid() % 10_000)
    var conninfo: String { "host=\(directory)/socket port=\(port) user=postgres dbname=postgres" }

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/socket", withIntermediateDirectories: true)
        if getuid() == 0 { try Self.run("/bin/chown", ["-R", "postgres:postgres", directory]) }
        try Self.runTool("initdb", ["-D", directory + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
        try Self.runTool("pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60",
                                    "-o", "-k \(directory)/socket -p \(port) -c listen_addresses='' -c max_wal_size=4GB", "start"])
    }

    func stop() {
        try? Self.runTool("pg_ctl", ["-D", directory + "/data", "-w", "-m", "fast", "stop"])
    }

    private static func runTool(_ tool: String, _ arguments: [String]) throws {
        if getuid() == 0 { try run("/usr/sbin/runuser", ["-u", "postgres", "--", binaries + "/" + tool] + arguments) }
        else { try run(binaries + "/" + tool, arguments) }
    }

    /// posix_spawn + waitpid (Foundation's Process did not notice pg_ctl's runuser exiting).
    private static func run(_ executable: String, _ arguments: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (["/bin/sh", "-c", "cd / && exec \"$0\" \"$@\"", executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ) == 0 else { throw BenchError("cannot start \(executable)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else { throw BenchError("\(executable) \(arguments.joined(separator: " ")) failed (status \(status))") }
    }
}

private struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
