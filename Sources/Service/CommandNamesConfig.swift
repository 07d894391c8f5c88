import ScanModel
import Stations

extension ServiceConfig {
    /// The config keys of the command barcodes, in the order docs/config.md lists them.
    static var commandKeys: [(key: String, name: WritableKeyPath<CommandNames, String>)] { [
        ("close", \.close), ("partial", \.partial), ("override", \.override), ("confirm", \.confirm),
        ("undo", \.undo), ("cancel", \.cancel), ("complete", \.complete), ("short_pack", \.shortPack), ("short_pick", \.shortPick),
        ("count_start", \.countStart), ("count_stop", \.countStop), ("sign_out", \.signOut), ("pass", \.pass),
        ("restock", \.restock), ("quarantine", \.quarantine), ("damaged", \.damaged), ("hold_lot", \.holdLot), ("return_to_vendor", \.returnToVendor),
    ] }

    /// `"commands": {"close": "FERTIG", …}`: a site whose scanners carry
    /// command barcodes in its own language names them here. A value is the
    /// text after the command pattern (`CMD:FERTIG` with the default
    /// `CMD:*`); two commands may not share one, or one barcode would mean two things.
    static func parseCommands(_ node: ConfigNode?) throws -> CommandNames {
        var names = CommandNames()
        guard let node else { return names }
        try node.rejectUnknownKeys(allowed: Set(["_comment"] + commandKeys.map(\.key)))
        var seen: [String: String] = [:]
        for (key, name) in commandKeys {
            guard let child = try node.optional(key) else { continue }
            names[keyPath: name] = try child.nonEmptyString()
        }
        for (key, name) in commandKeys {
            let value = names[keyPath: name]
            if let other = seen[value] {
                throw node.error(key: key, "'\(value)' is already the \(other) command")
            }
            seen[value] = key
        }
        return names
    }
}
