import CLinuxShims
import Foundation
import Ledger
import ScanModel

/// Shared by the benchmarks that run the real release `scanledgerd` (`daemon`,
/// `soak`): pseudo-terminals standing in for serial devices, a temporary site
/// (ledger + config), the daemon process next to this executable and its
/// control socket.

/// One pseudo-terminal: the benchmark holds the master (and the slave, so the
/// pty lives while the daemon reconnects); the daemon opens `path`.
final class BenchPty: @unchecked Sendable {
    let master: Int32, slave: Int32, path: String
    private let lock = NSLock()
    private var closed = false

    init?() {
        var m: Int32 = -1, s: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        guard CLinuxShims_openpty(&m, &s, &name, name.count) == 0 else { return nil }
        master = m; slave = s
        path = String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    deinit { hangUp() }

    /// Closes both ends: the daemon's reads on the slave fail as when a USB
    /// serial adapter is pulled. Idempotent.
    func hangUp() {
        lock.lock(); defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        close(master); close(slave)
    }
}

/// A pty standing in for a line-mode scanner: scan lines go in at the master,
/// the daemon's feedback beeps come back out of it.
final class BenchScanner: @unchecked Sendable {
    private let pty: BenchPty
    var master: Int32 { pty.master }
    var path: String { pty.path }

    init?() {
        guard let p = BenchPty() else { return nil }
        pty = p
    }

    private func write(_ line: String) {
        let bytes = Array(line.utf8) + [0x0D]
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
            if n <= 0 { if errno == EINTR || errno == EAGAIN { continue }; return }
            done += n
        }
    }

    /// Writes a scan line without waiting for its answer (the kill campaign
    /// kills the daemon while it handles the line).
    func send(_ line: String) { write(line) }

    /// Drops scan lines the daemon has not read yet (a killed daemon's
    /// successor would otherwise read them at start, answering a line the
    /// campaign counted as lost).
    func discardUnreadInput() { tcflush(pty.slave, TCIFLUSH) }

    /// The next feedback byte, or nil when none comes within `milliseconds`.
    func nextByte(within milliseconds: Int32) -> UInt8? {
        var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        var byte: UInt8 = 0
        guard poll(&p, 1, milliseconds) > 0, read(master, &byte, 1) == 1 else { return nil }
        return byte
    }

    /// Reads beeps until `count` arrived or 10 s pass without one; returns how many arrived.
    private func readBeeps(_ count: Int) -> Int {
        var got = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while got < count {
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 10_000) > 0 else { return got }
            let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            // The bench site answers every outcome with exactly one byte
            // (`BenchSite.oneBytePerOutcome`), so bytes count answers.
            if n > 0 { got += n }
        }
        return got
    }

    /// Milliseconds from writing the line to reading its beep, nil if none came.
    func scanAndWaitForBeep(_ line: String) -> Double? {
        let start = DispatchTime.now().uptimeNanoseconds
        write(line)
        guard readBeeps(1) == 1 else { return nil }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    /// Milliseconds from writing the line to reading one feedback byte, and
    /// the byte; nil if none came within 10 s. For sites whose feedback is
    /// one byte per outcome, so each scan's answer is exactly one byte.
    func scanAndWaitForFeedbackByte(_ line: String) -> (ms: Double, byte: UInt8)? {
        let start = DispatchTime.now().uptimeNanoseconds
        write(line)
        var byte: UInt8 = 0
        while true {
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 10_000) > 0 else { return nil }
            if read(master, &byte, 1) == 1 { break }
        }
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6, byte)
    }

    /// Writes every line as fast as the pty takes them while a second thread
    /// counts beeps (unread beeps would fill the pty and stall the daemon).
    func scanFlatOut(_ lines: [String]) {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread { [self] in _ = readBeeps(lines.count); done.signal() }
        for line in lines { write(line) }
        done.wait()
    }
}

/// One move of 11 scans; even moves go A → B, odd ones B → A, so stock never runs out.
func benchMoveScript(station: Int, move: Int) -> [String] {
    let (from, to) = move % 2 == 0 ? ("S\(station)-A", "S\(station)-B") : ("S\(station)-B", "S\(station)-A")
    return ["LOC:\(from)"] + Array(repeating: "]E04006381333931", count: 8) + ["LOC:\(to)", "CMD:CONFIRM"]
}

/// A temporary site: ledger with one item and two stocked locations per move
/// station, a config, the scanners, and the release scanledgerd next to us.
/// `extraDevices` and `zones` are JSON fragments added to the config.
final class BenchSite: @unchecked Sendable {
    let dir: URL
    let scanners: [BenchScanner]
    private(set) var process: Process?
    var socketPath: String { dir.appendingPathComponent("control.sock").path }
    var logPath: String { dir.appendingPathComponent("daemon.log").path }
    var configPath: String { dir.appendingPathComponent("scanledger.json").path }
    var pid: Int32? { process?.processIdentifier }
    private let stationCount: Int
    /// The config's `central` key and value with a trailing comma (a JSON
    /// fragment), or empty: the daemon forwards when it is set.
    var centralConfig = ""
    /// The scanners' `feedback` key (a JSON fragment).
    private let scannerFeedback: String?
    /// One byte per outcome: the line driver's own plans differ in how many
    /// BELs they send (four for done), which would make counting bytes
    /// count something other than answers.
    static let oneBytePerOutcome = #"{"good": "G", "warning": "W", "error": "E", "done": "D"}"#

    init(dir: URL, stations: Int, extraDevices: [String] = [], zones: String? = nil, scannerFeedback: String? = BenchSite.oneBytePerOutcome) throws {
        self.dir = dir
        stationCount = stations
        self.scannerFeedback = scannerFeedback
        scanners = (0..<stations).compactMap { _ in BenchScanner() }
        guard scanners.count == stations, let gtin = GTIN("04006381333931") else { throw CocoaError(.fileWriteUnknown) }
        let ledger = try Ledger(path: dir.appendingPathComponent("ledger.db").path)
        defer { ledger.close() }
        try ledger.importItems([Item(gtin: gtin)])
        try ledger.importLocations((0..<stations).flatMap { [Location(code: "S\($0)-A"), Location(code: "S\($0)-B")] })
        _ = try ledger.postAndWait((0..<stations).map {
            PostingRequest(key: "seed-\($0)", kind: .receipt, lines: [PostingLine(item: "4006381333931", qty: 1_000_000, from: VirtualLocation.supplier, to: LocationCode("S\($0)-A"))])
        })
        try writeConfig(extraDevices: extraDevices, zones: zones)
    }

    /// `full` unless DAEMON_BENCH_SYNCHRONOUS=normal asks to see what the
    /// fsync per commit costs (a diagnosis, not a setting to quote).
    static var synchronous: String { ProcessInfo.processInfo.environment["DAEMON_BENCH_SYNCHRONOUS"] == "normal" ? "normal" : "full" }

    /// (Re)writes the config atomically, e.g. before a SIGHUP.
    /// `stations` replaces the move stations (a JSON fragment of station objects).
    func writeConfig(extraDevices: [String] = [], zones: String? = nil, stations: String? = nil) throws {
        let devices = scanners.enumerated().map { #"{"name": "scanner-\#($0.offset)", "driver": "line", "port": "\#($0.element.path)", "serial": "115200 8N1"\#(scannerFeedback.map { ", \"feedback\": \($0)" } ?? "")}"# } + extraDevices
        let stationList = (0..<stationCount).map { #"{"name": "move-\#($0)", "type": "move", "devices": ["scanner-\#($0)"]}"# }
        let config = """
        {"site": {"box_id": "bench"}, "log_level": "warning",
         "ledger": {"path": "\(dir.appendingPathComponent("ledger.db").path)", "synchronous": "\(Self.synchronous)"},
         "control": {"socket": "\(socketPath)", "mode": "0600"},\(centralConfig)
         "patterns": {"location": ["LOC:*"], "command": ["CMD:*"]},
         "devices": [\(devices.joined(separator: ", "))],\(zones.map { "\n \"zones\": \($0)," } ?? "")
         "stations": [\(stations ?? stationList.joined(separator: ", "))]}
        """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts the daemon and waits (up to 60 s) until its socket answers.
    func start() -> Bool {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let p = Process()
        p.executableURL = exe.deletingLastPathComponent().appendingPathComponent("scanledgerd")
        p.arguments = ["--config", configPath]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NOTIFY_SOCKET"); environment.removeValue(forKey: "WATCHDOG_USEC")
        p.environment = environment
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        p.standardError = FileHandle(forWritingAtPath: logPath)
        do { try p.run() } catch { return false }
        process = p
        for _ in 0..<600 {
            if request("status") != nil { return true }
            usleep(100_000)
        }
        return false
    }

    /// SIGKILL: no shutdown path runs, as when the power goes.
    func killHard() {
        guard let p = process, p.isRunning else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    func stop() {
        guard let p = process, p.isRunning else { return }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
    }

    var logTail: String { String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(800)) }

    /// The daemon's user+system CPU seconds, from /proc.
    func daemonCPUSeconds() -> Double {
        guard let pid, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        return Self.cpuSeconds(stat: stat[stat.index(after: close)...])
    }

    /// CPU seconds (user + system) of each of the daemon's threads, by
    /// thread id (their names are the process's: Foundation's `Thread.name`
    /// does not reach the kernel).
    func threadCPUSeconds() -> [String: Double] {
        guard let pid, let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return [:] }
        var out: [String: Double] = [:]
        for task in tasks {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            out[task] = Self.cpuSeconds(stat: stat[stat.index(after: close)...])
        }
        return out
    }

    /// utime + stime from a stat line's fields after the command name.
    private static func cpuSeconds(stat fields: Substring) -> Double {
        // State is field 3, utime 14, stime 15.
        let f = fields.split(separator: " ")
        guard f.count > 12, let user = Double(f[11]), let system = Double(f[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func stationInputs() -> (accepted: Int, refused: Int) {
        let text = metric("scanledger_station_inputs_total")
        func value(_ outcome: String) -> Int {
            Int(text.first { $0.contains("outcome=\"\(outcome)\"") }?.split(separator: " ").last.flatMap { Double($0) } ?? -1)
        }
        return (value("accepted"), value("refused"))
    }

    /// Waits until the ledger gateway counted `expected` postings (the last
    /// confirm's beep may come before its commit), up to 30 s.
    func waitForPostings(_ expected: Int) -> Int {
        var posted = 0
        for _ in 0..<300 {
            posted = Int(metricSum("scanledger_postings_total", labelled: "status=\"posted\"") ?? 0)
            if posted >= expected { break }
            usleep(100_000)
        }
        return posted
    }

    /// The metric's sample lines (`name{labels} value` or `name value`).
    func metric(_ name: String) -> [Substring] {
        guard let text = request("metrics")?["text"] as? String else { return [] }
        return text.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
    }

    /// The sum of a metric's samples whose line contains `labelled` (all when
    /// nil); nil when the daemon did not answer.
    func metricSum(_ name: String, labelled: String? = nil) -> Double? {
        let lines = metric(name)
        guard !lines.isEmpty else { return nil }
        return lines.filter { labelled == nil || $0.contains(labelled!) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    /// One control-socket request, one JSON answer line.
    func request(_ command: String) -> [String: Any]? {
        guard let fd = connectControl("{\"cmd\":\"\(command)\"}\n") else { return nil }
        defer { close(fd) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !answer.contains(0x0A) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        let body = answer.prefix { $0 != 0x0A }
        return (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// Connects to the control socket and sends `line`; the caller reads and closes.
    func connectControl(_ line: String) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var storage = [UInt8](repeating: 0, count: CLinuxShims_sockaddr_un_size())
        let length = storage.withUnsafeMutableBytes { CLinuxShims_sockaddr_un($0.baseAddress!, socketPath) }
        let connected = storage.withUnsafeBytes { connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(length)) }
        let bytes = Array(line.utf8)
        guard connected == 0, bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else { close(fd); return nil }
        return fd
    }
}
