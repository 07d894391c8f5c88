import Devices
import Foundation
import Ledger
import Pipeline
import ScanModel

/// What the daemon says about itself: `status`, the systemd STATUS line,
/// liveness for the watchdog, and Prometheus metrics.
extension Daemon {
    func status() throws -> [String: Any] {
        let running = fleet.running
        let c = gateway.counters
        let open = try stores.openSessions()
        let ledgerPostings = try ledger.ledgerSequence().value
        let liveness = livenessProblem()
        let storage = ledger.storageStatus
        return ["box_id": config.boxID, "uptime_seconds": Int(Date().timeIntervalSince(started)),
                "status": statusLine(running: running, counters: c, openSessions: open.count, ledgerPostings: ledgerPostings),
                "devices_connected": running.filter { $0.runner.isConnected }.count, "devices": running.count,
                "devices_not_up": running.sorted { $0.spec.name < $1.spec.name }.compactMap { entry -> [String: Any]? in
                    let h = entry.runner.health
                    return h.state == .up ? nil : ServiceJSON.health(h).merging(["name": entry.spec.name]) { a, _ in a }
                },
                "stations": config.stations.count, "open_sessions": open, "ledger": config.ledgerPath,
                "ledger_sequence": ledgerPostings, "ledger_postings": ledgerPostings,
                "postings_since_start": c.posted, "rejected_since_start": c.rejected,
                "live": liveness == nil, "live_problem": liveness.map { $0 as Any } ?? NSNull(),
                "storage_full": storage.full, "storage": storageStatus(storage), "forwarding": forwardingStatus()]
    }

    /// The ledger's disk as the last writes found it (docs/operations.md, "Disk full").
    func storageStatus(_ s: LedgerStorageStatus) -> [String: Any] {
        func time(_ d: Date?) -> Any { d.map { EventTime.utcText(micros: Int64($0.timeIntervalSince1970 * 1e6)) as Any } ?? NSNull() }
        return ["full": s.full, "full_since": time(s.fullSince), "full_error": s.fullError.map { $0 as Any } ?? NSNull(),
                "refused_writes": s.refusedWrites, "refused_writes_total": s.refusedWritesTotal, "last_write": time(s.lastWrite),
                "journal_entries_held_back": self.storage.heldBackTotal, "checkpoint_failures": s.checkpointFailures,
                "last_checkpoint_error": s.lastCheckpointError.map { $0 as Any } ?? NSNull()]
    }

    /// The central forwarder as an admin needs it at a glance: its state,
    /// backlog, lag and last error (nil without a `central` section).
    func forwardingStatus() -> Any {
        guard let f = forwarder.snapshot?.status else { return NSNull() }
        return ["state": f.state.rawValue, "connected": f.connected, "origin": f.origin,
                "forwarded_up_to": f.forwardedUpTo, "backlog_postings": f.backlogPostings,
                "backlog_journal_entries": f.backlogJournalEntries, "lag_seconds": f.lagSeconds,
                "backlog_alarm": f.backlogAlarm, "consecutive_failures": f.consecutiveFailures,
                "last_error": f.lastError.map { $0 as Any } ?? NSNull(), "last_error_kind": f.lastErrorKind.map { $0 as Any } ?? NSNull()]
    }

    /// One line for systemd's STATUS and the log.
    public func statusLine() -> String {
        statusLine(running: fleet.running, counters: gateway.counters, openSessions: (try? stores.openSessions().count) ?? 0,
                   ledgerPostings: try? ledger.ledgerSequence().value)
    }

    /// Postings are numbered 1, 2, 3… without gaps (the ledger never deletes
    /// one), so the latest sequence is the ledger's total.
    private func statusLine(running: [DeviceFleet.Running], counters c: GatewayCounters, openSessions: Int, ledgerPostings: Int64?) -> String {
        let total = ledgerPostings.map { "\($0) postings in the ledger" } ?? "ledger unreadable"
        return (ledger.storageStatus.full ? "STORAGE FULL, scans refused; " : "") + "\(running.filter { $0.runner.isConnected }.count)/\(running.count) devices connected, \(config.stations.count) stations (\(openSessions) open), "
            + "\(total), \(c.posted) posted and \(c.rejected) rejected since start"
    }

    /// Nil when the router thread ticked recently and a real write committed
    /// recently (or a probe that writes a real row just did). An empty
    /// transaction is no proof: it commits on a full disk.
    public func livenessProblem() -> String? {
        if let stuck = stuckProblem() { return stuck }
        return storage.writeProblem()?.problem
    }

    /// What a restart could cure: a pipeline that stopped ticking, a writer
    /// that fails for other reasons than space. The watchdog goes by this: a
    /// full disk is not live, but restarting cannot free space, and a daemon
    /// restarted on a full disk (or given up on by systemd's start limit)
    /// would not resume by itself when space returns.
    func stuckProblem() -> String? {
        let age = Date().timeIntervalSince(router.stats.snapshot.heartbeat)
        if age > 5 { return "the pipeline thread has not ticked for \(Int(age)) s" }
        if let write = storage.writeProblem(), !write.storageFull { return write.problem }
        return nil
    }

    func metricsText() -> String {
        let devices = fleet.running.map { ($0.spec.name, $0.runner.counters, $0.runner.isConnected, $0.runner.health.state) }
        let router = router.stats.snapshot
        let (pc, zones, scans) = (router.pipeline, router.zones, router.scansIn)
        let g = gateway.counters
        let s = stations.counts
        let q = inbox.snapshot
        func perDevice(_ name: String, _ help: String, _ value: (DriverCounters) -> UInt64) -> MetricFamily {
            MetricFamily(name: name, help: help, kind: .counter, samples: devices.map { .init(labels: [("device", $0.0)], value: Double(value($0.1))) })
        }
        var families = [
            perDevice("scanledger_device_tag_reads_total", "Tag reads decoded per device.") { $0.tagReads },
            perDevice("scanledger_device_scans_total", "Barcode scans decoded per device.") { $0.scans },
            perDevice("scanledger_device_bad_frames_total", "Bad frames per device.") { $0.badFrames },
            perDevice("scanledger_device_reconnects_total", "Reconnects per device.") { $0.reconnects },
            MetricFamily(name: "scanledger_device_connected", help: "1 while the device is connected.", kind: .gauge,
                         samples: devices.map { .init(labels: [("device", $0.0)], value: $0.2 ? 1 : 0) }),
            // One sample per state, 1 for the current one: down and degraded
            // alert without parsing reasons (those are in `scanledger devices`).
            MetricFamily(name: "scanledger_device_state", help: "1 for the device's current state (up, degraded, down).", kind: .gauge,
                         samples: devices.flatMap { d in DeviceHealth.State.allCases.map { .init(labels: [("device", d.0), ("state", $0.rawValue)], value: d.3 == $0 ? 1 : 0) } }),
            MetricFamily(name: "scanledger_scans_total", help: "Scans into the pipeline.", kind: .counter, samples: [.init(value: Double(scans))]),
            MetricFamily(name: "scanledger_station_inputs_total", help: "Station inputs by outcome.", kind: .counter,
                         samples: [.init(labels: [("outcome", "accepted")], value: Double(s.accepted)), .init(labels: [("outcome", "refused")], value: Double(s.refused)),
                                   .init(labels: [("outcome", "ignored")], value: Double(stations.ignoredInputs))]),
            MetricFamily(name: "scanledger_station_inputs_dropped_total", help: "Station inputs refused because the station's queue was full.", kind: .counter,
                         samples: stations.droppedInputs.sorted { $0.key < $1.key }.map { .init(labels: [("station", $0.key)], value: Double($0.value)) }),
            MetricFamily(name: "scanledger_postings_total", help: "Postings by ledger answer.", kind: .counter,
                         samples: [.init(labels: [("status", "posted")], value: Double(g.posted)), .init(labels: [("status", "duplicate")], value: Double(g.duplicates)),
                                   .init(labels: [("status", "rejected")], value: Double(g.rejected)), .init(labels: [("status", "failed")], value: Double(g.failures))]),
            MetricFamily(name: "scanledger_commit_latency_seconds_avg", help: "Average time from post to durable commit.", kind: .gauge,
                         samples: [.init(value: g.commits == 0 ? 0 : Double(g.commitMicrosTotal) / Double(g.commits) / 1e6)]),
            MetricFamily(name: "scanledger_intake_queue_depth", help: "Device batches waiting for the pipeline.", kind: .gauge, samples: [.init(value: Double(q.depth))]),
            MetricFamily(name: "scanledger_intake_queue_full_waits_total", help: "Times a device thread waited for the pipeline.", kind: .counter, samples: [.init(value: Double(q.fullWaits))]),
            MetricFamily(name: "scanledger_pipeline_unzoned_reads_total", help: "Tag reads from no zone.", kind: .counter, samples: [.init(value: Double(pc.unzonedReads))]),
        ]
        // The ledger file and its WAL on disk: what fills the box's storage.
        let ledgerPath = config.ledgerPath
        func bytes(_ path: String) -> Double { Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) }
        families.append(MetricFamily(name: "scanledger_ledger_file_bytes", help: "Size of the ledger file.", kind: .gauge,
                                     samples: [.init(value: bytes(ledgerPath))]))
        families.append(MetricFamily(name: "scanledger_ledger_wal_bytes", help: "Size of the ledger's write-ahead log (0 when there is none).", kind: .gauge,
                                     samples: [.init(value: bytes(ledgerPath + "-wal"))]))
        families += ZoneMetrics.families(zones: zones, watchEventsDropped: hub.eventsDropped)
        let disk = ledger.storageStatus
        families += [
            MetricFamily(name: "scanledger_storage_full", help: "1 while the ledger's disk refuses writes for lack of space.", kind: .gauge,
                         samples: [.init(value: disk.full ? 1 : 0)]),
            MetricFamily(name: "scanledger_storage_refused_writes_total", help: "Ledger writes refused for lack of space.", kind: .counter,
                         samples: [.init(value: Double(disk.refusedWritesTotal))]),
            MetricFamily(name: "scanledger_journal_entries_held_back", help: "Journal entries not written during the current full-disk episode.",
                         kind: .gauge, samples: [.init(value: Double(storage.heldBackTotal))]),
        ]
        if let f = forwarder.snapshot?.status {
            families += [
                MetricFamily(name: "scanledger_forwarded_postings_total", help: "Postings forwarded to the central database.", kind: .counter,
                             samples: [.init(value: Double(f.forwardedPostings))]),
                MetricFamily(name: "scanledger_forward_batch_seconds_avg", help: "Average central batch latency (send and commit).", kind: .gauge,
                             samples: [.init(value: f.batches == 0 ? 0 : f.batchSecondsSum / Double(f.batches))]),
                MetricFamily(name: "scanledger_forward_backlog_postings", help: "Postings not yet in the central database.", kind: .gauge,
                             samples: [.init(value: Double(f.backlogPostings))]),
                MetricFamily(name: "scanledger_forwarded_journal_entries_total", help: "Station journal entries forwarded to the central database.", kind: .counter,
                             samples: [.init(value: Double(f.forwardedJournalEntries))]),
                MetricFamily(name: "scanledger_forward_backlog_journal_entries", help: "Station journal entries not yet in the central database.", kind: .gauge,
                             samples: [.init(value: Double(f.backlogJournalEntries))]),
                MetricFamily(name: "scanledger_forward_backlog_bytes", help: "Outbox bytes not yet forwarded (measured every few seconds).", kind: .gauge,
                             samples: [.init(value: Double(f.backlogBytes ?? 0))]),
                MetricFamily(name: "scanledger_forward_backlog_alarm", help: "1 while the backlog exceeds its alarm threshold.", kind: .gauge,
                             samples: [.init(value: f.backlogAlarm ? 1 : 0)]),
                MetricFamily(name: "scanledger_forward_lag_seconds", help: "Age of the oldest posting not yet central.", kind: .gauge,
                             samples: [.init(value: f.lagSeconds)]),
                MetricFamily(name: "scanledger_forward_errors_total", help: "Forwarding failures by kind.", kind: .counter,
                             samples: f.errorsByKind.sorted { $0.key < $1.key }.map { .init(labels: [("kind", $0.key)], value: Double($0.value)) }),
            ]
        }
        return PrometheusText.render(families)
    }
}
