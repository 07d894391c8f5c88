import Devices
import Foundation
import Ledger
import ScanModel
import Stations

/// The control socket's requests (docs/control-protocol.md). Every request is
/// one JSON object with "cmd"; every answer has "ok" and either the result
/// or "error". Runs on the client's own thread.
extension Daemon {
    func handle(_ object: JSONCursor, _ reply: ControlReply) {
        do {
            let request = try ControlRequest(object)
            switch request.cmd {
            case "watch":
                let station = try request.string("station")
                hub.stream(station: station, subscribed: { _ = reply.send(["ok": true, "streaming": true]) }) { reply.send($0) }
                reply.close()
            default:
                var answer = try respond(request)
                answer["ok"] = true
                reply.send(answer)
            }
        } catch {
            reply.send(["ok": false, "error": "\(error)"])
        }
    }

    func respond(_ r: ControlRequest) throws -> [String: Any] {
        switch r.cmd {
        case "status": return try status()
        case "devices": return ["devices": devicesAnswer()]
        case "stations":
            return ["stations": stations.views().map { spec, view, open, operatorID -> [String: Any] in
                ["name": spec.name, "type": spec.kind.rawValue, "open": open, "operator": ServiceJSON.null(operatorID), "devices": spec.devices, "zones": spec.zones,
                 "view": ServiceJSON.view(view), "text": view.render()]
            }]
        case "stock":
            let rows = try ledger.stock(StockQuery(location: try r.string("location"), item: try r.string("item"), lot: try r.string("lot")))
            return ["rows": rows.map { ["item": $0.item, "location": $0.location, "lot": ServiceJSON.null($0.lot), "serial": ServiceJSON.null($0.serial), "qty": $0.qty] }]
        case "history":
            let filter: HistoryFilter
            if let v = try r.string("item") { filter = .item(v) } else if let v = try r.string("location") { filter = .location(v) }
            else if let v = try r.string("epc") { filter = .epc(v) } else if let v = try r.string("ref") { filter = .ref(v) }
            else { throw RequestError("history needs one of item, location, epc, ref") }
            return ["rows": try ledger.history(filter).map {
                ["seq": $0.seq.value, "key": $0.key, "kind": $0.kind.rawValue, "ref": ServiceJSON.null($0.ref), "station": ServiceJSON.null($0.station),
                 "location": $0.location, "item": $0.item, "lot": ServiceJSON.null($0.lot), "serial": ServiceJSON.null($0.serial), "qty": $0.qty,
                 "time": ServiceJSON.null($0.eventTime)] as [String: Any]
            }]
        case "import":
            let kind = try r.requiredString("kind", "items, locations, asn or orders")
            let path = try r.requiredString("path", "the file to import")
            return ["imported": try ServiceImport.run(kind: kind, path: path, ledger: ledger, stores: stores)]
        case "counts": return try counts(r)
        case "journal": return try journal(r)
        case "receipt-report": return try receiptReport(r)
        case "orders": return try orders(r)
        case "order": return try order(r)
        case "metrics": return ["text": metricsText()]
        case "device-add": return try addDevice(r)
        case "device-remove":
            let name = try r.requiredString("name", "the device to remove")
            try changes.withLock {
                guard fleet.stop(name) else { throw RequestError("no running device '\(name)'") }
                publishRouting(config)
            }
            return ["removed": name]
        case "device-attached", "device-detached": return try udevEvent(r)
        case "reload":
            guard let restartNeeded = reloadReport() else {
                throw RequestError("the configuration was rejected (see the log); the previous one keeps running")
            }
            return ["restart_needed": restartNeeded]
        default:
            throw RequestError("unknown cmd '\(r.cmd)' (one of: \(ControlRequest.commands.joined(separator: ", ")))")
        }
    }

    private func devicesAnswer() -> [[String: Any]] {
        let r = routing.snapshot
        return fleet.running.sorted { $0.spec.name < $1.spec.name }.map { entry -> [String: Any] in
            let (spec, runner) = (entry.spec, entry.runner)
            var out: [String: Any] = ["name": spec.name, "index": Int(spec.index.value), "driver": spec.driver, "port": ServiceJSON.null(spec.port ?? spec.host),
                                      "connected": runner.isConnected, "station": ServiceJSON.null(r.stationByDevice[spec.name]),
                                      "counters": ServiceJSON.counters(runner.counters)]
            out.merge(ServiceJSON.health(runner.health)) { _, new in new }
            if case .llrp(let st)? = runner.protocolStatus {
                out["llrp"] = ["state": st.state.rawValue, "connect_failures": Int64(clamping: st.connectFailures),
                               "session_failures": Int64(clamping: st.sessionFailures), "keepalives": st.decoder.keepalives] as [String: Any]
            }
            return out
        }
    }

    /// `device-add`: a device object as in the config file, optionally for a station.
    private func addDevice(_ r: ControlRequest) throws -> [String: Any] {
        guard let object = try r.object("device") else { throw RequestError("device-add needs \"device\": a device object as in the config file") }
        let parsed = try DeviceSpec.parse(ConfigNode(object), index: 0)
        let station = try r.string("station")
        let spec = try changes.withLock { () throws -> DeviceSpec in
            if let station, !config.stations.contains(where: { $0.name == station }) { throw RequestError("unknown station '\(station)'") }
            let spec = try fleet.add(parsed, station: station)
            publishRouting(config)
            return spec
        }
        return ["device": spec.name]
    }

    /// From udev via scanledger-attach@.service. Configured devices find
    /// their port again on their own (selectors are re-resolved at each
    /// reconnect); an arrival restarts their runner at once instead of
    /// waiting out the backoff. A departure is only reported.
    private func udevEvent(_ r: ControlRequest) throws -> [String: Any] {
        guard let path = try r.string("path"), !path.isEmpty else { throw RequestError("\(r.cmd) needs \"path\"") }
        let attached = r.cmd == "device-attached"
        let names = fleet.devices(at: path)
        if attached {
            changes.withLock {
                for name in names {
                    guard let spec = fleet.spec(name) else { continue }
                    fleet.stop(name, restarting: true)
                    fleet.start(spec)
                }
            }
        }
        hub.publish(["type": "device", "event": attached ? "attached" : "detached", "path": path, "devices": names])
        logger.info("udev", "\(path) \(attached ? "attached" : "detached"): \(names.isEmpty ? "no configured device uses it" : names.joined(separator: ", "))")
        return ["devices": names]
    }

    func counts(_ r: ControlRequest) throws -> [String: Any] {
        let reviews = CountReviews(store: stores, ledger: gateway, stock: gateway)
        let action = try r.string("action") ?? "list"
        switch action {
        case "list":
            let all = try r.bool("all") ?? false ? try reviews.list() : try reviews.open()
            return ["counts": all.map(ServiceJSON.countSummary)]
        case "show":
            let id = try r.requiredString("id", "the count to show")
            guard let result = try reviews.show(id: id) else { throw RequestError("no count '\(id)'") }
            return ["count": ServiceJSON.countDetail(result)]
        case "approve":
            let id = try r.requiredString("id", "the count to approve")
            return ["count": ServiceJSON.countSummary(try reviews.approve(id: id, acceptConflict: try r.bool("accept_conflict") ?? false))]
        case "reject":
            let id = try r.requiredString("id", "the count to reject")
            try reviews.reject(id: id, reason: try r.string("reason") ?? "rejected by reviewer")
            return ["id": id]
        default:
            throw RequestError("unknown counts action '\(action)' (list, show, approve, reject)")
        }
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
        case "rmas": return try ExpectedImport.importFile(.rmas, path: path, into: stores)
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
            throw RequestError("unknown import kind '\(kind)' (items, locations, asn, orders, rmas)")
        }
    }
}
