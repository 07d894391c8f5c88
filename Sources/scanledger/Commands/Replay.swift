import Devices
import Foundation
import ScanModel

/// `scanledger replay --driver NAME [--raw] [--options WORDS] [--byte-by-byte] [FILE|-]`:
/// feeds a capture log (or raw device bytes) through a driver and prints one
/// JSON object per event.
let replayCommand = CommandSpec("replay", summary: "decode a capture log or raw bytes with a driver, print JSON events",
                                positionals: [PositionalSpec("FILE", .optional, "a capture log, or raw bytes with --raw; - or none for stdin")],
                                options: [
    .value("--driver", "NAME", "the driver (default: the log's '# Driver:' line, else a guess from the bytes; known: \(DriverRegistry.names.joined(separator: ", ")))"),
    .flag("--raw", "FILE is the device's bytes, not a capture log"),
    .value("--options", "WORDS", "driver options (default: the log's '# Options:' line)"),
    .flag("--byte-by-byte", "feed the driver one byte at a time instead of as recorded"),
]) { args in
    let driverName = args.value("--driver"), raw = args.flag("--raw"), optionText = args.value("--options")
    let byteByByte = args.flag("--byte-by-byte"), file = args.positional("FILE")
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
        throw args.usageError("--driver is required (no '# Driver:' line, and the bytes do not identify a protocol)")
    }
    let options: DriverOptions
    do { options = try DriverOptions(parsing: optionText ?? log?.value("Options") ?? "") } catch {
        throw args.usageError("\(error)")
    }
    guard let driver = DriverRegistry.make(name, options: options) else {
        throw args.usageError("unknown driver '\(name)' (known: \(DriverRegistry.names.joined(separator: ", ")))")
    }
    let events = log.map { Replay.events($0, driver: driver, split: byteByByte ? .byteByByte : .asRecorded) }
        ?? Replay.events(raw: [UInt8](data), driver: driver)
    var out = ""
    for e in events { out += EventJSON.line(e) + "\n" }
    FileHandle.standardOutput.write(Data(out.utf8))
    return 0
}
