import Devices
import Foundation
import ScanModel

nonisolated(unsafe) private var captureInterrupted: sig_atomic_t = 0

/// `scanledger capture DEVICE [--driver NAME] [--options WORDS] [--serial "115200 8N1"] [--name TEXT]
/// [--firmware TEXT] [--seconds N] [--no-start] [-o FILE]`, or
/// `scanledger capture --llrp HOST[:PORT] [--options WORDS] …`: records a
/// device's raw traffic into a capture log (docs/capture-format.md).
/// DEVICE is a path, a /dev/serial/by-id link or usb:VID:PID[+SERIAL]; the
/// driver decides the transport (serial line, evdev node, libusb HID POS,
/// LLRP over TCP). With --driver the driver's init and start commands are
/// sent (and logged) first.
let captureCommand = CommandSpec("capture", summary: "record a device's raw traffic into a capture log",
                                 positionals: [PositionalSpec("DEVICE", .optional, "a path, a /dev/serial/by-id link or usb:VID:PID[+SERIAL]")],
                                 options: [
    .value("--driver", "NAME", "send this driver's init and start commands first; picks the transport (known: \(DriverRegistry.names.joined(separator: ", ")))"),
    .value("--llrp", "HOST[:PORT]", "record an LLRP reader instead of a DEVICE"),
    .value("--options", "WORDS", "driver options, e.g. \"preset=presence antennas=1,2\" for LLRP"),
    .value("--serial", "\"BAUD 8N1\"", "serial line settings", default: "9600 8N1"),
    .value("--name", "TEXT", "the device's name for the log header"),
    .value("--firmware", "TEXT", "the device's firmware for the log header", default: "unknown"),
    .value("--seconds", "N", "stop after N seconds (default: at Ctrl-C)"),
    .flag("--no-start", "send no commands, only listen"),
    .value("--output", "FILE", aliases: ["-o"], "write the log here (default: stdout)"),
], notes: "The log format is in docs/capture-format.md; `scanledger replay` decodes it.") { args in
    func say(_ message: String, _ status: Int32) -> Int32 {
        FileHandle.standardError.write(Data("scanledger capture: \(message)\n".utf8))
        return status
    }
    let llrpAddress = args.value("--llrp")
    if llrpAddress != nil, let given = args.positional("DEVICE") { throw args.usageError("give DEVICE or --llrp HOST[:PORT], not both ('\(given)')") }
    guard let device = args.positional("DEVICE") ?? llrpAddress else { throw args.usageError("missing DEVICE (or --llrp HOST[:PORT])") }
    var driverName = args.value("--driver")
    let serialText = args.value("--serial") ?? "9600 8N1", name = args.value("--name"), firmware = args.value("--firmware") ?? "unknown"
    let seconds = try args.positiveDouble("--seconds"), sendStart = !args.flag("--no-start"), output = args.value("--output")
    let optionText = args.value("--options") ?? ""
    if llrpAddress != nil {
        guard driverName == nil || driverName == "llrp" else { throw args.usageError("--llrp reads an LLRP reader; it does not go with --driver \(driverName ?? "")") }
        driverName = "llrp"
    }
    if let driverName, DriverRegistry.make(driverName) == nil {
        throw args.usageError("unknown driver '\(driverName)' (known: \(DriverRegistry.names.joined(separator: ", ")))")
    }
    // Options are checked before anything is opened or created: a typo is a usage error.
    var llrpConfig: LLRPReaderConfig? = nil
    var options = DriverOptions()
    if driverName == "llrp" {
        guard let (host, port) = LLRPReaderConfig.parseAddress(device) else {
            throw args.usageError("'\(device)' is not HOST or HOST:PORT for an LLRP reader")
        }
        do { llrpConfig = try LLRPReaderConfig.parsing(options: optionText, host: host, port: port) } catch {
            throw args.usageError("\(error)")
        }
    } else {
        do {
            // With --driver only that driver's words count: `layout=de` is no Mercury option.
            if let driverName { options = try DriverOptions(parsing: optionText, driver: driverName) }
            else { options = try DriverOptions(parsing: optionText) }
        } catch { throw args.usageError("\(error)") }
    }
    let out: FileHandle
    if let output {
        guard FileManager.default.createFile(atPath: output, contents: nil), let h = FileHandle(forWritingAtPath: output) else {
            return say("cannot create \(output)", 1)
        }
        out = h
    } else {
        out = FileHandle.standardOutput
    }
    let recorder = CaptureRecorder(clock: DeviceRunner.wallClock) { out.write(Data($0.utf8)) }
    let given = CaptureHeaders.Given(name: name, firmware: firmware, driver: driverName, options: optionText,
                                     date: ISO8601DateFormatter().string(from: Date()))
    signal(SIGINT) { _ in captureInterrupted = 1 }
    signal(SIGTERM) { _ in captureInterrupted = 1 }
    // A parent may have started us with these blocked (Foundation's Process
    // passes its thread's mask on); Ctrl-C must still end the capture cleanly.
    var stopSignals = sigset_t()
    sigemptyset(&stopSignals); sigaddset(&stopSignals, SIGINT); sigaddset(&stopSignals, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
    let deadline = seconds.map { Date(timeIntervalSinceNow: $0) }
    let shouldStop = { captureInterrupted != 0 || (deadline.map { Date() >= $0 } ?? false) }

    if let llrpConfig {
        recorder.header(LLRPCapture.header(config: llrpConfig, options: optionText, name: name, firmware: firmware, date: given.date))
        do {
            let summary = try LLRPCapture(config: llrpConfig, recorder: recorder).run(shouldStop: shouldStop)
            return say("recorded \(summary.bytesFromReader) bytes and \(summary.tagReads) tag reads from \(llrpConfig.host):\(llrpConfig.port)", 0)
        } catch {
            return say("\(error)", 1)
        }
    }
    do {
        let serial = try SerialSettings(parsing: serialText)
        let selector = try PortSelector(parsing: device)
        let transport: any ByteTransport
        var sentOnOpen: [[UInt8]] = []
        switch driverName {
        case "evdev", "hidpos":
            // The driver's own transport, as the daemon opens it.
            let config = DeviceConfig(name: "capture", driver: driverName ?? "", port: selector, serial: serial, options: options)
            transport = try DeviceRunner.defaultOpener(for: config.driver)(config)
            if case .usb(let vendor, let product, _) = selector, driverName == "hidpos" {
                sentOnOpen = HIDPOSCommands.featureReportsAfterOpen(vendorID: vendor)
                recorder.header(CaptureHeaders.hidpos(vendor: vendor, product: product, reportSize: options.hidposReportSize, given))
            } else {
                recorder.header(CaptureHeaders.evdev(path: device, given))
            }
        default:
            let ports = (try? SerialPorts.list()) ?? []
            let path = try selector.resolve(in: ports)
            transport = try SerialPortTransport.open(path: path, settings: serial)
            recorder.header(CaptureHeaders.serial(path: path, info: ports.first(where: { $0.path == path }), settings: serial, given))
        }
        defer { transport.close() }
        let driver = driverName.flatMap { DriverRegistry.make($0, options: options) }
        let commands = sendStart ? (driver.map { $0.initCommands + $0.startCommands } ?? []) : []
        let bytes = try recorder.run(transport: transport, sentOnOpen: sentOnOpen, commands: commands, shouldStop: shouldStop)
        if sendStart, let driver { for c in driver.stopCommands { try? transport.write(c) } }
        return say("recorded \(bytes) bytes from \(transport.description)", 0)
    } catch {
        return say("\(error)", 1)
    }
}
