import Devices
import Foundation
import ScanModel

/// `scanledger simulate [--links DIR] SCENARIO|-`: plays a scenario through
/// simulated devices on pseudo-terminals, so a config can be tried with no
/// hardware. Each device's pty path is printed as it is created; with
/// `--links DIR`, DIR/NAME is a symlink to it for use as a config `port`.
let simulateCommand = CommandSpec("simulate", summary: "drive simulated devices on pseudo-terminals from a scenario",
                                  positionals: [PositionalSpec("SCENARIO", .required, "a scenario file, or - to type steps one per line")],
                                  options: [.value("--links", "DIR", "make DIR/NAME a symlink to each device's pty, for a config's port")],
                                  notes: "Steps: see docs/simulate.md.") { args in
    let links = args.value("--links"), file = args.positional("SCENARIO") ?? "-"
    let link: (SimulatedDevice) throws -> Void = { device in
        if let links, device.kind != .llrp {   // a network reader has an address, not a node
            let path = links + "/" + device.name
            unlink(path)
            guard symlink(device.path, path) == 0 else {
                throw SimulationError("cannot link \(path): \(String(cString: strerror(errno)))")
            }
        }
        printNow("device \(device.name) \(device.kind.rawValue) \(device.path)")
    }
    do {
        if let links { try FileManager.default.createDirectory(atPath: links, withIntermediateDirectories: true) }
        if file == "-" { return interactive(link) }
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try Scenario.parse(text, file: file).run(created: link, say: printNow)
        return 0
    } catch {
        FileHandle.standardError.write(Data("scanledger simulate: \(error)\n".utf8))
        return 1
    }
}

/// Steps typed (or piped) one per line, performed as they arrive; a bad
/// line is reported and the session goes on. Exit 1 if any line failed.
private func interactive(_ link: @escaping (SimulatedDevice) throws -> Void) -> Int32 {
    let player = ScenarioPlayer(file: "<stdin>", created: link, say: printNow)
    var declared: Set<String> = []
    var number = 0
    var failed = false
    while let text = readLine(strippingNewline: true) {
        number += 1
        do {
            if let line = try Scenario.parseLine(text, number: number, file: "<stdin>", declared: &declared) {
                try player.perform(line)
            }
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            failed = true
        }
    }
    return failed ? 1 : 0
}

/// Unbuffered, so a script waiting for a device's path sees it at once.
private func printNow(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
