import Glibc

/// The one `main` every executable shares: parse, then print help (stdout,
/// exit 0), a usage error (stderr, exit 2) or run the command and return
/// its status (an error it throws: stderr, exit 1).
public enum CommandLineTool {
    public static func run(_ spec: CommandSpec, arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            switch try ArgumentParser.parse(spec, arguments) {
            case .help(let text):
                emit(text, to: STDOUT_FILENO)
                return ExitStatus.ok
            case .run(let p):
                parsed = p
            }
        } catch {
            report(error)
            return ExitStatus.usage
        }
        guard let body = parsed.command.run else { preconditionFailure("\(parsed.commandName) has no run") }
        do {
            return try body(parsed)
        } catch let error as ArgumentError {
            report(error)
            return ExitStatus.usage
        } catch {
            emit("\(parsed.commandName): \(error)\n", to: STDERR_FILENO)
            return ExitStatus.failed
        }
    }

    /// For a `main` that goes on after parsing (the daemon's runs until a
    /// signal): the arguments, or the help printed and exit 0, or the usage
    /// error printed and exit 2.
    public static func parseOrExit(_ spec: CommandSpec, arguments: [String]) -> ParsedArguments {
        do {
            switch try ArgumentParser.parse(spec, arguments) {
            case .help(let text):
                emit(text, to: STDOUT_FILENO)
                exit(ExitStatus.ok)
            case .run(let parsed):
                return parsed
            }
        } catch {
            report(error)
            exit(ExitStatus.usage)
        }
    }

    /// The message, the usage line, and where the full help is.
    public static func report(_ error: ArgumentError) {
        emit("\(error.command): \(error.message)\n\(error.usage)\nrun '\(error.command) --help' for more\n", to: STDERR_FILENO)
    }

    /// Straight to the descriptor: nothing waits in a buffer if the process is killed or calls exit.
    private static func emit(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
