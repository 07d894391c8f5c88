import Foundation
import Glibc
import Testing
@testable import Devices
import ScanModel

/// The evdev path end to end under umockdev: a fake keyboard node in a fake
/// sysfs, events replayed from an evemu file built from the US capture, read
/// by `EvdevInputDevice` (open + EVIOCGRAB + non-blocking reads) in a child
/// run of this test binary. Skipped where umockdev-run is not installed.
@Suite struct EvdevUmockdevTests {
    static let umockdevRun = ["/usr/bin/umockdev-run", "/usr/local/bin/umockdev-run"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let node = "/dev/input/event5"

    static let deviceDescription = """
    P: /devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/0003:0C2E:0B61.0001/input/input5/event5
    N: input/event5
    E: DEVNAME=/dev/input/event5
    E: MAJOR=13
    E: MINOR=69
    E: SUBSYSTEM=input
    E: ID_INPUT=1
    E: ID_INPUT_KEYBOARD=1
    E: ID_VENDOR_ID=0c2e
    E: ID_MODEL_ID=0b61

    """

    /// evemu "E: sec.usec type code value" lines. Times are compressed to
    /// 1 µs steps: umockdev reads the fraction with leading zeros as octal,
    /// and the replay sleeps for the gaps, so only the order is kept.
    static func evemu(_ records: [UInt8]) -> String {
        var lines: [String] = []
        var i = 0, n = 0
        while i + 24 <= records.count {
            let r = Array(records[i..<(i + 24)])
            let type = UInt16(r[16]) | UInt16(r[17]) << 8
            let code = UInt16(r[18]) | UInt16(r[19]) << 8
            let value = Int32(bitPattern: UInt32(r[20]) | UInt32(r[21]) << 8 | UInt32(r[22]) << 16 | UInt32(r[23]) << 24)
            n += 1
            let hex = { (v: UInt16) in String(repeating: "0", count: 4 - String(v, radix: 16).count) + String(v, radix: 16) }
            lines.append("E: 1.\(100000 + n) \(hex(type)) \(hex(code)) \(value)")
            i += 24
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test(.enabled(if: umockdevRun != nil)) func grabAndReadAFakeKeyboardUnderUmockdev() throws {
        let records = try Captures.load("evdev-us-honeywell-1250g-normal").deviceBytes
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scanledger-umockdev-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.deviceDescription.write(to: dir.appendingPathComponent("kbd.umockdev"), atomically: true, encoding: .utf8)
        try Self.evemu(records).write(to: dir.appendingPathComponent("kbd.events"), atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("scans.txt")

        let (status, said) = try runUnderUmockdev(
            ["-d", dir.appendingPathComponent("kbd.umockdev").path,
             "-e", "\(Self.node)=\(dir.appendingPathComponent("kbd.events").path)"],
            test: "EvdevUmockdevTests/childReadsTheFakeKeyboard", environment: ["SCANLEDGER_UMOCKDEV_OUTPUT": output.path])
        #expect(status == 0, "child test under umockdev-run failed:\n\(said)")

        // Same scans as decoding the capture bytes directly.
        var d = EvdevDecoder()
        var c = EventCollector<DeviceEvent>()
        d.feed(records, into: &c)
        let expected = c.events.compactMap { e -> String? in if case .scan(let s) = e { return s.data.map(hex2).joined() } else { return nil } }
        let got = (try? String(contentsOf: output, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        #expect(expected.count == 3)
        #expect(got == expected)
    }

    /// Runs only inside umockdev-run, started by the test above.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SCANLEDGER_UMOCKDEV_OUTPUT"] != nil))
    func childReadsTheFakeKeyboard() throws {
        let out = try #require(ProcessInfo.processInfo.environment["SCANLEDGER_UMOCKDEV_OUTPUT"])
        // The runner's path: the evdev opener (grab) and the evdev driver.
        let transport = try DeviceRunner.defaultOpener(for: "evdev")(DeviceConfig(name: "wedge", driver: "evdev", port: .path(Self.node)))
        defer { transport.close() }
        let driver = try #require(DriverRegistry.make("evdev"))
        var batch = EventBatch()
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Read until the replay has been quiet for a second (or umockdev
        // hangs up the node at its end, as an unplug would).
        while true {
            let n: Int
            do { n = try buffer.withUnsafeMutableBytes { try transport.read(into: $0, timeoutMs: 1000) } } catch let e as DeviceError {
                guard case .hangup = e else { throw e }
                break
            }
            if n == 0 { break }
            // (umockdev's emulated node may split records, a kernel node does
            // not; the driver copes either way.)
            driver.feed(Array(buffer[0..<n]), time: .zero, into: &batch)
        }
        let lines = batch.events.compactMap { e -> String? in if case .scan(let s) = e { return s.data.map(hex2).joined() } else { return nil } }
        try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
    }
}

/// Runs `test` (suite/name) in a child of this test binary under
/// umockdev-run with `arguments` (device, ioctl or event files) and extra
/// environment; returns its exit status and the last lines it said.
func runUnderUmockdev(_ arguments: [String], test: String, environment: [String: String]) throws -> (status: Int32, said: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try #require(EvdevUmockdevTests.umockdevRun))
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
    p.arguments = arguments + ["--", me, "--testing-library", "swift-testing", "--filter", test]
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let said = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (p.terminationStatus, said.split(separator: "\n").filter { !$0.hasPrefix("◇") }.suffix(12).joined(separator: "\n"))
}
