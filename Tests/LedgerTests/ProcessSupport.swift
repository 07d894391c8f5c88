import Foundation
import Testing

/// Finds built executables and runs them for the CLI, durability and schema tests.
enum ProcessSupport {
    /// The `scanledger` binary built next to this test bundle (`swift build --build-tests`
    /// builds every product into the same directory).
    static func scanledger() throws -> URL {
        var candidates: [URL] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("scanledger"))
        }
        if let bundle = Bundle.main.executableURL {
            candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("scanledger"))
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/scanledger"))
        for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) { return c }
        throw TestFailure("scanledger binary not found (looked at \(candidates.map(\.path).joined(separator: ", "))); build it with `swift build --build-tests`")
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `executable` with `arguments`, feeding `stdin`, and waits.
    static func run(_ executable: URL, _ arguments: [String], stdin: String = "", environment: [String: String] = [:]) throws -> Output {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let input = Pipe(), output = Pipe(), errors = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = errors
        try p.run()
        let collector = PipeCollector(output.fileHandleForReading)
        let errorCollector = PipeCollector(errors.fileHandleForReading)
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: collector.text(), stderr: errorCollector.text())
    }

    /// Starts `scanledger post --db db` reading `stdin`, its answers counted as they come.
    static func startPost(_ binary: URL, db: String, stdin: URL) throws -> (Process, LineCounter) {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["post", "--db", db]
        p.standardInput = try FileHandle(forReadingFrom: stdin)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        return (p, LineCounter(out.fileHandleForReading))
    }

    /// Runs /usr/bin/python3 with a script; fails clearly when python is missing.
    static func python(_ script: String, _ arguments: [String]) throws -> Output {
        let python = URL(fileURLWithPath: "/usr/bin/python3")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw TestFailure("/usr/bin/python3 is missing: install the Debian packages python3 and python3-jsonschema (`make deps`)")
        }
        return try run(python, ["-c", script] + arguments)
    }
}

/// Reads a pipe to its end on a background thread.
final class PipeCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }
    func text() -> String {
        done.wait()
        done.signal()
        return String(decoding: data, as: UTF8.self)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A seeded ledger file (closed, so only the CLI writes it) and the built
/// `scanledger`; `run` adds `--db`.
struct CLILedger {
    let binary: URL
    let t: TestLedger

    init() throws {
        binary = try ProcessSupport.scanledger()
        t = try TestLedger()
        t.ledger.close()
    }

    func run(_ args: [String], stdin: String = "") throws -> ProcessSupport.Output {
        try ProcessSupport.run(binary, args + ["--db", t.path], stdin: stdin)
    }
}
