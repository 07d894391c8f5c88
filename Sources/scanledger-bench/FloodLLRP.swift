import Devices
import Foundation
import ScanModel

/// `flood-llrp` (issue 18): a loopback LLRP reader (`LLRPReaderEmulator`)
/// sends RO_ACCESS_REPORTs of FLOOD_LLRP_TAGS_PER_REPORT (default 500)
/// TagReportData each at FLOOD_LLRP_RATE tag reports/s (default 100,000)
/// for FLOOD_SECONDS (default 10) into a presence zone routed to an RFID
/// count station, while a pty scanner does moves on its own station
/// (`OperatorUnderFlood`: p50/p99 during the flood against a baseline
/// before it, same run and daemon; RSS start/max/end from /proc).
///
/// Two cases, each with a fresh daemon: `rotating` cycles through a pool of
/// FLOOD_LLRP_POOL EPCs (default 20,000) so the zone's smoothing keeps them
/// present (arrivals once, then updates); `all_new` never repeats an EPC,
/// so every read is a new tag: the zone's tag table fills to `max_tags` and
/// every tracked tag is an arrival for the count station. A `watch` client
/// that never reads is attached, so the event stream's drops show too.
///
/// Accounting: every tag the emulator sent must be decoded by the daemon
/// (device counter), every decoded read reach the zone (or be counted
/// unzoned), and every read into the zone be tracked or refused at the tag
/// limit; arrivals go to the station, which accepts, refuses or drops
/// (counted). `silent_loss` is what none of these counters explains.
func floodLLRPBenchmark() -> [String: any Sendable] {
    var out: [String: any Sendable] = [:]
    for (name, pool) in [("rotating", env("FLOOD_LLRP_POOL", 20_000)), ("all_new", 0)] {
        out[name] = llrpFloodCase(pool: pool)
    }
    return out
}

private func env(_ key: String, _ fallback: Int) -> Int { Int(ProcessInfo.processInfo.environment[key] ?? "") ?? fallback }

/// One flood: `pool` EPCs rotated, or all new when 0.
private func llrpFloodCase(pool: Int) -> [String: any Sendable] {
    let seconds = floodSeconds, rate = env("FLOOD_LLRP_RATE", 100_000), perReport = env("FLOOD_LLRP_TAGS_PER_REPORT", 500)
    let maxTags = 100_000
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flood-llrp-bench-\(getpid())-\(pool)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    guard let emulator = try? LLRPReaderEmulator() else { return ["error": "cannot start the LLRP emulator"] }
    defer { emulator.stop() }
    guard let site = try? BenchSite(dir: dir, stations: 1) else { return ["error": "cannot set up the site in \(dir.path)"] }
    defer { site.stop() }
    do {
        try site.writeConfig(
            extraDevices: [#"{"name": "portal", "driver": "llrp", "host": "\#(emulator.address)", "options": "preset=presence keepalive=1000 reconnect-max=500"}"#],
            zones: #"[{"name": "portal", "readers": [{"device": "portal"}], "smoothing": {"observed_count": 1}, "max_tags": \#(maxTags)}]"#,
            stations: #"{"name": "move-0", "type": "move", "devices": ["scanner-0"]}, {"name": "rf-count", "type": "count", "devices": ["portal"], "zones": ["portal"]}"#)
    } catch { return ["error": "cannot write the config: \(error)"] }
    guard site.start() else { return ["error": "scanledgerd did not answer on its socket; log: \(site.logTail)"] }
    guard emulator.waitUntilInventorying(timeout: 30) else { return ["error": "the daemon never started the reader's ROSpec; log: \(site.logTail)"] }
    // A watch client that never reads: its backlog fills, then drops.
    let stalledWatch = site.connectControl(#"{"cmd":"watch"}"#+"\n")
    defer { if let fd = stalledWatch { close(fd) } }

    let sent = Locked((tags: 0, reports: 0, refused: 0))
    let run = OperatorUnderFlood(site: site, scanner: site.scanners[0]).run {
        let start = Date(), end = start.addingTimeInterval(seconds)
        var serial: UInt32 = 0
        var due = start
        let interval = Double(perReport) / Double(rate)
        while Date() < end {
            var epcs: [EPC] = []
            epcs.reserveCapacity(perReport)
            for _ in 0..<perReport {
                // SGTIN-96 0614141.812345 with a rotating (or ever new) serial.
                epcs.append(EPC(hi: 0x3074_257B_F719_4E40, lo32: pool > 0 ? serial % UInt32(pool) : serial))
                serial &+= 1
            }
            if emulator.report(epcs) {
                sent.withLock { $0.tags += epcs.count; $0.reports += 1 }
            } else {
                // Not inventorying (the daemon dropped the connection): nothing was sent.
                sent.withLock { $0.refused += 1 }
                _ = emulator.waitUntilInventorying(timeout: max(0, end.timeIntervalSinceNow))
            }
            // Paced to the target; a sender that fell behind (the daemon
            // held the socket back) does not burst to catch up.
            due = max(due.addingTimeInterval(interval), Date().addingTimeInterval(-0.1))
            let wait = due.timeIntervalSinceNow
            if wait > 0 { usleep(UInt32(wait * 1e6)) }
        }
    }
    guard var result = run else { return ["error": "no answer from the operator's station; log: \(site.logTail)"] }
    let (tags, reports, refused) = sent.withLock { ($0.tags, $0.reports, $0.refused) }
    /// A family with no samples yet (no station has dropped anything) is 0; -1 means no answer.
    func metric(_ name: String, _ label: String? = nil) -> Int {
        Int(site.metricSum(name, labelled: label) ?? (site.request("status") == nil ? -1 : 0))
    }
    func decodedNow() -> Int { metric("scanledger_device_tag_reads_total", "device=\"portal\"") }
    // What the daemon took while the flood ran; the rest was still in the
    // sockets' buffers. Then it finishes what is in flight: until the
    // decoded count reaches what was sent or stands still for 2 s.
    let decodedAtFloodEnd = decodedNow()
    let floodEnded = Date()
    var (decoded, still) = (decodedAtFloodEnd, 0)
    while decoded < tags && still < 4 && Date().timeIntervalSince(floodEnded) < 120 {
        usleep(500_000)
        let now = decodedNow()
        still = now == decoded ? still + 1 : 0
        decoded = now
    }
    let drainSeconds = Date().timeIntervalSince(floodEnded)
    // And the station its queue: until its counts stop moving for a second
    // (the zone's departures come lost_timeout after the last read).
    var handledBefore = -1
    for _ in 0..<120 {
        let handled = metric("scanledger_station_inputs_total") + metric("scanledger_station_inputs_dropped_total")
        if handled == handledBefore { break }
        handledBefore = handled
        usleep(1_000_000)
    }
    decoded = decodedNow()
    let zoneReads = metric("scanledger_zone_reads_total"), unzoned = metric("scanledger_pipeline_unzoned_reads_total")
    let zoneRefused = metric("scanledger_zone_reads_refused_total"), arrivals = metric("scanledger_zone_arrivals_total")
    let stationDropped = metric("scanledger_station_inputs_dropped_total", "station=\"rf-count\"")
    let departures = metric("scanledger_zone_departures_total")
    // Every outcome: accepted, refused, and ignored (departures that changed nothing).
    let stationInputs = metric("scanledger_station_inputs_total")
    // The operator's scans are station inputs too; everything else came from the zone.
    let operatorInputs = 11 * 10 + ((result["operator_scans_during_flood"] as? Int) ?? 0)
    let stationHandled = stationInputs - operatorInputs
    result["pool"] = pool == 0 ? "all new" : "\(pool) EPCs rotated"
    result["flood_seconds"] = seconds
    result["target_tag_reports_per_s"] = rate
    result["tags_per_report"] = perReport
    result["sent_tag_reports"] = tags
    result["sent_ro_access_reports"] = reports
    result["reports_not_sent_reader_not_inventorying"] = refused
    result["sent_tag_reports_per_s"] = Double(tags) / seconds
    result["decoded_tag_reads"] = decoded
    result["decoded_tag_reads_by_flood_end"] = decodedAtFloodEnd
    result["accepted_tag_reads_per_s_during_flood"] = Double(decodedAtFloodEnd) / seconds
    result["seconds_to_take_the_rest_after_the_flood"] = (drainSeconds * 10).rounded() / 10
    result["zone_reads"] = zoneReads
    result["unzoned_reads"] = unzoned
    result["zone_reads_refused_at_tag_limit"] = zoneRefused
    result["zone_tags_tracked_at_end"] = metric("scanledger_zone_tags_tracked")
    result["zone_tags_evicted"] = metric("scanledger_zone_tags_evicted_total")
    result["zone_max_tags"] = maxTags
    result["zone_arrivals"] = arrivals
    result["zone_departures"] = departures
    result["station_inputs_from_zone_handled"] = stationHandled
    result["station_inputs_dropped_queue_full"] = stationDropped
    result["watch_events_dropped"] = metric("scanledger_watch_events_dropped_total")
    result["intake_queue_full_waits"] = metric("scanledger_intake_queue_full_waits_total")
    result["reader_reconnects"] = metric("scanledger_device_reconnects_total", "device=\"portal\"")
    let log = (try? String(contentsOfFile: site.logPath, encoding: .utf8)) ?? ""
    result["daemon_log_lines"] = log.split(separator: "\n").count
    result["daemon_log_lines_queue_full"] = log.components(separatedBy: "input queue full").count - 1
    // What no counter explains: sent but not decoded, decoded but neither in
    // the zone nor unzoned, arrivals and departures the station neither
    // handled (accepted, refused, ignored) nor dropped.
    result["silent_loss"] = [
        "sent_not_decoded": tags - decoded, "decoded_not_routed": decoded - zoneReads - unzoned,
        "zone_events_not_handled_or_dropped": arrivals + departures - stationHandled - stationDropped,
    ]
    return result
}
