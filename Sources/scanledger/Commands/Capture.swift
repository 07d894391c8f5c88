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
let captureCommand = Command(name: "capture", summary: "record a device's raw traffic into a capture log") { args in
    let usage = """
    usage: scanledger capture DEVICE [--driver NAME] [--options WORDS] [--serial "BAUD 8N1"] [--name TEXT] [--firmware TEXT] [--seconds N] [--no-start] [-o FILE]
           scanledger capture --llrp HOST[:PORT] [--options "preset=presence antennas=1,2 …"] [--name TEXT] [--firmware TEXT] [--seconds N] [-o FILE]

    """
    func say(_ message: String, _ status: Int32) -> Int32 {
        FileHandle.standardError.write(Data("scanledger capture: \(message)\n".utf8))
        return status
    }
    var device: String? = nil, driverName: String? = nil, serialText = "9600 8N1", name: String? = nil
    var firmware = "unknown", seconds: Double? = nil, sendStart = true, output: String? = nil, optionText = ""
    var llrpFlag = false
    var i = 0
    while i < args.count {
        let next = i + 1 < args.count ? args[i + 1] : nil
        switch (args[i], next) {
        case ("--driver", let v?): driverName = v; i += 1
        case ("--llrp", let v?) where device == nil: llrpFlag = true; device = v; i += 1
        case ("--options", let v?): optionText = v; i += 1
        case ("--serial", let v?): serialText = v; i += 1
        case ("--name", let v?): name = v; i += 1
        case ("--firmware", let v?): firmware = v; i += 1
        case ("--seconds", let v?):
            guard let s = Double(v), s > 0 else { return say("--seconds wants a positive number", 2) }
            seconds = s; i += 1
        case ("-o", let v?), ("--output", let v?): output = v; i += 1
        case ("--no-start", _): sendStart = false
        case (let a, _) where device == nil && !a.hasPrefix("-"): device = a
        default: return say("unexpected argument '\(args[i])'\n\(usage)", 2)
        }
        i += 1
    }
    guard let device else { FileHandle.standardError.write(Data(usage.utf8)); return 2 }
    if llrpFlag {
        guard driverName == nil || driverName == "llrp" else { return say("--llrp reads an LLRP reader; it does not go with --driver \(driverName ?? "")", 2) }
        driverName = "llrp"
    }
    if let driverName, DriverRegistry.make(driverName) == nil {
        return say("unknown driver '\(driverName)' (known: \(DriverRegistry.names.joined(separator: ", ")))", 2)
    }
    // Options are checked before anything is opened or created: a typo is a usage error.
    var llrpConfig: LLRPReaderConfig? = nil
    var options = DriverOptions()
    if driverName == "llrp" {
        guard let (host, port) = LLRPReaderConfig.parseAddress(device) else {
            return say("'\(device)' is not HOST or HOST:PORT for an LLRP reader", 2)
        }
        do { llrpConfig = try LLRPReaderConfig.parsing(options: optionText, host: host, port: port) } catch {
            return say("\(error)", 2)
        }
    } else {
        do { options = try DriverOptions(parsing: optionText) } catch { return say("\(error)", 2) }
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
