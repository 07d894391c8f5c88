import Devices
import Foundation

/// `scanledger simulate [--links DIR] SCENARIO|-`: plays a scenario through
/// simulated devices on pseudo-terminals, so a config can be tried with no
/// hardware. Each device's pty path is printed as it is created; with
/// `--links DIR`, DIR/NAME is a symlink to it for use as a config `port`.
let simulateCommand = Command(name: "simulate", summary: "drive simulated devices on pseudo-terminals from a scenario") { args in
    var links: String?
    var file: String?
    var rest = args[...]
    while let arg = rest.popFirst() {
        switch arg {
        case "--links":
            guard let dir = rest.popFirst() else { return usageError("simulate: --links needs a directory") }
            links = dir
        case "-h", "--help":
            print("usage: scanledger simulate [--links DIR] SCENARIO|-   (steps: see docs/simulate.md)")
            return 0
        default:
            guard file == nil else { return usageError("simulate: one scenario file only") }
            file = arg
        }
    }
    guard let file else { return usageError("usage: scanledger simulate [--links DIR] SCENARIO|-") }
    do {
        let text: String
        if file == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            text = try String(contentsOfFile: file, encoding: .utf8)
        }
        let scenario = try Scenario.parse(text, file: file == "-" ? "<stdin>" : file)
        if let links { try FileManager.default.createDirectory(atPath: links, withIntermediateDirectories: true) }
        try scenario.run(created: { device in
            if let links {
                let link = links + "/" + device.name
                unlink(link)
                guard symlink(device.path, link) == 0 else {
                    throw SimulationError("cannot link \(link): \(String(cString: strerror(errno)))")
                }
            }
            printNow("device \(device.name) \(device.kind.rawValue) \(device.path)")
        }, say: printNow)
        return 0
    } catch {
        FileHandle.standardError.write(Data("scanledger simulate: \(error)\n".utf8))
        return 1
    }
}

/// Unbuffered, so a script waiting for a device's path sees it at once.
private func printNow(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

private func usageError(_ message: String) -> Int32 {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    return 2
}
