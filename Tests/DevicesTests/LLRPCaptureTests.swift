import Foundation
import Testing
@testable import Devices
import ScanModel

/// Reader config from a log's `# Config:` header
/// (`preset=cycle-count antennas=1,2 report=tags:16|sweep:1000 keepalive=5000`).
func llrpConfig(from capture: CoreCapture) throws -> LLRPReaderConfig {
    var fields: [String: String] = [:]
    for pair in (capture.headers["Config"] ?? "").split(separator: " ") {
        let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        if kv.count == 2 { fields[kv[0]] = kv[1] }
    }
    let preset = try #require(LLRPInventoryPreset(rawValue: fields["preset"] ?? "presence"))
    var config = LLRPReaderConfig(host: "127.0.0.1", preset: preset)
    config.antennas = (fields["antennas"] ?? "").split(separator: ",").compactMap { UInt16($0) }
    let report = (fields["report"] ?? "tags:1").split(separator: ":")
    let n = report.count == 2 ? UInt32(report[1]) ?? 1 : 1
    config.reportTrigger = report.first == "sweep" ? .endOfSweep(milliseconds: n) : .everyNTags(UInt16(n))
    config.keepaliveMilliseconds = UInt32(fields["keepalive"] ?? "5000") ?? 5000
    config.reconnectOnFramingError = false // logs keep going after injected faults
    return config
}

func llrpSteps(_ capture: CoreCapture) -> [LLRPCaptureStep] {
    capture.lines.map { l in
        let ms = Int64((l.seconds * 1000).rounded())
        switch l.direction {
        case "<": return LLRPCaptureStep(milliseconds: ms, kind: .fromReader(l.bytes), line: l.number)
        case ">": return LLRPCaptureStep(milliseconds: ms, kind: .toReader(l.bytes), line: l.number)
        default: return LLRPCaptureStep(milliseconds: ms, kind: l.word == "stop" ? .hostStops : .readerCloses, line: l.number)
        }
    }
}

@Suite struct LLRPCaptureTests {
    static let logs = (try? CoreCapture.all(prefix: "llrp-").map(\.lastPathComponent)) ?? []

    @Test func atLeastThreeLogsWithHeaders() throws {
        #expect(Self.logs.count >= 3)
        for name in Self.logs {
            let c = try CoreCapture(url: CoreCapture.directory.appendingPathComponent(name))
            for key in ["Name", "Interface", "VID-PID", "Firmware", "Serial", "Source"] {
                #expect(c.headers[key] != nil, "\(name) lacks # \(key):")
            }
            #expect(c.headers["Source"]?.contains("pyllrp") == true)
        }
    }

    @Test(arguments: logs) func replayWholeAndByteByByte(_ name: String) throws {
        let capture = try CoreCapture(url: CoreCapture.directory.appendingPathComponent(name))
        let config = try llrpConfig(from: capture)
        let steps = llrpSteps(capture)
        var whole = LLRPConversationReplay(config: config)
        whole.run(steps)
        #expect(whole.mismatches.isEmpty, "\(whole.mismatches)")
        try expectMatchesCoreChk(whole.lines, capture: capture.name)
        for chunk in [1, 7] {
            var split = LLRPConversationReplay(config: config)
            split.run(steps, chunk: chunk)
            #expect(split.mismatches.isEmpty)
            #expect(split.lines == whole.lines, "\(name): \(chunk)-byte chunks differ from whole-line replay")
        }
    }

    /// `replay --raw` view: only the reader→client bytes, no session.
    @Test(arguments: logs) func rawStreamDecodesTheSameTagsWholeAndByteByByte(_ name: String) throws {
        let capture = try CoreCapture(url: CoreCapture.directory.appendingPathComponent(name))
        let bytes = capture.deviceBytes
        var a = LLRPDecoder(), b = LLRPDecoder()
        var ca = LLRPEventCollector(), cb = LLRPEventCollector()
        a.feed(bytes, into: &ca); a.finish(into: &ca)
        for byte in bytes { b.feed([byte], into: &cb) }
        b.finish(into: &cb)
        #expect(ca.events == cb.events)
        #expect(a.counters == b.counters)
        #expect(a.counters.bytes == bytes.count)
        #expect(a.counters.tagReads > 0)
    }
}

@Suite struct CoreCaptureFilesTests {
    /// Every log of these protocols has its expected-events file.
    @Test func everyLogHasAChk() throws {
        for prefix in ["llrp-", "hidpos-", "evdev-"] {
            let logs = try CoreCapture.all(prefix: prefix)
            #expect(logs.count >= 3, "\(prefix)*: fewer than three logs")
            for log in logs {
                let chk = log.deletingPathExtension().appendingPathExtension("chk")
                #expect(FileManager.default.fileExists(atPath: chk.path), "\(log.lastPathComponent) has no .chk")
            }
        }
    }
}
