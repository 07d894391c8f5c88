import Foundation
import Testing
@testable import Devices
import ScanModel

/// Reader config from an LLRP log's `# Config:` header
/// (`preset=cycle-count antennas=1,2 report=tags:16|sweep:1000 keepalive=5000`),
/// read by the same parser as a daemon config's `options`.
func llrpConfig(from log: CaptureLog) throws -> LLRPReaderConfig {
    var config = try LLRPReaderConfig.parsing(options: log.value("Config") ?? "", host: "127.0.0.1")
    config.reconnectOnFramingError = false // logs keep going after injected faults
    return config
}

/// A capture record's time on the session's millisecond clock.
func llrpMilliseconds(_ t: Microseconds) -> Int64 { (t.value + 500) / 1000 }

/// The log as conversation steps: '<' reader bytes, '>' expected client
/// bytes, `! close` the reader hangs up, `! stop` the host shuts down.
func llrpSteps(_ log: CaptureLog, lineNumbers: [Int]) -> [LLRPCaptureStep] {
    zip(log.records, lineNumbers).map { r, line in
        let ms = llrpMilliseconds(r.time)
        switch r.direction {
        case .fromDevice: return LLRPCaptureStep(milliseconds: ms, kind: .fromReader(r.bytes), line: line)
        case .toDevice: return LLRPCaptureStep(milliseconds: ms, kind: .toReader(r.bytes), line: line)
        case .event:
            if let gpo = r.gpoWrite { return LLRPCaptureStep(milliseconds: ms, kind: .hostWritesGPO(port: gpo.port, high: gpo.high), line: line) }
            return LLRPCaptureStep(milliseconds: ms, kind: r.event == "stop" ? .hostStops : .readerCloses, line: line)
        }
    }
}

extension Captures {
    /// 1-based file line of each record, for mismatch messages.
    static func recordLineNumbers(_ name: String) throws -> [Int] {
        let text = try String(contentsOf: directory.appendingPathComponent(name + ".log"), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { i, l in
            l.allSatisfy({ $0 == " " || $0 == "\t" }) || l.hasPrefix("#") ? nil : i + 1
        }
    }

    /// An LLRP capture's conversation replayed in virtual time against the session.
    static func conversation(_ name: String, chunk: Int = 0) throws -> LLRPConversationReplay {
        let log = try load(name)
        var replay = LLRPConversationReplay(config: try llrpConfig(from: log))
        replay.run(llrpSteps(log, lineNumbers: try recordLineNumbers(name)), chunk: chunk)
        return replay
    }
}

/// Events compared without the times the host may stamp on them (connection
/// events, keepalives, replies, problems, reader events whose stamp is not
/// UTC): a live client stamps them with its own clock. Tag reads keep the
/// reader's time and are compared whole.
func untimed(_ e: DeviceEvent) -> DeviceEvent {
    switch e {
    case .keepalive: return .keepalive(time: .zero)
    case .commandDone(let c, _): return .commandDone(command: c, time: .zero)
    case .connected: return .connected(time: .zero)
    case .disconnected: return .disconnected(time: .zero)
    case .problem(var p): p.time = .zero; p.offset = 0; return .problem(p)
    case .reader(let event, let detail, _): return .reader(event: event, detail: detail, time: .zero)
    case .gpi(let port, let high, _): return .gpi(port: port, high: high, time: .zero)
    default: return e
    }
}
