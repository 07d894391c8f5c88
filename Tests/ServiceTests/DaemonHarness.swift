import CLinuxShims
import Foundation
import Ledger
import Service
import Stations
import ScanModel
import Devices

struct HarnessFailure: Error, CustomStringConvertible { let description: String }

/// A pseudo-terminal standing in for a serial barcode scanner. The slave
/// stays open here too, so the line never hangs up while the daemon restarts,
/// and it is never closed while the tests run: its `/dev/pts/N` is never
/// given to a later test's pty, which a daemon still retrying this path
/// (this scanner released before its daemon was killed) would otherwise
/// open and read from, taking that test's scans.
final class FakeScanner {
    let master: Int32
    let slave: Int32
    let path: String
    init() throws {
        var m: Int32 = -1, s: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard CLinuxShims_openpty(&m, &s, &name, name.count) == 0 else { throw HarnessFailure(description: "openpty: errno \(errno)") }
        master = m; slave = s
        path = String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }
    deinit { close(master); PtyNumbers.retire(slave) }
    func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
        drain()
    }
    /// One scan per line, as a CDC-ACM scanner in line mode sends it.
    func scan(_ text: String) {
        let bytes = Array(text.utf8) + [0x0D]
        _ = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
        drain()
    }
    /// Discards what the daemon sent back (feedback BELs).
    func drain() {
        var buf = [UInt8](repeating: 0, count: 4096)
        while (buf.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }) > 0 {}
    }
}

/// Receives sd_notify datagrams on a temporary unixgram socket.
final class DaemonNotifyListener {
    let fd: Int32
    let path: String
    private(set) var messages: [String] = []
    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var storage = [UInt8](repeating: 0, count: CLinuxShims_sockaddr_un_size())
        let len = storage.withUnsafeMutableBytes { CLinuxShims_sockaddr_un($0.baseAddress!, path) }
        let rc = storage.withUnsafeBytes { bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(len)) }
        guard fd >= 0, rc == 0 else { throw HarnessFailure(description: "bind \(path): errno \(errno)") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }
    deinit { close(fd); unlink(path) }
    func poll() {
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            messages.append(String(decoding: buf[0..<n], as: UTF8.self))
        }
    }
    func received(_ prefix: String) -> Bool { poll(); return messages.contains { $0.hasPrefix(prefix) } }
}

/// Waits (without asserting on how long) until `condition` holds; generous
/// limit so a loaded machine does not fail a correct daemon.
/// `what` is read only on failure, so a log quoted in it is the log then.
func eventually(_ what: @autoclosure () -> String, limit: TimeInterval = 30, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(limit)
    while Date() < deadline {
        if (try? condition()) == true { return }
        Thread.sleep(forTimeInterval: 0.05)
    }
    if try condition() { return }
    throw HarnessFailure(description: "gave up waiting for: \(what())")
}

/// A temporary site: ledger with master data and an ASN, a config file, a
/// fake scanner, and the real scanledgerd binary built next to the tests.
final class DaemonSite {
    let dir: URL
    let scanner: FakeScanner
    let notify: DaemonNotifyListener
    var process: Process?
    let logPath: String
    /// Where the ledger lives: the site's directory unless a test put it
    /// elsewhere (on a small tmpfs, to run out of space; the log, sockets and
    /// config stay in `dir`).
    let ledgerDir: URL
    var db: String { ledgerDir.appendingPathComponent("ledger.db").path }
    var socket: String { dir.appendingPathComponent("control.sock").path }
    var configPath: String { dir.appendingPathComponent("scanledger.json").path }

    static var binary: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        // …/debug/ScanLedgerPackageTests.xctest → …/debug/scanledgerd
        return exe.deletingLastPathComponent().appendingPathComponent("scanledgerd")
    }

    init(ledgerIn ledgerDir: URL? = nil) throws {
        dir = URL(fileURLWithPath: "/tmp").appendingPathComponent("sld-\(UUID().uuidString.prefix(8))")
        self.ledgerDir = ledgerDir ?? dir
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        scanner = try FakeScanner()
        notify = try DaemonNotifyListener(path: dir.appendingPathComponent("notify.sock").path)
        logPath = dir.appendingPathComponent("daemon.log").path
        let ledger = try Ledger(path: db)
        try ledger.importItems([Item(gtin: gtin("0614141000012"), tracking: .none), Item(gtin: gtin("0614141000029"), tracking: .lot),
                                Item(gtin: GTIN("80614141123458"), tracking: .serial)])
        try ledger.importLocations([Location(code: "DOCK-1", type: .dock), Location(code: "A-01", type: .storage), Location(code: "B-01", type: .storage)])
        try LedgerStationStores(ledger: ledger).store(asns: [
            ASN(number: "ASN-1001", lines: [ASNLine(item: ItemCode(gtin: gtin("0614141000012")), quantity: 10)]),
            ASN(number: "ASN-1002", lines: [ASNLine(item: ItemCode(gtin: gtin("0614141000012")), quantity: 4)]),
            ASN(number: "ASN-2001", lines: [ASNLine(item: ItemCode("80614141123458"), quantity: 2)]),
        ], orders: [])
        ledger.close()
        try writeConfig()
    }

    deinit {
        if let p = process, p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        try? FileManager.default.removeItem(at: dir)
    }

    /// When set, a Mercury reader on this port feeds zone "portal" of the dock station.
    var mercuryPort: String?
    /// More keys for the dock station's object (`, "require_operator": true`).
    var stationExtra = ""

    func configText(extraDevice: Bool = false, broken: Bool = false, changedStations: Bool = false) -> String {
        var second = extraDevice ? #", {"name": "spare", "driver": "line", "port": "/dev/null"}"# : ""
        var zones = ""
        if let mercuryPort {
            second += #", {"name": "portal-reader", "driver": "mercury", "port": "\#(mercuryPort)"}"#
            zones = #""zones": [{"name": "portal", "readers": [{"device": "portal-reader"}], "smoothing": {"observed_count": 1}}],"#
        }
        return """
        {"_comment": "test site", "site": {"box_id": "test"}, "log_level": "info",
         "ledger": {"path": "\(db)", "synchronous": "full"},
         "control": {"socket": "\(socket)", "mode": "0600"},
         "patterns": {"document": ["ASN-####"]},
         "devices": [{"name": "dock-scanner", "driver": "line", "port": "\(scanner.path)", "serial": "115200 8N1"}\(second)],
         \(zones)
         "stations": [{"name": "dock-1", "type": "receiving", "devices": ["dock-scanner"], \(mercuryPort == nil ? "" : #""zones": ["portal"], "#)"dock": "DOCK-1"\(stationExtra)\(broken ? #", "dokc": "x""# : "")\(changedStations ? #", "over_receipt_tolerance_percent": 50}, {"name": "mover", "type": "move", "devices": ["spare"]"# : "")}]}
        """
    }

    func writeRaw(_ text: String) throws { try text.write(toFile: configPath, atomically: true, encoding: .utf8) }

    func writeConfig(extraDevice: Bool = false, broken: Bool = false, changedStations: Bool = false) throws {
        try configText(extraDevice: extraDevice, broken: broken, changedStations: changedStations).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// `launcher`: a program that runs the daemon (`/usr/bin/env` under
    /// libfaketime, see DaemonClockStepTests).
    func start(environment extra: [String: String] = [:], launcher: String? = nil) throws {
        let p = Process()
        p.executableURL = launcher.map { URL(fileURLWithPath: $0) } ?? Self.binary
        p.arguments = (launcher == nil ? [] : [Self.binary.path]) + ["--config", configPath]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = notify.path
        env.removeValue(forKey: "WATCHDOG_USEC")
        env.merge(extra) { _, new in new }
        p.environment = env
        if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        p.standardError = log
        p.standardOutput = log
        notify.poll()
        let before = notify.messages.count
        try p.run()
        process = p
        try eventually("READY=1 from scanledgerd (log: \(self.log))") {
            notify.poll()
            return notify.messages.dropFirst(before).contains("READY=1")
        }
    }

    /// Sends a signal and waits for the exit status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) throws -> Int32 {
        guard let p = process else { return -1 }
        kill(p.processIdentifier, signal)
        try eventually("scanledgerd to exit") { !p.isRunning }
        process = nil
        return p.terminationStatus
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// One control request, one answer.
    func request(_ object: [String: Any]) throws -> [String: Any] {
        let fd = try send(object)
        defer { close(fd) }
        return try readAnswer(fd)
    }

    /// Connects and sends one request; the caller reads the answers and closes.
    func send(_ object: [String: Any]) throws -> Int32 {
        let fd = try connectControl()
        try write(object, to: fd)
        return fd
    }

    /// A connection to the control socket, nothing sent yet.
    func connectControl() throws -> Int32 {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var storage = [UInt8](repeating: 0, count: CLinuxShims_sockaddr_un_size())
        let len = storage.withUnsafeMutableBytes { CLinuxShims_sockaddr_un($0.baseAddress!, socket) }
        let rc = storage.withUnsafeBytes { connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(len)) }
        guard rc == 0 else { close(fd); throw HarnessFailure(description: "connect \(socket): errno \(errno)") }
        return fd
    }

    /// One request line on an open connection.
    func write(_ object: [String: Any], to fd: Int32) throws {
        var data = try JSONSerialization.data(withJSONObject: object)
        data.append(0x0A)
        _ = data.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    }

    /// The next answer line on a connection.
    func readAnswer(_ fd: Int32) throws -> [String: Any] {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, 0) == 1 { if byte == 0x0A { break }; line.append(byte) }
        guard let answer = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { throw HarnessFailure(description: "no JSON answer") }
        return answer
    }

    /// Scans each barcode in turn and waits for its station event on `fd`
    /// (a `watch` connection) before the next: the events, in order.
    func scanEach(_ scans: [String], watching fd: Int32) throws -> [[String: Any]] {
        var results: [[String: Any]] = []
        for scan in scans {
            scanner.scan(scan)
            // Heartbeats arrive every second, so the deadline is checked.
            let deadline = Date().addingTimeInterval(30)
            while true {
                let e = try readAnswer(fd)
                if e["type"] as? String == "station" { results.append(e); break }
                guard Date() < deadline else { throw HarnessFailure(description: "no station answer to \(scan); log: \(log)") }
            }
        }
        return results
    }

    /// The dock station's scanned quantities, or nil when no session is open.
    func scanned() throws -> [Int]? {
        let stations = try request(["cmd": "stations"])["stations"] as? [[String: Any]] ?? []
        guard let s = stations.first, s["open"] as? Bool == true, let view = s["view"] as? [String: Any] else { return nil }
        return (view["lines"] as? [[String: Any]] ?? []).compactMap { $0["scanned"] as? Int }
    }

    /// Opens the ledger file after the daemon stopped.
    func withLedger<T>(_ body: (Ledger) throws -> T) throws -> T {
        let l = try Ledger(path: db)
        defer { l.close() }
        return try body(l)
    }
}

/// A Mercury continuous-read tag record (0x22 reply) with count, RSSI and antenna metadata.
func mercuryTagFrame(epc: [UInt8], antenna: UInt8 = 1) -> [UInt8] {
    var d: [UInt8] = [0x10, 0x00, 0x1B, 0x00, 0x07, 0x01, 1, UInt8(bitPattern: Int8(-55)), (antenna << 4) | antenna]
    let body: [UInt8] = [0x30, 0x00] + epc + [0xAB, 0xCD]
    d += [UInt8((body.count * 8) >> 8), UInt8((body.count * 8) & 0xFF)] + body
    return MercuryProtocol.reply(0x22, d)
}

/// Runs the `scanledger` CLI built next to the tests.
func runCLI(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = DaemonSite.binary.deletingLastPathComponent().appendingPathComponent("scanledger")
    p.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { _, new in new }
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}
