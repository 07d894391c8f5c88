import ScanModel

/// `scanledger status`: the daemon's one-screen summary.
let statusCommand = CommandSpec("status", summary: "show scanledgerd's status (over its control socket)",
                                options: ControlClient.options) { args in
    ControlClient.run(args, ["cmd": "status"]) { a in
        let keys = ["box_id", "status", "uptime_seconds", "ledger", "ledger_sequence", "ledger_postings", "postings_since_start", "rejected_since_start",
                    "open_sessions", "live", "live_problem", "storage_full"]
        var rows = keys.map { [$0, ControlClient.text(a[$0])] }
        // A full disk: since when, what refused, what was lost to the journal
        // (docs/operations.md, "Disk full"). Failed checkpoints show whenever there were any.
        if let s = a["storage"] as? [String: Any] {
            var storageKeys = (s["full"] as? Bool == true) ? ["full_since", "full_error", "refused_writes", "journal_entries_held_back"] : []
            if (s["checkpoint_failures"] as? Int ?? 0) > 0 { storageKeys += ["checkpoint_failures", "last_checkpoint_error"] }
            rows += storageKeys.map { ["storage.\($0)", ControlClient.text(s[$0])] }
        }
        // Forwarding, when configured: a wrong password or an unreachable
        // server shows here, not only in the log.
        if let f = a["forwarding"] as? [String: Any] {
            let forwardingKeys = ["state", "connected", "forwarded_up_to", "backlog_postings", "backlog_journal_entries", "lag_seconds",
                                  "backlog_alarm", "consecutive_failures", "last_error"]
            rows += forwardingKeys.map { ["forwarding.\($0)", ControlClient.text(f[$0])] }
        } else {
            rows.append(["forwarding", "not configured"])
        }
        return ControlClient.table(["key", "value"], rows)
    }
}

/// `scanledger metrics`: the daemon's Prometheus text, as `/metrics` would serve it.
let metricsCommand = CommandSpec("metrics", summary: "print scanledgerd's metrics in the Prometheus text format (over its control socket)",
                                 options: ControlClient.options) { args in
    ControlClient.run(args, ["cmd": "metrics"]) { a in a["text"] as? String ?? "" }
}
