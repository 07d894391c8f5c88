import ScanModel

/// `scanledger devices`: each device with its connection state and counters.
let devicesCommand = CommandSpec("devices", summary: "list scanledgerd's devices with counters", options: ControlClient.options) { args in
    ControlClient.run(args, ["cmd": "devices"]) { a in
        let rows = (a["devices"] as? [[String: Any]] ?? []).map { d -> [String] in
            let c = d["counters"] as? [String: Any] ?? [:]
            return [d["name"], d["driver"], d["port"], d["state"], d["station"], c["tag_reads"], c["scans"], c["reconnects"], d["reason"]].map(ControlClient.text)
        }
        return ControlClient.table(["device", "driver", "port", "state", "station", "tag reads", "scans", "reconnects", "reason"], rows)
    }
}
