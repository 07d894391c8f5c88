import Testing
import ScanModel
@testable import Devices
import ScanModel

/// Drives a session by hand in virtual time.
struct LLRPSessionHarness {
    var session: LLRPSession
    var out: [LLRPSessionOutput] = []
    init(_ config: LLRPReaderConfig = LLRPReaderConfig(host: "reader-1")) { session = LLRPSession(config: config) }

    mutating func take() -> [LLRPSessionOutput] { defer { out.removeAll() }; return out }
    var sentTypes: [UInt16] { out.compactMap { if case .send(_, let t, _) = $0 { return t } else { return nil } } }
    var lastSentID: UInt32? { out.compactMap { if case .send(_, _, let id) = $0 { return id } else { return nil } }.last }
    var notes: [LLRPSessionNote] { out.compactMap { if case .note(let n) = $0 { return n } else { return nil } } }

    mutating func connect(at t: Int64) {
        session.start(now: t, into: &out)
        session.transportConnected(now: t, into: &out)
    }
    mutating func attempt(_ status: LLRPConnectionAttemptStatus, at t: Int64) {
        session.handle(.reader(.connectionAttempt(status), timestamp: .zero, clock: .utc), now: t, into: &out)
    }
    mutating func respond(ok: Bool = true, at t: Int64) {
        guard let id = lastSentID, case .send(_, let type, _)? = out.last(where: { if case .send = $0 { return true } else { return false } }) else { return }
        session.handle(.response(LLRPResponse(messageType: type + 10, messageID: id, statusCode: ok ? 0 : 101, errorDescription: ok ? "" : "no")),
                       now: t, into: &out)
    }
    /// Connect and answer every setup step with success.
    mutating func bringUp(at t: Int64) {
        connect(at: t)
        attempt(.success, at: t)
        while session.state == .configuring { respond(at: t) }
    }
}

@Suite struct LLRPSessionTests {
    @Test func setupRunsTheKnownStateSequenceInOrder() {
        var h = LLRPSessionHarness()
        h.bringUp(at: 0)
        #expect(h.session.state == .running)
        #expect(h.sentTypes == [1, 3, 41, 21, 20, 24, 22])
    }

    @Test func clientConnectionAlreadyExistsRetriesWithCappedBackoff() {
        var config = LLRPReaderConfig(host: "r")
        config.backoff = Backoff(initial: .seconds(1), maximum: .seconds(8))
        var h = LLRPSessionHarness(config)
        h.connect(at: 0)
        var t: Int64 = 0
        var delays: [Int64] = []
        for _ in 0..<6 {
            _ = h.take()
            h.attempt(.clientInitiatedConnectionExists, at: t)
            #expect(h.out.contains(.disconnect))
            #expect(h.notes.contains(.connectionRefused(.clientInitiatedConnectionExists)))
            #expect(h.sentTypes.isEmpty) // nothing is sent on a refused connection
            for case .note(.reconnectScheduled(_, let d)) in h.out { delays.append(d) }
            h.session.tick(now: t + delays.last! - 1, into: &h.out)
            #expect(h.session.state == .waitingToReconnect)
            t += delays.last!
            h.session.tick(now: t, into: &h.out)
            #expect(h.session.state == .connecting)
            h.session.transportConnected(now: t, into: &h.out)
        }
        #expect(delays == [1000, 2000, 4000, 8000, 8000, 8000])
        h.attempt(.success, at: t)
        while h.session.state == .configuring { h.respond(at: t) }
        #expect(h.session.state == .running)
        #expect(h.session.reconnectAttempt == 0) // a good session restarts the backoff
    }

    @Test func keepaliveOnTimeIsNotAMissAndThreeMissesKillTheLink() {
        var h = LLRPSessionHarness() // 5 s keepalive, limit 3
        h.bringUp(at: 0)
        _ = h.take()
        h.session.tick(now: 5000, into: &h.out)
        h.session.handle(.keepalive(messageID: 9), now: 5000, into: &h.out)
        #expect(h.notes.isEmpty)
        #expect(h.out == [.send(bytes: LLRPClientMessage.keepaliveAck(messageID: 9), messageType: 72, messageID: 9)])
        _ = h.take()
        h.session.tick(now: 12_600, into: &h.out)
        #expect(h.notes == [.keepaliveMissed(periods: 1)])
        _ = h.take()
        h.session.tick(now: 12_700, into: &h.out)
        #expect(h.out.isEmpty) // the same miss is reported once
        h.session.tick(now: 22_500, into: &h.out)
        #expect(h.notes.contains(.linkDead))
        #expect(h.out.contains(.disconnect))
        #expect(h.session.state == .waitingToReconnect)
    }

    @Test func tagTrafficAlsoProvesTheLink() {
        var h = LLRPSessionHarness()
        h.bringUp(at: 0)
        let read = TagRead(epc: EPC(hi: 1, lo32: 2), device: DeviceIndex(0), time: .zero)
        for t in stride(from: Int64(1000), through: 60_000, by: 1000) {
            h.session.handle(.tag(LLRPTagReport(read: read, channelIndex: 0, firstSeen: nil, lastSeen: nil, clock: .none, roSpecID: 0)),
                             now: t, into: &h.out)
            h.session.tick(now: t, into: &h.out)
        }
        #expect(!h.notes.contains(.linkDead))
    }

    @Test func setupFailureIsReportedAndRetried() {
        var h = LLRPSessionHarness()
        h.connect(at: 0)
        h.attempt(.success, at: 0)
        for _ in 0..<4 { h.respond(at: 0) } // caps, config, delete x2
        h.respond(ok: false, at: 0)         // ADD_ROSPEC refused
        #expect(h.notes.contains(.setupFailed(messageType: 20, statusCode: 101, description: "no")))
        #expect(h.session.state == .waitingToReconnect)
    }

    @Test func failedDeleteIsTolerated() {
        var h = LLRPSessionHarness()
        h.connect(at: 0)
        h.attempt(.success, at: 0)
        h.respond(at: 0); h.respond(at: 0)
        h.respond(ok: false, at: 0) // DELETE_ACCESSSPEC
        h.respond(ok: false, at: 0) // DELETE_ROSPEC
        #expect(h.session.state == .configuring)
        #expect(h.sentTypes.last == 20)
    }

    @Test func responsesToOtherMessageIDsAreIgnored() {
        var h = LLRPSessionHarness()
        h.connect(at: 0)
        h.attempt(.success, at: 0)
        let before = h.sentTypes.count
        h.session.handle(.response(LLRPResponse(messageType: 11, messageID: 999, statusCode: 0, errorDescription: "")), now: 0, into: &h.out)
        #expect(h.sentTypes.count == before)
    }

    @Test func silentReaderTimesOutAtEachStage() {
        var h = LLRPSessionHarness()
        h.connect(at: 0)
        h.session.tick(now: 9_999, into: &h.out)
        #expect(h.session.state == .awaitingConnectionEvent)
        h.session.tick(now: 10_000, into: &h.out)
        #expect(h.notes.contains(.timeout(waitingFor: "ConnectionAttemptEvent")))
        #expect(h.session.state == .waitingToReconnect)
        _ = h.take()
        h.session.tick(now: 11_000, into: &h.out)
        h.session.transportConnected(now: 11_000, into: &h.out)
        h.attempt(.success, at: 11_000)
        h.session.tick(now: 21_000, into: &h.out)
        #expect(h.notes.contains(.timeout(waitingFor: "GET_READER_CAPABILITIES_RESPONSE")))
    }

    @Test func stopSendsStopROSpecAndCloseConnectionThenWaits() {
        var h = LLRPSessionHarness()
        h.bringUp(at: 0)
        _ = h.take()
        h.session.stop(now: 100, into: &h.out)
        #expect(h.sentTypes == [23, 14])
        #expect(!h.out.contains(.disconnect))
        let closeID = h.lastSentID!
        h.session.handle(.response(LLRPResponse(messageType: 4, messageID: closeID, statusCode: 0, errorDescription: "")), now: 150, into: &h.out)
        #expect(h.out.contains(.disconnect))
        #expect(h.session.state == .stopped)
        // Without an answer the close timeout drops the socket anyway.
        var g = LLRPSessionHarness()
        g.bringUp(at: 0)
        g.session.stop(now: 0, into: &g.out)
        _ = g.take()
        g.session.tick(now: 2000, into: &g.out)
        #expect(g.out.contains(.disconnect) && g.session.state == .stopped)
    }

    @Test func readerDropAfterRunningReconnects() {
        var h = LLRPSessionHarness()
        h.bringUp(at: 0)
        h.session.transportClosed(now: 50, into: &h.out)
        #expect(h.session.state == .waitingToReconnect)
        h.session.tick(now: 1050, into: &h.out)
        #expect(h.out.contains(.connect(host: "reader-1", port: 5084, timeoutMilliseconds: 5000)))
    }

    @Test func framingErrorsReconnectUnlessReplaying() {
        var h = LLRPSessionHarness()
        h.bringUp(at: 0)
        h.session.handle(.error(LLRPDecodeError(kind: .garbage, offset: 5, messageType: 0, detail: 3)), now: 1, into: &h.out)
        #expect(h.notes.contains(.framingLost) && h.session.state == .waitingToReconnect)
        var config = LLRPReaderConfig(host: "r"); config.reconnectOnFramingError = false
        var g = LLRPSessionHarness(config)
        g.bringUp(at: 0)
        g.session.handle(.error(LLRPDecodeError(kind: .garbage, offset: 5, messageType: 0, detail: 3)), now: 1, into: &g.out)
        #expect(g.session.state == .running)
    }

    @Test func presetsWriteTheirGen2Session() {
        let cycle = LLRPClientMessage.addROSpec(messageID: 1, config: LLRPReaderConfig(host: "r", preset: .cycleCount))
        let presence = LLRPClientMessage.addROSpec(messageID: 1, config: LLRPReaderConfig(host: "r", preset: .presence))
        // C1G2SingulationControl (type 336 = 0x0150): first body byte holds the session in its top 2 bits.
        func singulation(_ m: [UInt8]) -> UInt8? {
            for i in 0..<(m.count - 4) where m[i] == 0x01 && m[i + 1] == 0x50 { return m[i + 4] }
            return nil
        }
        #expect(singulation(cycle) == 0x80)    // session 2
        #expect(singulation(presence) == 0x00) // session 0
        #expect(cycle.count == presence.count + 5) // + StateAwareSingulationAction
    }
}
