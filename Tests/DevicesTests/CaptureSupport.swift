import Foundation
import Testing
import CLinuxShims
import ScanModel
@testable import Devices

/// Finds Tests/Captures from this file's path, loads logs and their .chk.
enum Captures {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Captures")

    static var logNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".log") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// Logs whose header says what `filter` wants (unreadable logs are kept,
    /// so the tests that load them report the problem).
    static func logNames(where filter: (CaptureLog) -> Bool) -> [String] {
        logNames.filter { name in (try? load(name)).map(filter) ?? true }
    }

    /// Serial-line captures: also replayed through a real pseudo-terminal.
    static var serialLogNames: [String] { logNames(where: \.isSerialInterface) }
    /// TCP (LLRP) captures: also replayed against a loopback TCP peer.
    static var tcpLogNames: [String] { logNames(where: \.isTCPInterface) }

    static func load(_ name: String) throws -> CaptureLog {
        let url = directory.appendingPathComponent(name + ".log")
        return try CaptureLog.parse(String(contentsOf: url, encoding: .utf8), file: url.lastPathComponent)
    }

    static func driver(for log: CaptureLog) throws -> any DeviceDriver {
        let name = try #require(log.value("Driver"), "capture log has no '# Driver:' header")
        let options = try DriverOptions(parsing: log.value("Options") ?? "")
        return try #require(DriverRegistry.make(name, options: options), "unknown driver \(name)")
    }

    /// The expected output; with SCANLEDGER_REBUILD_CHK=1 it is written from
    /// `actual` instead (review the diff before committing it).
    /// `kind` is the file extension: `chk` (driver events, what `scanledger
    /// replay` prints) or `session` (an LLRP conversation transcript).
    static func expected(_ name: String, actual: [String], kind: String = "chk") throws -> [String] {
        let url = directory.appendingPathComponent(name + "." + kind)
        if ProcessInfo.processInfo.environment["SCANLEDGER_REBUILD_CHK"] == "1" {
            try (actual.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            return actual
        }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing \(url.path): run the tests with SCANLEDGER_REBUILD_CHK=1 and review the new file")
            return []
        }
        return text.split(separator: "\n").map(String.init)
    }
}

/// Plays a capture log into the master side of a real pseudo-terminal and
/// reads it back through `TermiosTransport` on the slave path, the way the
/// runner reads a device. Lockstep: each record is written, then read until
/// every byte has arrived, so events carry that record's timestamp.
enum PtyReplay {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func events(_ log: CaptureLog, driver: any DeviceDriver) throws -> [DeviceEvent] {
        var master: Int32 = -1, slave: Int32 = -1
        var pathBuffer = [CChar](repeating: 0, count: 128)
        guard CLinuxShims_openpty(&master, &slave, &pathBuffer, pathBuffer.count) == 0 else {
            throw Failure(description: "openpty failed: errno \(errno)")
        }
        defer { close(master); close(slave) }
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        let path = String(decoding: pathBuffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let serial = try SerialSettings(parsing: log.value("Serial") ?? "115200 8N1")
        let transport = try TermiosTransport(path: path, settings: serial)
        defer { transport.close() }

        var batch = EventBatch()
        var out: [DeviceEvent] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var last = Microseconds.zero
        for record in log.records {
            last = record.time
            switch record.direction {
            case .toDevice:
                // Host → device bytes go out through the transport and must
                // arrive at the master unchanged.
                try transport.write(record.bytes)
                var got: [UInt8] = []
                var idle = 0
                while got.count < record.bytes.count {
                    let n = read(master, &buffer, buffer.count)
                    if n > 0 { got += buffer[0..<n]; idle = 0 } else {
                        idle += 1
                        if idle > 5000 { throw Failure(description: "pty master got \(got.count) of \(record.bytes.count) bytes") }
                        usleep(200)
                    }
                }
                guard got == record.bytes else { throw Failure(description: "pty altered host bytes") }
            case .event where record.gpoWrite != nil:
                continue
            case .event:
                if record.event != "connect" {
                    driver.flush(time: record.time, into: &batch)
                    batch.append(.disconnected(time: record.time))
                } else {
                    batch.append(.connected(time: record.time))
                }
            case .fromDevice:
                var written = 0, received = 0, idle = 0
                while received < record.bytes.count {
                    if written < record.bytes.count {
                        let n = record.bytes.withUnsafeBytes { write(master, $0.baseAddress! + written, record.bytes.count - written) }
                        if n > 0 { written += n }
                    }
                    let n = try buffer.withUnsafeMutableBytes { try transport.read(into: $0, timeoutMs: 20) }
                    if n > 0 {
                        received += n
                        idle = 0
                        buffer.withUnsafeBytes { driver.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n]), time: record.time, into: &batch) }
                    } else {
                        idle += 1
                        if idle > 250 { throw Failure(description: "pty stalled at \(received) of \(record.bytes.count) bytes") }
                    }
                }
            }
            out += batch.events
            batch.removeAll()
        }
        driver.flush(time: last, into: &batch)
        return out + batch.events
    }
}
