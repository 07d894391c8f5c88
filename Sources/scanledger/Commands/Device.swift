import ScanModel

/// `scanledger device attached|detached PATH`: what udev's
/// scanledger-attach@.service tells the daemon when a scanner or reader is
/// plugged in or pulled out. Configured devices on that path reconnect at
/// once instead of after their backoff.
let deviceCommand = CommandSpec("device", summary: "tell scanledgerd a device node appeared or went (udev hotplug)", positionals: [
    PositionalSpec("EVENT", .required, "what udev saw", choices: ["attached", "detached"]),
    PositionalSpec("PATH", .required, "the device node, e.g. /dev/ttyACM0"),
], options: ControlClient.options) { args in
    ControlClient.run(args, ["cmd": "device-\(args.positional("EVENT") ?? "")", "path": args.positional("PATH") ?? ""]) { answer in
        let names = answer["devices"] as? [String] ?? []
        return names.isEmpty ? "no configured device uses that path\n" : "reconnecting: \(names.joined(separator: ", "))\n"
    }
}
