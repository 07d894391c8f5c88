/// A command line that passed its spec. One level per command word
/// (`scanledger`, `central`, `stock`); a lookup walks from the innermost
/// level out, so an option given after the subcommand wins over the same
/// option given before it, and an option only the parent declares (the
/// global `--db`) is still visible to the subcommand.
public struct ParsedArguments: Sendable {
    struct Level: Sendable {
        let spec: CommandSpec
        var values: [String: [String]] = [:]
        var flags: Set<String> = []
        var positionals: [String: [String]] = [:]
    }

    var levels: [Level]

    /// The command words, `scanledger central stock`, for messages.
    public var commandName: String { levels.map(\.spec.name).joined(separator: " ") }
    /// The spec of the innermost command, the one that runs.
    public var command: CommandSpec { levels[levels.count - 1].spec }

    public func flag(_ name: String) -> Bool {
        levels.contains { $0.flags.contains(declared(name, flag: true)) }
    }

    /// The last value given (innermost level first), else the declared default.
    public func value(_ name: String) -> String? {
        values(name).last ?? levels.reversed().lazy.compactMap { $0.spec.option(named: name)?.defaultValue }.first
    }

    /// Every value given, in order, from the innermost level that has any.
    public func values(_ name: String) -> [String] {
        let key = declared(name, flag: false)
        return levels.reversed().lazy.compactMap { $0.values[key] }.first ?? []
    }

    public func positional(_ name: String) -> String? { positionals(name).first }

    public func positionals(_ name: String) -> [String] {
        precondition(levels.contains { $0.spec.positionals.contains { $0.name == name } },
                     "\(commandName) declares no positional \(name)")
        return levels.reversed().lazy.compactMap { $0.positionals[name] }.first ?? []
    }

    /// The value as an integer in `range`, or nil when not given; anything
    /// else is a usage error naming the option and the value.
    public func int(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(ArgumentError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let n = Int(text), range.contains(n) else { throw usageError("\(name) wants \(Self.describe(range)), not '\(text)'") }
        return n
    }

    /// The value as a number greater than zero, or nil when not given.
    public func positiveDouble(_ name: String) throws(ArgumentError) -> Double? {
        guard let text = value(name) else { return nil }
        guard let n = Double(text), n > 0, n.isFinite else { throw usageError("\(name) wants a positive number, not '\(text)'") }
        return n
    }

    /// A usage error (exit 2) for a rule the spec cannot state, such as two options that exclude each other.
    public func usageError(_ message: String) -> ArgumentError {
        ArgumentError(command: commandName, message: message, usage: UsageText.synopsis(levels.map(\.spec)))
    }

    /// A name no level declares is a bug in the command's code, not in its input.
    private func declared(_ name: String, flag: Bool) -> String {
        guard let option = levels.lazy.compactMap({ $0.spec.option(named: name) }).first else {
            preconditionFailure("\(commandName) declares no option \(name)")
        }
        precondition(option.isFlag == flag, "\(commandName): \(name) is \(option.isFlag ? "a flag" : "an option with a value")")
        return option.name
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (Int.min, Int.max): return "a whole number"
        case (let low, Int.max): return "a whole number of at least \(low)"
        case (let low, let high): return "a whole number from \(low) to \(high)"
        }
    }
}

/// A command line that does not fit its spec: exit 2, with the message
/// naming the option, value or argument, and the usage line.
public struct ArgumentError: Error, CustomStringConvertible, Sendable {
    /// `scanledger stock`.
    public let command: String
    public let message: String
    /// The usage line(s) of the command the error is about.
    public let usage: String

    public var description: String { "\(command): \(message)" }
}
