import Devices
import Foundation
import ScanModel

nonisolated(unsafe) private var captureInterrupted: sig_atomic_t = 0

/// `scanledger capture DEVICE [--driver NAME] [--serial "115200 8N1"] [--name TEXT]
/// [--firmware TEXT] [--seconds N] [--no-start] [-o FILE]`: records a device's
/// raw traffic into a capture log (docs/capture-format.md). DEVICE is a
/// path, a /dev/serial/by-id link or usb:VID:PID[+SERIAL]. With --driver the
/// driver's init and start commands are sent (and logged) first.
let captureCommand = Command(name: "capture", summary: "record a device's raw traffic into a capture log") { args in
    let usage = "usage: scanledger capture DEVICE [--driver NAME] [--serial \"BAUD 8N1\"] [--name TEXT] [--firmware TEXT] [--seconds N] [--no-start] [-o FILE]\n"
    var device: String? = nil, driverName: String? = nil, serialText = "9600 8N1", name: String? = nil
    var firmware = "unknown", seconds: Double? = nil, sendStart = true, output: String? = nil
    var i = 0
    while i < args.count {
        let next = i + 1 < args.count ? args[i + 1] : nil
        switch (args[i], next) {
        case ("--driver", let v?): driverName = v; i += 1
        case ("--serial", let v?): serialText = v; i += 1
        case ("--name", let v?): name = v; i += 1
        case ("--firmware", let v?): firmware = v; i += 1
        case ("--seconds", let v?):
            guard let s = Double(v), s > 0 else { FileHandle.standardError.write(Data("scanledger capture: --seconds wants a positive number\n".utf8)); return 2 }
            seconds = s; i += 1
        case ("-o", let v?), ("--output", let v?): output = v; i += 1
        case ("--no-start", _): sendStart = false
        case (let a, _) where device == nil && !a.hasPrefix("-"): device = a
        default:
            FileHandle.standardError.write(Data("scanledger capture: unexpected argument '\(args[i])'\n\(usage)".utf8))
            return 2
        }
        i += 1
    }
    guard let device else { FileHandle.standardError.write(Data(usage.utf8)); return 2 }
    let driver = driverName.flatMap { DriverRegistry.make($0) }
    if driverName != nil && driver == nil {
        FileHandle.standardError.write(Data("scanledger capture: unknown driver '\(driverName!)' (known: \(DriverRegistry.names.joined(separator: ", ")))\n".utf8))
        return 2
    }
    let out: FileHandle
    if let output {
        guard FileManager.default.createFile(atPath: output, contents: nil), let h = FileHandle(forWritingAtPath: output) else {
            FileHandle.standardError.write(Data("scanledger capture: cannot create \(output)\n".utf8))
            return 1
        }
        out = h
    } else {
        out = FileHandle.standardOutput
    }
    do {
        let serial = try SerialSettings(parsing: serialText)
        let selector = try PortSelector(parsing: device)
        let ports = (try? SerialPorts.list()) ?? []
        let path = try selector.resolve(in: ports)
        let info = ports.first(where: { $0.path == path })
        let transport = try SerialPortTransport.open(path: path, settings: serial)
        defer { transport.close() }
        let recorder = CaptureRecorder(clock: DeviceRunner.wallClock) { out.write(Data($0.utf8)) }
        let date = ISO8601DateFormatter().string(from: Date())
        recorder.header([
            ("Name", name ?? [info?.manufacturer, info?.product].compactMap { $0 }.joined(separator: " ").nonEmpty ?? path),
            ("Interface", info.map { $0.transport == "usb" ? "serial (USB)" : "serial (\($0.transport))" } ?? "serial (\(path))"),
            ("VID-PID", info?.vidPid ?? "none"),
            ("Firmware", firmware),
            ("Serial", serial.description),
            ("Source", "recorded on hardware from \(path) by scanledger capture at \(date)"),
        ] + (driverName.map { [("Driver", $0)] } ?? []))
        signal(SIGINT) { _ in captureInterrupted = 1 }
        signal(SIGTERM) { _ in captureInterrupted = 1 }
        let deadline = seconds.map { Date(timeIntervalSinceNow: $0) }
        let commands = sendStart ? (driver.map { $0.initCommands + $0.startCommands } ?? []) : []
        let bytes = try recorder.run(transport: transport, commands: commands) {
            captureInterrupted != 0 || (deadline.map { Date() >= $0 } ?? false)
        }
        if sendStart, let driver { for c in driver.stopCommands { try? transport.write(c) } }
        FileHandle.standardError.write(Data("scanledger capture: recorded \(bytes) bytes from \(path)\n".utf8))
        return 0
    } catch {
        FileHandle.standardError.write(Data("scanledger capture: \(error)\n".utf8))
        return 1
    }
}

private extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
