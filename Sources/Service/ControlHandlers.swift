import Devices
import Foundation
import Ledger
import Stations

/// The control socket's requests (docs/control-protocol.md). Every request is
/// one JSON object with "cmd"; every answer has "ok" and either the result
/// or "error". Runs on the client's own thread.
extension Daemon {
    func handle(_ request: [String: Any], _ reply: ControlReply) {
        guard let cmd = request["cmd"] as? String else {
            reply.send(["ok": false, "error": "missing \"cmd\" (one of: \(Self.commands.joined(separator: ", ")))"])
            return
        }
        do {
            switch cmd {
            case "watch":
                hub.stream(station: request["station"] as? String, subscribed: { _ = reply.send(["ok": true, "streaming": true]) }) { reply.send($0) }
                reply.close()
            default:
                var answer = try respond(cmd, request)
                answer["ok"] = true
                reply.send(answer)
            }
        } catch {
            reply.send(["ok": false, "error": "\(error)"])
        }
    }

    static let commands = ["status", "devices", "stations", "stock", "history", "import", "counts", "watch", "metrics", "device-add", "device-remove", "device-attached", "device-detached", "reload"]

    func respond(_ cmd: String, _ r: [String: Any]) throws -> [String: Any] {
        switch cmd {
        case "status":
            let (connected, total) = lock.withLock { (runners.values.filter { $0.runner.isConnected }.count, runners.count) }
            let c = gateway.counters
            return ["box_id": config.boxID, "uptime_seconds": Int(Date().timeIntervalSince(started)), "status": statusLine(),
                    "devices_connected": connected, "devices": total, "stations": config.stations.count,
                    "open_sessions": try stores.openSessions(), "ledger": config.ledgerPath,
                    "ledger_sequence": try ledger.latestSequence().value, "postings": c.posted, "rejected": c.rejected,
                    "live": livenessProblem() == nil]
        case "devices":
            let entries = lock.withLock { runners.values.map { ($0.spec, $0.runner, stationByDevice[$0.spec.name]) } }
            return ["devices": entries.sorted { $0.0.name < $1.0.name }.map { spec, runner, station -> [String: Any] in
                var out: [String: Any] = ["name": spec.name, "index": Int(spec.index.value), "driver": spec.driver, "port": ServiceJSON.null(spec.port ?? spec.host),
                                          "connected": runner.isConnected, "station": ServiceJSON.null(station), "counters": ServiceJSON.counters(runner.counters)]
                if case .llrp(let st)? = runner.protocolStatus {
                    out["llrp"] = ["state": st.state.rawValue, "connect_failures": Int64(clamping: st.connectFailures),
                                   "session_failures": Int64(clamping: st.sessionFailures), "keepalives": st.decoder.keepalives] as [String: Any]
                }
                return out
            }]
        case "stations":
            return ["stations": stations.views().map { spec, view, open -> [String: Any] in
                ["name": spec.name, "type": spec.kind.rawValue, "open": open, "devices": spec.devices, "zones": spec.zones,
                 "view": ServiceJSON.view(view), "text": view.render()]
            }]
        case "stock":
            let rows = try ledger.stock(StockQuery(location: r["location"] as? String, item: r["item"] as? String, lot: r["lot"] as? String))
            return ["rows": rows.map { ["item": $0.item, "location": $0.location, "lot": ServiceJSON.null($0.lot), "serial": ServiceJSON.null($0.serial), "qty": $0.qty] }]
        case "history":
            let filter: HistoryFilter
            if let v = r["item"] as? String { filter = .item(v) } else if let v = r["location"] as? String { filter = .location(v) }
            else if let v = r["epc"] as? String { filter = .epc(v) } else if let v = r["ref"] as? String { filter = .ref(v) }
            else { throw RequestError("history needs one of item, location, epc, ref") }
            return ["rows": try ledger.history(filter).map {
                ["seq": $0.seq.value, "key": $0.key, "kind": $0.kind.rawValue, "ref": ServiceJSON.null($0.ref), "station": ServiceJSON.null($0.station),
                 "location": $0.location, "item": $0.item, "lot": ServiceJSON.null($0.lot), "serial": ServiceJSON.null($0.serial), "qty": $0.qty,
                 "time": ServiceJSON.null($0.eventTime)] as [String: Any]
            }]
        case "import":
            guard let kind = r["kind"] as? String, let path = r["path"] as? String else { throw RequestError("import needs \"kind\" (items, locations, asn, orders) and \"path\"") }
            return ["imported": try ServiceImport.run(kind: kind, path: path, ledger: ledger, stores: stores)]
        case "counts":
            return try counts(r)
        case "metrics":
            return ["text": metricsText()]
        case "device-add":
            guard let object = r["device"] else { throw RequestError("device-add needs \"device\": a device object as in the config file") }
            var spec = try DeviceSpec.parse(ConfigNode(value: object, path: "device"), index: 0)
            let station = r["station"] as? String
            if let station, !config.stations.contains(where: { $0.name == station }) { throw RequestError("unknown station '\(station)'") }
            try lock.withLock {
                if runners[spec.name] != nil { throw RequestError("device '\(spec.name)' already runs; remove it first") }
                guard let index = numbering.index(for: spec.name) else { throw RequestError("all 65535 device numbers are used; restart scanledgerd") }
                spec.index = index
                addedDevices[spec.name] = (spec, station)
                if let station { stationByDevice[spec.name] = station }
                deviceByIndex[spec.index.value] = spec.name
            }
            startDevice(spec)
            return ["device": spec.name]
        case "device-remove":
            guard let name = r["name"] as? String else { throw RequestError("device-remove needs \"name\"") }
            guard stopDevice(name) else { throw RequestError("no running device '\(name)'") }
            return ["removed": name]
        case "device-attached", "device-detached":
            // From udev via scanledger-attach@.service. Configured devices find
            // their port again on their own (selectors are re-resolved at each
            // reconnect); an arrival restarts their runner at once instead of
            // waiting out the backoff. A departure is only reported.
            guard let path = r["path"] as? String, !path.isEmpty else { throw RequestError("\(cmd) needs \"path\"") }
            let names = devicesAt(path: path)
            if cmd == "device-attached" {
                for name in names {
                    guard let spec = lock.withLock({ runners[name]?.spec }) else { continue }
                    _ = stopDevice(name, restarting: true)
                    startDevice(spec)
                }
            }
            hub.publish(["type": "device", "event": cmd == "device-attached" ? "attached" : "detached", "path": path, "devices": names])
            logger.info("udev", "\(path) \(cmd == "device-attached" ? "attached" : "detached"): \(names.isEmpty ? "no configured device uses it" : names.joined(separator: ", "))")
            return ["devices": names]
        case "reload":
            guard reload() else { throw RequestError("the configuration was rejected (see the log); the previous one keeps running") }
            return [:]
        default:
            throw RequestError("unknown cmd '\(cmd)' (one of: \(Self.commands.joined(separator: ", ")))")
        }
    }

    /// Configured devices whose port is `path` (or a link to the same node).
    func devicesAt(path: String) -> [String] {
        func resolved(_ p: String) -> String { URL(fileURLWithPath: p).resolvingSymlinksInPath().path }
        let target = resolved(path)
        return lock.withLock { runners.values.compactMap { entry -> String? in
            guard let port = entry.spec.port, port.hasPrefix("/") else { return nil }
            return resolved(port) == target ? entry.spec.name : nil
        } }.sorted()
    }

    func counts(_ r: [String: Any]) throws -> [String: Any] {
        let reviews = CountReviews(store: stores, ledger: gateway, stock: gateway)
        let action = r["action"] as? String ?? "list"
        switch action {
        case "list":
            let all = (r["all"] as? Bool ?? false) ? try reviews.list() : try reviews.open()
            return ["counts": all.map(ServiceJSON.countSummary)]
        case "show":
            guard let id = r["id"] as? String, let result = try reviews.show(id: id) else { throw RequestError("no count '\(r["id"] as? String ?? "")'") }
            return ["count": ServiceJSON.countDetail(result)]
        case "approve":
            guard let id = r["id"] as? String else { throw RequestError("approve needs \"id\"") }
            return ["count": ServiceJSON.countSummary(try reviews.approve(id: id, acceptConflict: r["accept_conflict"] as? Bool ?? false))]
        case "reject":
            guard let id = r["id"] as? String else { throw RequestError("reject needs \"id\"") }
            try reviews.reject(id: id, reason: r["reason"] as? String ?? "rejected by reviewer")
            return ["id": id]
        default:
            throw RequestError("unknown counts action '\(action)' (list, show, approve, reject)")
        }
    }

    func metricsText() -> String {
        let devices = lock.withLock { runners.values.map { ($0.spec.name, $0.runner.counters, $0.runner.isConnected) } }
        let (pc, zones, scans) = lock.withLock { (pipelineCounters, zoneCounters, scansIn) }
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
            MetricFamily(name: "scanledger_scans_total", help: "Scans into the pipeline.", kind: .counter, samples: [.init(value: Double(scans))]),
            MetricFamily(name: "scanledger_station_inputs_total", help: "Station inputs by outcome.", kind: .counter,
                         samples: [.init(labels: [("outcome", "accepted")], value: Double(s.accepted)), .init(labels: [("outcome", "refused")], value: Double(s.refused))]),
            MetricFamily(name: "scanledger_postings_total", help: "Postings by ledger answer.", kind: .counter,
                         samples: [.init(labels: [("status", "posted")], value: Double(g.posted)), .init(labels: [("status", "duplicate")], value: Double(g.duplicates)),
                                   .init(labels: [("status", "rejected")], value: Double(g.rejected)), .init(labels: [("status", "failed")], value: Double(g.failures))]),
            MetricFamily(name: "scanledger_commit_latency_seconds_avg", help: "Average time from post to durable commit.", kind: .gauge,
                         samples: [.init(value: g.commits == 0 ? 0 : Double(g.commitMicrosTotal) / Double(g.commits) / 1e6)]),
            MetricFamily(name: "scanledger_intake_queue_depth", help: "Device batches waiting for the pipeline.", kind: .gauge, samples: [.init(value: Double(q.depth))]),
            MetricFamily(name: "scanledger_intake_queue_full_waits_total", help: "Times a device thread waited for the pipeline.", kind: .counter, samples: [.init(value: Double(q.fullWaits))]),
            MetricFamily(name: "scanledger_pipeline_unzoned_reads_total", help: "Tag reads from no zone.", kind: .counter, samples: [.init(value: Double(pc.unzonedReads))]),
        ]
        families.append(MetricFamily(name: "scanledger_zone_reads_total", help: "Tag reads into each zone.", kind: .counter,
                                     samples: zones.map { .init(labels: [("zone", $0.zone.name)], value: Double($0.readsIn)) }))
        families.append(MetricFamily(name: "scanledger_zone_lag_seconds", help: "Pipeline time minus the last read's time.", kind: .gauge,
                                     samples: zones.map { .init(labels: [("zone", $0.zone.name)], value: Double($0.lag.value) / 1e6) }))
        if let f = forwarder?.status {
            families += [
                MetricFamily(name: "scanledger_forwarded_postings_total", help: "Postings forwarded to the central database.", kind: .counter,
                             samples: [.init(value: Double(f.forwardedPostings))]),
                MetricFamily(name: "scanledger_forward_batch_seconds_avg", help: "Average central batch latency (send and commit).", kind: .gauge,
                             samples: [.init(value: f.batches == 0 ? 0 : f.batchSecondsSum / Double(f.batches))]),
                MetricFamily(name: "scanledger_forward_backlog_postings", help: "Postings not yet in the central database.", kind: .gauge,
                             samples: [.init(value: Double(f.backlogPostings))]),
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

struct RequestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Imports master and expected data from a file into the ledger database;
/// used by the control socket and by `scanledger import` when the daemon is down.
public enum ServiceImport {
    public static func run(kind: String, path: String, ledger: Ledger, stores: LedgerStationStores) throws -> Int {
        switch kind {
        case "asn": return try ExpectedImport.importFile(.asn, path: path, into: stores)
        case "orders": return try ExpectedImport.importFile(.orders, path: path, into: stores)
        case "items", "locations":
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw RequestError("cannot read \(path) as UTF-8 text")
            }
            if kind == "items" {
                let items = try MasterDataFile.items(text: text, file: path)
                try ledger.importItems(items, file: path)
                return items.count
            }
            let locations = try MasterDataFile.locations(text: text, file: path)
            try ledger.importLocations(locations, file: path)
            return locations.count
        default:
            throw RequestError("unknown import kind '\(kind)' (items, locations, asn, orders)")
        }
    }
}
