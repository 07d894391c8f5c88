/// `scanledger stations`: each station's open session as the operator sees it.
let stationsCommand = Command(name: "stations", summary: "show scanledgerd's stations and open sessions") { argv in
    ControlClient.run("stations", "[--socket PATH] [--json]", argv, build: { _ in ["cmd": "stations"] }) { a in
        (a["stations"] as? [[String: Any]] ?? []).map { ($0["text"] as? String ?? "") + "\n" }.joined()
    }
}
