import Foundation

// scanledger-bench NAME…: each benchmark prints one JSON line. Build with
// `-c release`; numbers are medians over repeated runs in one process, and
// every target is quoted beside a baseline measured in the same run.

let requested = Array(CommandLine.arguments.dropFirst())
if requested.isEmpty || requested == ["--list"] {
    for b in benchmarks { print(b.name) }
    exit(requested.isEmpty ? 2 : 0)
}
for name in requested == ["all"] ? benchmarks.map(\.name) : requested {
    guard let bench = benchmarks.first(where: { $0.name == name }) else {
        FileHandle.standardError.write(Data("scanledger-bench: unknown benchmark '\(name)'\n".utf8))
        exit(2)
    }
    var result: [String: Any] = bench.run()
    result["benchmark"] = name
    let json = try! JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
}
