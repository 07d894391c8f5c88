import Foundation
import Testing
import ScanModel
@testable import Devices

/// gpsd's rule: every driver is proven by capture logs replayed whole, byte
/// by byte, and through a real pseudo-terminal, all equal to the .chk.
@Suite struct CaptureReplayTests {
    @Test func everyDriverHasThreeCaptures() throws {
        var perDriver: [String: Int] = [:]
        for name in Captures.logNames {
            let log = try Captures.load(name)
            perDriver[log.value("Driver") ?? "?", default: 0] += 1
            for key in CaptureLog.requiredKeys {
                #expect(log.value(key)?.isEmpty == false, "\(name).log lacks '# \(key):'")
            }
        }
        for driver in ["line", "mercury", "tsl"] {
            #expect((perDriver[driver] ?? 0) >= 3, "driver \(driver) has \(perDriver[driver] ?? 0) capture logs")
        }
    }

    @Test(arguments: Captures.logNames)
    func replayWholeMatchesChk(name: String) throws {
        let log = try Captures.load(name)
        let actual = Replay.events(log, driver: try Captures.driver(for: log)).map(EventJSON.line)
        let expected = try Captures.expected(name, actual: actual)
        #expect(actual == expected)
    }

    @Test(arguments: Captures.logNames)
    func replayByteByByteMatchesChk(name: String) throws {
        let log = try Captures.load(name)
        let actual = Replay.events(log, driver: try Captures.driver(for: log), split: .byteByByte).map(EventJSON.line)
        #expect(actual == (try Captures.expected(name, actual: actual)))
    }

    @Test(arguments: Captures.logNames)
    func replayThroughPtyMatchesChk(name: String) throws {
        let log = try Captures.load(name)
        let actual = try PtyReplay.events(log, driver: try Captures.driver(for: log)).map(EventJSON.line)
        #expect(actual == (try Captures.expected(name, actual: actual)))
    }

    /// The logs' builder (Tests/Captures/tools/build_captures.py) lists the
    /// tags and scans it put in; the driver must find exactly those.
    @Test(arguments: Captures.logNames)
    func findsWhatTheIndependentBuilderPutIn(name: String) throws {
        let log = try Captures.load(name)
        let events = Replay.events(log, driver: try Captures.driver(for: log))
        let tags = events.compactMap { if case .tag(let t) = $0 { t.epc.hex } else { nil } }
        let scans = events.compactMap { if case .scan(let s) = $0 { s.data.map(hex2).joined() } else { nil } }
        let expectTags = (log.value("Expect-Tags") ?? "").split(separator: " ").map(String.init)
        let expectScans = (log.value("Expect-Scans") ?? "").split(separator: " ").map(String.init)
        #expect(tags == expectTags)
        #expect(scans == expectScans)
    }

    @Test func missingChkIsReported() throws {
        // A name with no .chk: the helper must record an issue, not pass silently.
        guard ProcessInfo.processInfo.environment["SCANLEDGER_REBUILD_CHK"] != "1" else { return }
        withKnownIssue {
            _ = try Captures.expected("no-such-capture", actual: ["{}"])
        }
    }
}
