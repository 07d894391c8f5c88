import Devices
import Foundation

/// `scanledger replay --driver NAME [--raw] [--options WORDS] [--byte-by-byte] [FILE|-]`:
/// feeds a capture log (or raw device bytes) through a driver and prints one
/// JSON object per event.
let replayCommand = Command(name: "replay", summary: "decode a capture log or raw bytes with a driver, print JSON events") { args in
    let usage = "usage: scanledger replay [--driver NAME] [--raw] [--options WORDS] [--byte-by-byte] [FILE|-]\n"
        + "drivers: \(DriverRegistry.names.joined(separator: ", "))\n"
    var driverName: String? = nil, raw = false, optionText: String? = nil, byteByByte = false, file: String? = nil
    var i = 0
    while i < args.count {
        switch args[i] {
        case "--driver" where i + 1 < args.count: driverName = args[i + 1]; i += 1
        case "--options" where i + 1 < args.count: optionText = args[i + 1]; i += 1
        case "--raw": raw = true
        case "--byte-by-byte": byteByByte = true
        case "-h", "--help": print(usage, terminator: ""); return 0
        case let a where file == nil && (a == "-" || !a.hasPrefix("-")): file = a
        default:
            FileHandle.standardError.write(Data("scanledger replay: unexpected argument '\(args[i])'\n\(usage)".utf8))
            return 2
        }
        i += 1
    }
    let source = file ?? "-"
    guard let data = source == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: source) else {
        FileHandle.standardError.write(Data("scanledger replay: cannot read \(source)\n".utf8))
        return 1
    }
    var log: CaptureLog? = nil
    if !raw {
        do { log = try CaptureLog.parse(String(decoding: data, as: UTF8.self), file: source) } catch {
            FileHandle.standardError.write(Data("scanledger replay: \(error)\n".utf8))
            return 1
        }
    }
    var name = driverName ?? log?.value("Driver")
    if name == nil, let guess = DriverSniffer.guess(log?.deviceBytes ?? [UInt8](data)) {
        FileHandle.standardError.write(Data("scanledger replay: no --driver given; the bytes look like '\(guess)'\n".utf8))
        name = guess
    }
    guard let name else {
        FileHandle.standardError.write(Data("scanledger replay: --driver is required (no '# Driver:' line, and the bytes do not identify a protocol)\n\(usage)".utf8))
        return 2
    }
    let options: DriverOptions
    do { options = try DriverOptions(parsing: optionText ?? log?.value("Options") ?? "") } catch {
        FileHandle.standardError.write(Data("scanledger replay: \(error)\n".utf8))
        return 2
    }
    guard let driver = DriverRegistry.make(name, options: options) else {
        FileHandle.standardError.write(Data("scanledger replay: unknown driver '\(name)'\n\(usage)".utf8))
        return 2
    }
    let events = log.map { Replay.events($0, driver: driver, split: byteByByte ? .byteByByte : .asRecorded) }
        ?? Replay.events(raw: [UInt8](data), driver: driver)
    var out = ""
    for e in events { out += EventJSON.line(e) + "\n" }
    FileHandle.standardOutput.write(Data(out.utf8))
    return 0
}
