import Foundation
import Testing
import Ledger
import ScanModel
import Stations
@testable import Service

/// Issue 18, "Clock jumps", on the real daemon: libfaketime steps only
/// scanledgerd's wall clock (CLOCK_MONOTONIC stays real) while a receipt is
/// open and an operator signed in — first not at all, then a day forward,
/// then an hour back. Each time the operator's idle sign-out and the
/// receipt's idle close fire once their time has passed on the monotonic
/// clock: not at once (a day forward) and not an hour late (then 25 h back,
/// to an hour behind real time).
/// The postings keep ascending sequence numbers whatever their wall times,
/// `scanledger verify` is clean, and what is recorded carries the stepped
/// wall time the daemon read.
@Suite(.serialized) struct DaemonClockStepTests {
    static let libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
    /// Long enough that a loaded test machine does not see them fire early
    /// on its own, short enough to wait for.
    static let signOutSeconds = 6, closeSeconds = 8

    /// `make tsan` runs the TSan-built daemon, whose runtime must come first
    /// among the loaded libraries: with libfaketime preloaded ahead of it the
    /// daemon never starts. The clock logic this test drives is exercised
    /// under TSan by `ClockStepTests` and `LivenessClockStepTests`.
    @Test(.disabled(if: underTSan, "libfaketime cannot be preloaded ahead of the TSan runtime"))
    func timeoutsOutliveWallClockStepsAndTheLedgerKeepsItsOrder() throws {
        let site = try DaemonSite()
        try site.withLedger { ledger in
            try LedgerStationStores(ledger: ledger).store(asns: [
                ASN(number: "ASN-1003", lines: [ASNLine(item: ItemCode(gtin: gtin("0614141000012")), quantity: 5)]),
            ], orders: [])
        }
        site.stationExtra = #", "require_operator": true, "sign_out_idle_seconds": \#(Self.signOutSeconds), "idle_close_seconds": \#(Self.closeSeconds)"#
        try site.writeConfig()
        let (offsetFile, shared) = try Self.startUnderFaketime(site)
        defer { Self.removeFiles(shared) }
        // One phase: sign in, open a receipt, scan; step the daemon's clock; wait.
        let plain = gtin("0614141000012").digits
        var signOuts: [Int64] = []   // about when each idle sign-out happened, on the daemon's stepped clock
        func phase(_ asn: String, step offset: String, shift: Int64) throws {
            // A watch of its own: the last phase's sign-out and close are not this one's answers.
            let fd = try site.send(["cmd": "watch", "station": "dock-1"])
            defer { close(fd) }
            #expect(try site.readAnswer(fd)["streaming"] as? Bool == true)
            let codes = try site.scanEach(["OP:4711", asn, "01\(plain)301"], watching: fd).map { $0["code"] as? String ?? "?" }
            #expect(codes == ["operator-signed-in", "opened", "accepted"], "\(asn): \(codes)")
            try Self.step(offsetFile, to: offset)
            Thread.sleep(forTimeInterval: 2.5)
            let early = try dock(site)
            #expect(early.operatorID == "4711" && early.open, "\(asn), clock stepped \(offset): the idle timeouts fired at once")
            try eventually("\(asn), clock stepped \(offset): the idle sign-out and close", limit: 30) {
                let now = try dock(site)
                return now.operatorID == nil && !now.open
            }
            signOuts.append(Int64(Date().timeIntervalSince1970 * 1e6) + shift)
        }
        try phase("ASN-1001", step: "+0", shift: 0)
        try phase("ASN-1002", step: "+1d", shift: 86_400_000_000)
        try phase("ASN-1003", step: "-1h", shift: -3_600_000_000)
        #expect(try site.stop() == 0)

        // Ledger order is by sequence: the receipt closed after the step back, 25 h "earlier", still came next.
        let receipts = try site.withLedger { ledger in
            try ["ASN-1001", "ASN-1002", "ASN-1003"].map { try #require(ledger.history(.ref($0)).first) }
        }
        #expect(receipts.map(\.seq.value) == receipts.map(\.seq.value).sorted() && Set(receipts.map(\.seq.value)).count == 3)
        let times = receipts.map { $0.eventTime ?? "" }
        #expect(times[1] > times[0] && times[2] < times[0], "event times as the daemon's clock gave them: \(times)")
        // The sign-outs were journaled at the wall time the daemon read: stepped.
        let journaled = try site.withLedger { try $0.stationJournal(JournalQuery(station: "dock-1", code: "operator-signed-out")) }
        #expect(journaled.count == 3)
        for (entry, expected) in zip(journaled, signOuts) {
            #expect(abs(entry.entry.time.value - expected) < 60_000_000, "sign-out stamped \(entry.timeText), expected about \(expected) µs")
        }
        let verify = try runCLI(["verify", "--db", site.db])
        #expect(verify.status == 0, "verify: \(verify.out) \(verify.err)")
        // Reports by time go by the stamped times (docs/operations.md, "Clock steps"):
        // `kpi` still answers, and read on the real clock half an hour back lists
        // the sign-out stamped a day ahead but not the last one, stamped an hour early.
        let kpi = try runCLI(["kpi", "--db", site.db])
        #expect(kpi.status == 0, "kpi: \(kpi.out) \(kpi.err)")
        let recent = try runCLI(["journal", "--code", "operator-signed-out", "--since", "30m", "--json", "--db", site.db])
        let listed = try JSONSerialization.jsonObject(with: Data(recent.out.utf8)) as? [[String: Any]] ?? []
        #expect(listed.count == 2, "journal --since 30m: \(recent.out) \(recent.err)")
    }

    /// Starts the daemon with libfaketime stepping only its wall clock, by
    /// the offset written to `offsetFile` ("+0" to begin with); `shared`:
    /// libfaketime's files to remove afterwards.
    /// `make tsan` sets TSAN_OPTIONS for the test run (and its daemons).
    static let underTSan = ProcessInfo.processInfo.environment["TSAN_OPTIONS"] != nil

    static func startUnderFaketime(_ site: DaemonSite) throws -> (offsetFile: String, shared: [String]) {
        try #require(FileManager.default.fileExists(atPath: libfaketime), "libfaketime missing: install Debian's faketime (make deps)")
        let offsetFile = site.dir.appendingPathComponent("faketime.rc").path
        try "+0\n".write(toFile: offsetFile, atomically: true, encoding: .utf8)
        // Through /usr/bin/env: libfaketime started in a process without it
        // setenv()s FAKETIME_SHARED, which moves `environ`, and Swift on Linux
        // finds argv by walking back from `environ` (CommandLine.arguments
        // comes out empty). Started from a preloaded env, the daemon inherits
        // the variable and libfaketime leaves `environ` alone.
        let shim = try timerfdShim(in: site.dir)
        try site.start(environment: ["LD_PRELOAD": "\(shim):\(libfaketime)", "FAKETIME_DONT_FAKE_MONOTONIC": "1", "FAKETIME_NO_CACHE": "1",
                                     "FAKETIME_TIMESTAMP_FILE": offsetFile], launcher: "/usr/bin/env")
        return (offsetFile, sharedMemory(of: site))
    }

    /// libfaketime 0.9.10 moves CLOCK_MONOTONIC timerfd deadlines by the
    /// fake offset even with FAKETIME_DONT_FAKE_MONOTONIC=1 (strace: an hour
    /// back set Dispatch's 1 s timer an hour late), so every Dispatch timer,
    /// the stations' tick among them, would stop: something a real clock
    /// step does not do. This library, preloaded first, makes the real calls.
    private static func timerfdShim(in dir: URL) throws -> String {
        let source = dir.appendingPathComponent("timerfd-shim.c").path, library = dir.appendingPathComponent("timerfd-shim.so").path
        try """
        #define _GNU_SOURCE
        #include <sys/syscall.h>
        #include <unistd.h>
        struct itimerspec;
        int timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old_value) {
            return (int)syscall(SYS_timerfd_settime, fd, flags, new_value, old_value);
        }
        int timerfd_gettime(int fd, struct itimerspec *curr_value) { return (int)syscall(SYS_timerfd_gettime, fd, curr_value); }
        """.write(toFile: source, atomically: true, encoding: .utf8)
        for compiler in ["clang", "cc"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [compiler, "-shared", "-fPIC", "-o", library, source]
            try p.run()
            p.waitUntilExit()
            if p.terminationStatus == 0 { return library }
        }
        throw HarnessFailure(description: "could not compile \(source) with clang or cc")
    }

    static func removeFiles(_ files: [String]) { for file in files { try? FileManager.default.removeItem(atPath: file) } }

    /// libfaketime's semaphore and shared memory, named in the daemon's
    /// FAKETIME_SHARED: files in /dev/shm nobody else removes.
    private static func sharedMemory(of site: DaemonSite) -> [String] {
        guard let pid = site.process?.processIdentifier,
              let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [] }
        let prefix = Array("FAKETIME_SHARED=".utf8)
        return environ.split(separator: 0).filter { $0.starts(with: prefix) }.flatMap { variable in
            String(decoding: variable.dropFirst(prefix.count), as: UTF8.self).split(separator: " ").map { name in
                name.contains("_sem_") ? "/dev/shm/sem.\(name.dropFirst())" : "/dev/shm/\(name.dropFirst())"
            }
        }
    }

    /// Sets the daemon's wall-clock offset ("+1d", "-1h").
    static func step(_ offsetFile: String, to offset: String) throws {
        try "\(offset)\n".write(toFile: offsetFile, atomically: true, encoding: .utf8)
    }

    /// The dock station's operator and whether a receipt is open, from the control socket.
    private func dock(_ site: DaemonSite) throws -> (operatorID: String?, open: Bool) {
        let stations = try site.request(["cmd": "stations"])["stations"] as? [[String: Any]] ?? []
        let s = try #require(stations.first { $0["name"] as? String == "dock-1" })
        return (s["operator"] as? String, s["open"] as? Bool == true)
    }
}
