import ScanModel

/// `scanledger counts list|show ID|approve ID [--accept-conflict]|reject ID [--reason TEXT]`.
let countsCommand = CommandSpec("counts", summary: "review shelf counts: list, show, approve, reject", options: ControlClient.options,
                                subcommands: [
    countsAction("list", "counts waiting for review", options: [.flag("--all", "include approved and rejected counts")]),
    countsAction("show", "one count with its missing, misplaced and unknown units", id: true),
    countsAction("approve", "post a count's differences to the ledger", id: true,
                 options: [.flag("--accept-conflict", "approve although the ledger moved since the count")]),
    countsAction("reject", "close a count without posting", id: true, options: [.value("--reason", "TEXT", "why, kept with the count")]),
])

private func countsAction(_ action: String, _ summary: String, id: Bool = false, options: [OptionSpec] = []) -> CommandSpec {
    CommandSpec(action, summary: summary, positionals: id ? [PositionalSpec("ID", .required, "the count's id (from counts list)")] : [],
                options: options + ControlClient.options) { args in
        var r: [String: Any] = ["cmd": "counts", "action": action]
        if id { r["id"] = args.positional("ID") }
        if action == "list", args.flag("--all") { r["all"] = true }
        if action == "approve", args.flag("--accept-conflict") { r["accept_conflict"] = true }
        if action == "reject", let reason = args.value("--reason") { r["reason"] = reason }
        return ControlClient.run(args, r, render: renderCounts)
    }
}

private func renderCounts(_ a: [String: Any]) -> String {
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
