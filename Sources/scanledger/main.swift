import Foundation

// `scanledger`: the command-line companion. Wiring only; see Commands.swift.

func usage() -> String {
    var text = "usage: scanledger COMMAND [ARGS…]\n\ncommands:\n"
    for c in commands { text += "  \(c.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(c.summary)\n" }
    return text
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, name != "-h", name != "--help" else {
    FileHandle.standardError.write(Data(usage().utf8))
    exit(arguments.isEmpty ? 2 : 0)
}
guard let command = commands.first(where: { $0.name == name }) else {
    FileHandle.standardError.write(Data("scanledger: unknown command '\(name)'\n\n\(usage())".utf8))
    exit(2)
}
exit(command.run(Array(arguments.dropFirst())))
