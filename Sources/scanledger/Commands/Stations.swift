import ScanModel

/// `scanledger stations`: each station's open session as the operator sees it.
let stationsCommand = CommandSpec("stations", summary: "show scanledgerd's stations and open sessions",
                                  options: ControlClient.options) { args in
    ControlClient.run(args, ["cmd": "stations"]) { a in
        (a["stations"] as? [[String: Any]] ?? []).map { ($0["text"] as? String ?? "") + "\n" }.joined()
    }
}
