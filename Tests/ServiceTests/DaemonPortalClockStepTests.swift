import Foundation
import Testing
@testable import Service

/// Issue 18, "Clock jumps", for the read pipeline on the real daemon: a
/// Mercury reader on a pty keeps two tags in the dock's portal zone (lost
/// after 2 s unread) while libfaketime steps scanledgerd's wall clock a day
/// forward, then an hour back. The zone's windows run on CLOCK_MONOTONIC:
/// the present tags never depart on the step forward (on the old code both
/// departed at once), and once the reader stops they depart within seconds
/// after the step back (on the old code not before the wall clock caught up).
@Suite(.serialized) struct DaemonPortalClockStepTests {
    let epcs: [[UInt8]] = [0x85, 0x86].map { [0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, $0] }

    @Test(.disabled(if: DaemonClockStepTests.underTSan, "libfaketime cannot be preloaded ahead of the TSan runtime"))
    func presentTagsOutliveWallClockStepsAndDepartOnTime() throws {
        let site = try DaemonSite()
        let reader = try FakeScanner()
        site.mercuryPort = reader.path
        try site.writeConfig()
        let (offsetFile, shared) = try DaemonClockStepTests.startUnderFaketime(site)
        defer { DaemonClockStepTests.removeFiles(shared) }

        try eventually("both tags to arrive (log: \(site.log))") {
            feed(reader, seconds: 0.2)
            return try portal(site, "arrivals") == 2
        }
        try DaemonClockStepTests.step(offsetFile, to: "+1d")
        feed(reader, seconds: 5)
        #expect(try portal(site, "departures") == 0, "a day forward: the tags still read departed")
        try DaemonClockStepTests.step(offsetFile, to: "-1h")
        feed(reader, seconds: 3)
        #expect(try portal(site, "departures") == 0, "an hour back: the tags still read departed")
        try eventually("the tags, no longer read, to depart after the step back", limit: 15) {
            try portal(site, "departures") == 2
        }
        #expect(try portal(site, "arrivals") == 2)
        #expect(try site.stop() == 0)
    }

    /// Both tags read every 100 ms for `seconds`, as a portal sees pallets standing in it.
    private func feed(_ reader: FakeScanner, seconds: TimeInterval) {
        let until = Date().addingTimeInterval(seconds)
        while Date() < until {
            reader.write(epcs.flatMap { mercuryTagFrame(epc: $0) })
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// The portal zone's counter `scanledger_zone_<name>_total` from `metrics`.
    private func portal(_ site: DaemonSite, _ name: String) throws -> Int? {
        let text = try site.request(["cmd": "metrics"])["text"] as? String ?? ""
        let prefix = "scanledger_zone_\(name)_total{zone=\"portal\"} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }.map { Int($0) }
    }
}
