/// `scanledger device attached|detached PATH`: what udev's
/// scanledger-attach@.service tells the daemon when a scanner or reader is
/// plugged in or pulled out. Configured devices on that path reconnect at
/// once instead of after their backoff.
let deviceCommand = Command(name: "device", summary: "tell scanledgerd a device node appeared or went (udev hotplug)") { argv in
    let synopsis = "attached|detached PATH [--socket PATH] [--json]"
    return ControlClient.run("device", synopsis, argv, build: { a in
        guard a.positionals.count == 2, ["attached", "detached"].contains(a.positionals[0]) else {
            throw ControlClient.Failure(description: "expected: device \(synopsis)")
        }
        return ["cmd": "device-\(a.positionals[0])", "path": a.positionals[1]]
    }) { answer in
        let names = answer["devices"] as? [String] ?? []
        return names.isEmpty ? "no configured device uses that path\n" : "reconnecting: \(names.joined(separator: ", "))\n"
    }
}
