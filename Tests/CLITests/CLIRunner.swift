import Foundation

/// Runs the built executables (`scanledger`, `scanledgerd`, `scanledger-bench`,
/// `scanledger-fuzz`) the way a user would. They sit next to the test bundle in the build directory.
enum CLI {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func executable(_ name: String) -> URL? {
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first {
            var dir = URL(fileURLWithPath: first).deletingLastPathComponent()
            // The test binary may sit inside an .xctest bundle directory.
            for _ in 0..<3 {
                candidates.append(dir.appendingPathComponent(name))
                dir = dir.deletingLastPathComponent()
            }
        }
        candidates.append(repoRoot.appendingPathComponent(".build/debug/\(name)"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
        var json: [[String: Any]] {
            lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        }
    }

    struct NotBuilt: Error, CustomStringConvertible {
        let name: String
        var description: String { "\(name) is not built next to the tests; run swift build --build-tests" }
    }

    static func run(_ name: String, _ arguments: [String], stdin: Data? = nil) throws -> Output {
        guard let url = executable(name) else { throw NotBuilt(name: name) }
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }
}
