/// What a command accepts, declared once: the parser checks a command line
/// against it and the help text is written from it, so the two never drift.
/// Every executable (`scanledger`, `scanledgerd`, `scanledger-bench`) is one
/// `CommandSpec`, its subcommands nested ones.
public struct CommandSpec: Sendable {
    public let name: String
    /// One line, shown in the parent's command list and under the usage line.
    public let summary: String
    public let positionals: [PositionalSpec]
    public let options: [OptionSpec]
    /// When not empty, the first positional word picks one of these.
    public let subcommands: [CommandSpec]
    /// Free text after the option list: rules between options, examples, documents to read.
    public let notes: String
    /// What the command does once its arguments are valid; returns the exit
    /// status. A thrown `ArgumentError` exits 2, any other error exits 1.
    public let run: (@Sendable (ParsedArguments) throws -> Int32)?

    public init(_ name: String, summary: String, positionals: [PositionalSpec] = [], options: [OptionSpec] = [],
                subcommands: [CommandSpec] = [], notes: String = "",
                run: (@Sendable (ParsedArguments) throws -> Int32)? = nil) {
        precondition(subcommands.isEmpty || positionals.isEmpty, "\(name): a command takes subcommands or positionals, not both")
        precondition(positionals.filter(\.arity.isVariadic).count <= 1, "\(name): at most one variadic positional")
        var seen: Set<String> = ["-h", "--help"]
        for option in options {
            for spelling in option.spellings { precondition(seen.insert(spelling).inserted, "\(name): option \(spelling) declared twice") }
        }
        self.name = name
        self.summary = summary
        self.positionals = positionals
        self.options = options
        self.subcommands = subcommands
        self.notes = notes
        self.run = run
    }

    func option(named spelling: String) -> OptionSpec? {
        options.first { $0.spellings.contains(spelling) }
    }

    func subcommand(named word: String) -> CommandSpec? {
        subcommands.first { $0.name == word }
    }
}

/// `--name VALUE` or a `--flag`, with optional short aliases (`-o`).
public struct OptionSpec: Sendable {
    /// The canonical spelling, the key `ParsedArguments` answers to.
    public let name: String
    public let aliases: [String]
    /// The placeholder in help (`PATH`); nil for a flag.
    public let valueName: String?
    public let help: String
    public let defaultValue: String?
    /// When not empty, the only values accepted.
    public let choices: [String]
    /// Whether it may be given more than once; once-only options given twice are an error.
    public let repeatable: Bool
    /// Whether leaving it out is a usage error (checked on the command that runs).
    public let required: Bool

    public var isFlag: Bool { valueName == nil }
    var spellings: [String] { [name] + aliases }

    public static func flag(_ name: String, aliases: [String] = [], _ help: String) -> OptionSpec {
        OptionSpec(name: name, aliases: aliases, valueName: nil, help: help, defaultValue: nil, choices: [], repeatable: true, required: false)
    }

    public static func value(_ name: String, _ valueName: String, aliases: [String] = [], _ help: String,
                             default defaultValue: String? = nil, choices: [String] = [], repeatable: Bool = false,
                             required: Bool = false) -> OptionSpec {
        precondition(name.hasPrefix("--") && aliases.allSatisfy { $0.hasPrefix("-") }, "\(name): options start with a dash")
        precondition(!required || defaultValue == nil, "\(name): a required option has no default")
        return OptionSpec(name: name, aliases: aliases, valueName: valueName, help: help, defaultValue: defaultValue,
                          choices: choices, repeatable: repeatable, required: required)
    }
}

/// A word that is not an option, named in help and in errors (`FILE`).
public struct PositionalSpec: Sendable {
    public enum Arity: Sendable {
        case required, optional, zeroOrMore, oneOrMore

        var isVariadic: Bool { self == .zeroOrMore || self == .oneOrMore }
        var minimum: Int { self == .required || self == .oneOrMore ? 1 : 0 }
    }

    public let name: String
    public let arity: Arity
    public let help: String
    public let choices: [String]

    public init(_ name: String, _ arity: Arity = .required, _ help: String, choices: [String] = []) {
        self.name = name
        self.arity = arity
        self.help = help
        self.choices = choices
    }
}

/// The exit statuses every executable uses, and its help text states.
public enum ExitStatus {
    public static let ok: Int32 = 0
    public static let failed: Int32 = 1
    public static let usage: Int32 = 2
    public static let helpLine = "exit codes: 0 ok, 1 failed, 2 usage error"
}
