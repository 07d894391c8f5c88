import Foundation

#if FUZZING
// Built with `-sanitize=fuzzer -D FUZZING` (Tests/Fuzz/run.sh). SwiftPM
// routes an executable's main() to this module's @main, so rather than
// libFuzzer's own main() we hand control to its driver entry point.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@main
struct FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzTestOneInput))
    }
}

nonisolated(unsafe) private var target: (([UInt8]) -> Void)? = nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if target == nil {
        let chosen = FuzzTargets.selected()
        guard chosen.count == 1 else {
            let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
            FileHandle.standardError.write(Data("set SCANLEDGER_FUZZ_TARGET to one of: \(names)\n".utf8))
            exit(2)
        }
        target = chosen[0].run
    }
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    target?(bytes)
    return 0
}
#else
// Normal build: a corpus replayer, so the drivers stay compiled and the
// seed corpus is re-run by the tests. `scanledger-fuzz FILE|DIR…` runs the
// selected target(s) (all without SCANLEDGER_FUZZ_TARGET) over every file.
@main
struct FuzzReplayer {
    static func main() {
        let paths = Array(CommandLine.arguments.dropFirst())
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data("usage: [SCANLEDGER_FUZZ_TARGET=name] scanledger-fuzz FILE|DIR…\n".utf8))
            exit(2)
        }
        let files = paths.flatMap(expand)
        let targets = FuzzTargets.selected()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
                exit(2)
            }
            for t in targets { t.run(Array(data)) }
        }
        print("replayed \(files.count) inputs through \(targets.map(\.name).joined(separator: ", "))")
    }

    static func expand(_ path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue,
              let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [path] }
        return names.filter { !$0.hasPrefix(".") }.sorted().flatMap { expand(path + "/" + $0) }
    }
}
#endif
