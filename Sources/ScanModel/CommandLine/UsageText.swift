/// Help and usage lines written from the spec, so the text always matches
/// what the parser accepts.
enum UsageText {
    /// `usage: scanledger stock [--location L] … ` for the innermost command of `path`.
    static func synopsis(_ path: [CommandSpec]) -> String {
        guard let spec = path.last else { return "" }
        var words = ["usage:", path.map(\.name).joined(separator: " ")]
        for option in spec.options {
            let shown = option.isFlag ? option.name : "\(option.name) \(placeholder(option))"
            words.append(option.required ? shown : option.repeatable && !option.isFlag ? "[\(shown)]…" : "[\(shown)]")
        }
        if !spec.subcommands.isEmpty { words.append("COMMAND [ARGS…]") }
        for positional in spec.positionals {
            let name = positional.choices.isEmpty || positional.choices.count > 4 ? positional.name : positional.choices.joined(separator: "|")
            switch positional.arity {
            case .required: words.append(name)
            case .optional: words.append("[\(name)]")
            case .zeroOrMore: words.append("[\(name)…]")
            case .oneOrMore: words.append("\(name)…")
            }
        }
        return words.joined(separator: " ")
    }

    /// The whole help: usage, summary, arguments, options, commands, notes, exit codes.
    static func help(_ path: [CommandSpec]) -> String {
        guard let spec = path.last else { return "" }
        var text = synopsis(path) + "\n\n" + spec.summary + "\n"
        let arguments = spec.positionals.map { p -> (String, String) in
            (p.name, p.help + (p.choices.isEmpty ? "" : " (one of: \(p.choices.joined(separator: ", ")))"))
        }
        text += section("arguments", arguments)
        var options = spec.options.map { o -> (String, String) in
            let names = (o.aliases + [o.name]).joined(separator: ", ")
            var help = o.help
            if let d = o.defaultValue { help += " (default: \(d))" }
            if o.repeatable && !o.isFlag { help += " (may be repeated)" }
            if o.required { help += " (required)" }
            return (o.isFlag ? names : "\(names) \(placeholder(o))", help)
        }
        options.append(("-h, --help", "print this help and exit"))
        text += section("options", options)
        text += section("commands", spec.subcommands.map { ($0.name, $0.summary) })
        if !spec.notes.isEmpty { text += "\n" + spec.notes + (spec.notes.hasSuffix("\n") ? "" : "\n") }
        return text + "\n" + ExitStatus.helpLine + "\n"
    }

    private static func placeholder(_ option: OptionSpec) -> String {
        option.choices.isEmpty ? option.valueName ?? "" : option.choices.joined(separator: "|")
    }

    /// A titled list with the left column padded to one width.
    private static func section(_ title: String, _ rows: [(String, String)]) -> String {
        guard !rows.isEmpty else { return "" }
        let width = min(28, rows.map(\.0.count).max() ?? 0)
        var text = "\n\(title):\n"
        for (left, right) in rows {
            let padded = left.count >= width ? left : left + String(repeating: " ", count: width - left.count)
            text += "  \(padded)  \(right)\n"
        }
        return text
    }
}
