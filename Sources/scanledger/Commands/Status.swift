import ScanModel

/// `scanledger status`: the daemon's one-screen summary.
let statusCommand = CommandSpec("status", summary: "show scanledgerd's status (over its control socket)",
                                options: ControlClient.options) { args in
    ControlClient.run(args, ["cmd": "status"]) { a in
        let keys = ["box_id", "status", "uptime_seconds", "ledger", "ledger_sequence", "ledger_postings", "postings_since_start", "rejected_since_start", "open_sessions", "live"]
        return ControlClient.table(["key", "value"], keys.map { [$0, ControlClient.text(a[$0])] })
    }
}
