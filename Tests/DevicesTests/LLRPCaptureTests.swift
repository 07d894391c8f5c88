import Foundation
import Testing
@testable import Devices
import ScanModel

/// LLRP captures are whole conversations: beyond the driver-level replay in
/// CaptureReplayTests, the session must send exactly the log's '>' messages,
/// and its transcript (session outputs interleaved with the decoded events)
/// must equal `<log>.session`.
@Suite struct LLRPCaptureTests {
    static let logs = Captures.tcpLogNames

    @Test func atLeastThreeLogsBuiltByAnIndependentEncoder() throws {
        #expect(Self.logs.count >= 3)
        for name in Self.logs {
            let log = try Captures.load(name)
            #expect(log.value("Driver") == "llrp")
            #expect(log.value("Config") != nil, "\(name) lacks # Config:")
            #expect(log.value("Source")?.contains("pyllrp") == true)
        }
    }

    @Test(arguments: logs) func conversationMatchesTheLogAndTheTranscript(_ name: String) throws {
        let whole = try Captures.conversation(name)
        #expect(whole.mismatches.isEmpty, "\(whole.mismatches)")
        #expect(whole.lines == (try Captures.expected(name, actual: whole.lines, kind: "session")))
        for chunk in [1, 7] {
            let split = try Captures.conversation(name, chunk: chunk)
            #expect(split.mismatches.isEmpty)
            #expect(split.lines == whole.lines, "\(name): \(chunk)-byte chunks differ from whole-record replay")
        }
    }

    /// The decoded events of the conversation are the driver's events: every
    /// tag the driver-level replay (.chk) finds, the conversation finds too,
    /// except reads the session dropped because they came while it was
    /// disconnected (`dropped` in the transcript).
    @Test(arguments: logs) func conversationFindsTheDriversTags(_ name: String) throws {
        let conversation = try Captures.conversation(name)
        let log = try Captures.load(name)
        let driverTags = Replay.events(log, driver: LLRPDriver()).compactMap { if case .tag(let t) = $0 { t } else { nil } }
        let tags = conversation.events.compactMap { if case .tag(let t) = $0 { t } else { nil } }
        #expect(!tags.isEmpty)
        let dropped = conversation.lines.contains { $0.contains("\"type\":\"dropped\"") }
        if dropped { #expect(Set(tags).isSubset(of: Set(driverTags))) } else { #expect(tags == driverTags) }
    }
}
