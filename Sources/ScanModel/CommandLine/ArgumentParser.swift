/// Checks a command line against a `CommandSpec`. Pure: no printing, no
/// exit; `CommandLineTool.run` does those. Rules, the same for every command:
/// `--name value` and `--name=value` both work; `-h`/`--help` anywhere before
/// `--` asks for the help of the command word it follows; `--` makes every
/// later word a positional; a lone `-` is a positional (stdin).
public enum ArgumentParser {
    public enum Outcome: Sendable {
        /// Run `parsed.command.run`.
        case run(ParsedArguments)
        /// Print this help text and exit 0.
        case help(String)
    }

    public static func parse(_ spec: CommandSpec, _ arguments: [String]) throws(ArgumentError) -> Outcome {
        var parsed = ParsedArguments(levels: [])
        return try parseLevel(spec, arguments[...], into: &parsed)
    }

    private static func parseLevel(_ spec: CommandSpec, _ arguments: ArraySlice<String>,
                                   into parsed: inout ParsedArguments) throws(ArgumentError) -> Outcome {
        parsed.levels.append(ParsedArguments.Level(spec: spec))
        let path = parsed.levels.map(\.spec)
        func fail(_ message: String) -> ArgumentError {
            ArgumentError(command: parsed.commandName, message: message, usage: UsageText.synopsis(path))
        }
        var words: [String] = []
        var optionsEnded = false
        var rest = arguments
        while let word = rest.popFirst() {
            if optionsEnded || word == "-" || !word.hasPrefix("-") {
                if !spec.subcommands.isEmpty {
                    guard let child = spec.subcommand(named: word) else { throw fail(unknownCommand(word, in: spec)) }
                    return try parseLevel(child, rest, into: &parsed)
                }
                words.append(word)
                continue
            }
            if word == "--" { optionsEnded = true; continue }
            if word == "-h" || word == "--help" { return .help(UsageText.help(path)) }
            var spelling = word, inline: String? = nil
            if word.hasPrefix("--"), let eq = word.firstIndex(of: "=") {
                spelling = String(word[..<eq])
                inline = String(word[word.index(after: eq)...])
            }
            guard let option = spec.option(named: spelling) else { throw fail(unknownOption(spelling, in: spec)) }
            if option.isFlag {
                guard inline == nil else { throw fail("\(option.name) takes no value") }
                parsed.levels[parsed.levels.count - 1].flags.insert(option.name)
                continue
            }
            let value: String
            if let inline {
                value = inline
            } else if let next = rest.first, !looksLikeOption(next, in: spec) {
                value = next
                rest = rest.dropFirst()
            } else {
                throw fail("\(option.name) needs a value (\(option.valueName ?? "VALUE"))")
            }
            if !option.choices.isEmpty, !option.choices.contains(value) {
                throw fail("\(option.name) must be one of \(option.choices.joined(separator: ", ")), not '\(value)'")
            }
            let earlier = parsed.levels[parsed.levels.count - 1].values[option.name, default: []]
            if !option.repeatable, let first = earlier.first {
                throw fail("\(option.name) given twice ('\(first)' and '\(value)'); give it once")
            }
            parsed.levels[parsed.levels.count - 1].values[option.name] = earlier + [value]
        }
        if !spec.subcommands.isEmpty {
            throw fail("missing command: say \(spec.subcommands.map(\.name).joined(separator: ", "))")
        }
        for option in spec.options where option.required && parsed.values(option.name).isEmpty {
            throw fail("missing \(option.name) \(option.valueName ?? "")")
        }
        parsed.levels[parsed.levels.count - 1].positionals = try assign(words, to: spec.positionals, fail: fail)
        return .run(parsed)
    }

    /// Left to right; each positional takes what it can while leaving enough
    /// words for the ones after it that are required.
    private static func assign(_ words: [String], to specs: [PositionalSpec],
                               fail: (String) -> ArgumentError) throws(ArgumentError) -> [String: [String]] {
        var out: [String: [String]] = [:]
        var next = 0
        // Too few words: the first positional left short when each takes only its minimum is the one missing.
        var shortBy = words.count
        for spec in specs {
            shortBy -= spec.arity.minimum
            if shortBy < 0 { throw fail("missing \(spec.name)") }
        }
        for (index, spec) in specs.enumerated() {
            let neededLater = specs[(index + 1)...].reduce(0) { $0 + $1.arity.minimum }
            let available = max(0, words.count - next - neededLater)
            let take: Int
            switch spec.arity {
            case .required, .optional: take = min(1, available)
            case .zeroOrMore, .oneOrMore: take = available
            }
            if take < spec.arity.minimum { throw fail("missing \(spec.name)") }
            let taken = Array(words[next..<(next + take)])
            for word in taken where !spec.choices.isEmpty && !spec.choices.contains(word) {
                let hint = Suggestion.closest(to: word, among: spec.choices).map { " (did you mean \($0)?)" } ?? ""
                throw fail("\(spec.name) must be one of \(spec.choices.joined(separator: ", ")), not '\(word)'\(hint)")
            }
            out[spec.name] = taken
            next += take
        }
        if next < words.count { throw fail("unexpected argument '\(words[next])'") }
        return out
    }

    /// A declared option (or help) right after an option that wants a value
    /// means the value was forgotten; anything else, `-` or `-5` included, is the value.
    private static func looksLikeOption(_ word: String, in spec: CommandSpec) -> Bool {
        let spelling = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
        return word == "-h" || word == "--help" || word == "--" || spec.option(named: spelling) != nil
    }

    private static func unknownOption(_ spelling: String, in spec: CommandSpec) -> String {
        let known = spec.options.flatMap(\.spellings) + ["--help"]
        if let near = Suggestion.closest(to: spelling, among: known) { return "unknown option '\(spelling)' (did you mean \(near)?)" }
        if let owner = spec.subcommands.first(where: { $0.option(named: spelling) != nil }) {
            return "unknown option '\(spelling)' (\(spec.name) \(owner.name) takes it: give it after '\(owner.name)')"
        }
        return "unknown option '\(spelling)'"
    }

    private static func unknownCommand(_ word: String, in spec: CommandSpec) -> String {
        let names = spec.subcommands.map(\.name)
        let hint = Suggestion.closest(to: word, among: names).map { " (did you mean \($0)?)" } ?? ""
        return "unknown command '\(word)'\(hint); commands: \(names.joined(separator: ", "))"
    }
}

/// "Did you mean": the closest name within a couple of typing slips.
enum Suggestion {
    static func closest(to word: String, among names: [String]) -> String? {
        let target = Array(word.drop { $0 == "-" })
        guard target.count >= 3 else { return nil } // `-x` is not a slip of `-h`
        let scored = names.map { ($0, distance(target, Array($0.drop { $0 == "-" }))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= min(2, max(1, target.count / 3)) else { return nil }
        return best.0
    }

    /// Edit distance counting a swap of two neighbours as one slip (`lcoation`).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
