import Testing
import ScanModel
@testable import Devices

@Suite struct LineDriverTests {
    func scans(_ text: [UInt8], options: LineOptions = LineOptions()) -> (scans: [String], problems: [DeviceProblem]) {
        let d = LineDriver(options: DriverOptions(line: options))
        var batch = EventBatch()
        d.feed(text, time: .zero, into: &batch)
        d.flush(time: .zero, into: &batch)
        var s: [String] = [], p: [DeviceProblem] = []
        for e in batch.events {
            if case .scan(let scan) = e { s.append(String(decoding: scan.data, as: UTF8.self)) }
            if case .problem(let problem) = e { p.append(problem) }
        }
        return (s, p)
    }

    @Test func everyTerminatorEndsAScanAndCRLFIsOne() {
        #expect(scans(Array("A\r\nB\rC\nD\tE\r\n\r\n".utf8)).scans == ["A", "B", "C", "D", "E"])
    }

    @Test func keepsAIMPrefixAndGS() {
        let r = scans(Array("]C101095201234567881017\u{1D}21X\r\n".utf8))
        #expect(r.scans == ["]C101095201234567881017\u{1D}21X"])
    }

    @Test func stripsConfiguredPrefixAndSuffix() {
        var o = LineOptions()
        o.stripPrefix = Array("PRE".utf8); o.stripSuffix = Array("SUF".utf8)
        #expect(scans(Array("PRE123SUF\r\n456\r\n".utf8), options: o).scans == ["123", "456"])
    }

    @Test func capsLineLength() {
        var o = LineOptions(); o.maxLength = 10
        let r = scans(Array((String(repeating: "9", count: 11) + "\r\nOK\r\n").utf8), options: o)
        #expect(r.scans == ["OK"])
        #expect(r.problems.map(\.kind) == [.lineTooLong])
        #expect(r.problems.first?.offset == 0 && r.problems.first?.length == 11)
    }

    @Test func binaryNoiseIsDroppedWithItsOffset() {
        let r = scans([0x41, 0x42, 0x0D] + [0x43, 0x00, 0x44, 0x0D] + [0x45, 0x0D])
        #expect(r.scans == ["AB", "E"])
        #expect(r.problems.map(\.kind) == [.binaryNoise])
        #expect(r.problems.first?.offset == 4)
    }

    @Test func stxEtxFramesAndGarbageBetween() {
        var o = LineOptions(); o.stxEtx = true
        let r = scans([0x02] + Array("AB".utf8) + [0x03, 0x0D, 0x0A] + Array("zz".utf8) + [0x02] + Array("CD".utf8) + [0x03, 0x02, 0x45], options: o)
        #expect(r.scans == ["AB", "CD"])
        #expect(r.problems.map(\.kind) == [.garbage, .truncated])
        #expect(r.problems.first?.offset == 6)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix(seed: 3)
        for _ in 0..<100 {
            let bytes = (0..<Int(rng.next() % 9000)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(fuzzFeed(driver: "line", bytes: bytes) >= 0)
        }
    }
}

@Suite struct TSLDriverTests {
    func events(_ text: String) -> [DeviceEvent] {
        let d = TSLDriver(options: DriverOptions())
        var batch = EventBatch()
        d.feed(Array(text.utf8), time: .zero, into: &batch)
        d.flush(time: .zero, into: &batch)
        return batch.events
    }

    @Test func inventoryWithRSSI() {
        let e = events("CS: .iv\r\nEP: 3074257BF7194E4000001A85\r\nRI: -61\r\nOK:\r\n\r\n")
        #expect(e.count == 2)
        guard case .tag(let t) = e.first else { Issue.record("no tag"); return }
        #expect(t.epc.hex == "3074257BF7194E4000001A85" && t.rssi == -61)
        #expect(e.last == .commandDone(command: ".iv", time: .zero))
    }

    @Test func triggerPressAndRelease() {
        let e = events("SW: single\r\nSW: single\r\nSW: off\r\n")
        #expect(e == [.trigger(pressed: true, time: .zero), .trigger(pressed: false, time: .zero)])
    }

    @Test func errorReplyCarriesItsCode() {
        let e = events("CS: .iv\r\nER: 005\r\n\r\n")
        guard case .problem(let p) = e.first else { Issue.record("no error"); return }
        #expect(p.kind == .deviceError && p.code == 5)
    }

    @Test func rejectsBadEPCs() {
        for bad in ["EP: 123\r\n", "EP: XYZ0\r\n", "EP: " + String(repeating: "A", count: 66) + "\r\n", "EP:\r\n"] {
            let e = events(bad)
            #expect(e.count == 1)
            guard case .problem(let p) = e.first else { Issue.record("accepted \(bad)"); continue }
            #expect(p.kind == .unknown)
        }
    }

    @Test func feedbackCommandsExistForEveryOutcomeAndDiffer() {
        let d = TSLDriver(options: DriverOptions())
        var seen: Set<FeedbackPlan> = []
        for outcome in FeedbackOutcome.allCases {
            let plan = d.feedbackPlan(outcome)
            for step in plan?.steps ?? [] {
                #expect(String(decoding: step.bytes, as: UTF8.self).hasPrefix(".al "))
                #expect(step.bytes.suffix(2) == [0x0D, 0x0A])
            }
            if let plan { seen.insert(plan) } else { Issue.record("no plan for \(outcome)") }
        }
        #expect(seen.count == FeedbackOutcome.allCases.count, "two outcomes sound the same")
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix(seed: 5)
        for _ in 0..<100 {
            let bytes = (0..<Int(rng.next() % 9000)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(fuzzFeed(driver: "tsl", bytes: bytes) >= 0)
        }
        #expect(fuzzFeed(driver: "nope", bytes: [1]) == -1)
    }
}
