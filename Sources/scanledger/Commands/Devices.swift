/// `scanledger devices`: each device with its connection state and counters.
let devicesCommand = Command(name: "devices", summary: "list scanledgerd's devices with counters") { argv in
    ControlClient.run("devices", "[--socket PATH] [--json]", argv, build: { _ in ["cmd": "devices"] }) { a in
        let rows = (a["devices"] as? [[String: Any]] ?? []).map { d -> [String] in
            let c = d["counters"] as? [String: Any] ?? [:]
            return [d["name"], d["driver"], d["port"], d["connected"], d["station"], c["tag_reads"], c["scans"], c["reconnects"]].map(ControlClient.text)
        }
        return ControlClient.table(["device", "driver", "port", "connected", "station", "tag reads", "scans", "reconnects"], rows)
    }
}
