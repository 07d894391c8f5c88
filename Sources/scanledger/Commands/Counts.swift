/// `scanledger counts list|show ID|approve ID [--accept-conflict]|reject ID [--reason TEXT]`.
let countsCommand = Command(name: "counts", summary: "review shelf counts: list, show, approve, reject") { argv in
    let synopsis = "list [--all] | show ID | approve ID [--accept-conflict] | reject ID [--reason TEXT]  [--socket PATH] [--json]"
    return ControlClient.run("counts", synopsis, argv, options: ["--reason"], flags: ["--all", "--accept-conflict"], build: { args in
        guard let action = args.positionals.first, ["list", "show", "approve", "reject"].contains(action) else {
            throw ControlClient.Failure(description: "give list, show, approve or reject")
        }
        var r: [String: Any] = ["cmd": "counts", "action": action]
        if action != "list" {
            guard args.positionals.count == 2 else { throw ControlClient.Failure(description: "\(action) needs the count's id") }
            r["id"] = args.positionals[1]
        }
        if args.flags.contains("--all") { r["all"] = true }
        if args.flags.contains("--accept-conflict") { r["accept_conflict"] = true }
        if let reason = args.options["--reason"] { r["reason"] = reason }
        return r
    }) { a in
        let header = ["id", "station", "location", "status", "found", "missing", "misplaced", "unknown", "accuracy"]
        func row(_ c: [String: Any]) -> [String] {
            header.map { k in k == "accuracy" ? ((c[k] as? Double).map { String(Int(($0 * 100).rounded())) + "%" } ?? "-") : ControlClient.text(c[k]) }
        }
        if let list = a["counts"] as? [[String: Any]] { return ControlClient.table(header, list.map(row)) }
        if let c = a["count"] as? [String: Any] {
            var out = ControlClient.table(header, [row(c)])
            for (title, key) in [("missing", "missing_units"), ("misplaced", "misplaced_units"), ("unknown", "unknown_serials")] {
                for u in c[key] as? [[String: Any]] ?? [] {
                    out += "  \(title): \(ControlClient.text(u["item"])) serial \(ControlClient.text(u["serial"]))"
                    out += u["ledger_location"].map { " (ledger: \(ControlClient.text($0)))" } ?? ""
                    out += "\n"
                }
            }
            return out
        }
        if let id = a["id"] as? String { return "count \(id) rejected\n" }
        return ControlClient.json(a) + "\n"
    }
}
