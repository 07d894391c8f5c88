import Foundation

// `scanledger`: the command-line companion. Wiring only; see Commands.swift.

func usage() -> String {
    var text = "usage: scanledger [--db PATH] COMMAND [ARGS…]\n\ncommands:\n"
    for c in commands { text += "  \(c.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(c.summary)\n" }
    return text
}

var arguments = Array(CommandLine.arguments.dropFirst())
// A global `--db PATH` before the command means the same as SCANLEDGER_DB,
// which every database command reads (and `--db` after the command overrides).
while arguments.first == "--db" || arguments.first?.hasPrefix("--db=") == true {
    let first = arguments.removeFirst()
    let path: String
    if first == "--db" {
        guard !arguments.isEmpty else {
            FileHandle.standardError.write(Data("scanledger: --db needs a path\n".utf8))
            exit(2)
        }
        path = arguments.removeFirst()
    } else {
        path = String(first.dropFirst("--db=".count))
    }
    setenv("SCANLEDGER_DB", path, 1)
}
guard let name = arguments.first, name != "-h", name != "--help" else {
    FileHandle.standardError.write(Data(usage().utf8))
    exit(arguments.isEmpty ? 2 : 0)
}
guard let command = commands.first(where: { $0.name == name }) else {
    FileHandle.standardError.write(Data("scanledger: unknown command '\(name)'\n\n\(usage())".utf8))
    exit(2)
}
exit(command.run(Array(arguments.dropFirst())))
