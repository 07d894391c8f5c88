import Foundation
import Testing
import ScanModel
@testable import Devices

@Suite struct DriverSnifferTests {
    @Test func recognisesEachCaptureFamily() throws {
        for name in Captures.logNames {
            let log = try Captures.load(name)
            #expect(DriverSniffer.guess(log.deviceBytes) == log.value("Driver"), "\(name)")
        }
    }

    @Test func saysNothingAboutNoise() {
        #expect(DriverSniffer.guess([]) == nil)
        #expect(DriverSniffer.guess([0x00, 0x01, 0x02, 0x0D, 0x05, 0x06, 0x0A]) == nil)
        // A frame with a wrong CRC is not evidence of Mercury.
        var frame = MercuryProtocol.reply(0x22, status: 0x0400)
        frame[frame.count - 1] ^= 1
        #expect(DriverSniffer.guess(frame) != "mercury")
    }
}

@Suite struct WarningLimiterTests {
    @Test func letsFiveThroughPerMinuteAndCountsTheRest() {
        var limiter = WarningLimiter(perWindow: 5, window: .seconds(60))
        var shown = 0
        for i in 0..<20 { if limiter.admit(at: .seconds(Int64(i))).show { shown += 1 } }
        #expect(shown == 5)
        #expect(limiter.suppressed == 15)
        let next = limiter.admit(at: .seconds(61))
        #expect(next.show && next.suppressedBefore == 15)
    }
}

@Suite(.serialized) struct SilenceTests {
    /// A streaming Mercury reader that stops talking (no keepalives) is
    /// treated as lost: disconnected, then reconnected.
    @Test func silentReaderIsReconnected() throws {
        let reader = try FakeReader()
        defer { reader.hangUp() }
        var options = DriverOptions()
        options.mercury.silenceTimeout = .milliseconds(150)
        var config = DeviceConfig(name: "quiet", driver: "mercury", port: .path(reader.path), options: options)
        config.backoffInitial = .milliseconds(10)
        config.pollMilliseconds = 20
        let log = EventLog()
        let runner = try DeviceRunner(config: config, logger: SilentLogger()) { _, batch in log.add(batch) }
        runner.start()
        defer { runner.stop() }
        #expect(waitUntil { log.kinds.filter { $0 == "connected" }.count >= 2 })
        #expect(Array(log.kinds.prefix(3)) == ["connected", "disconnected", "connected"])
        #expect(runner.counters.reconnects >= 1)
    }
}

@Suite struct ReconnectBackoffTests {
    @Test func doublesToTheCapAndResetsAfterAHealthyConnection() {
        var b = Backoff(initial: .milliseconds(500), maximum: .seconds(30), healthyAfter: .seconds(30))
        let waits = (0..<9).map { _ in b.failed(connectedFor: nil).value / 1000 }
        #expect(waits == [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
        // A short-lived connection does not reset the wait…
        #expect(b.failed(connectedFor: .seconds(5)) == .seconds(30))
        // …a healthy one does.
        #expect(b.failed(connectedFor: .seconds(31)) == .milliseconds(500))
        #expect(b.failed(connectedFor: nil) == .seconds(1))
    }
}
