import Foundation
import Testing
import ScanModel
@testable import Devices

/// The Zebra SSI driver: framing, ACK/NAK both ways, code types as AIM
/// identifiers, multipacket decodes, the host's retransmits, and the bytes
/// a live scanner sees on a pty.
@Suite struct SSITests {
    typealias P = SSIProtocol
    static let gs: UInt8 = 0x1D

    /// A decoder packet built by hand from the guide's layout (source 0).
    static func decoder(_ op: UInt8, _ data: [UInt8] = [], status: UInt8 = 0) -> [UInt8] {
        var p: [UInt8] = [UInt8(4 + data.count), op, 0x00, status] + data
        var sum = 0
        for b in p { sum += Int(b) }
        let c = (0x10000 - (sum & 0xFFFF)) & 0xFFFF
        p += [UInt8(c >> 8), UInt8(c & 0xFF)]
        return p
    }
    static func decode(_ type: UInt8, _ text: String, status: UInt8 = 0) -> [UInt8] {
        decoder(P.Opcode.decodeData, [type] + Array(text.utf8), status: status)
    }
    static let scannerAck = decoder(P.Opcode.cmdAck)

    static func run(_ bytes: [UInt8], driver: SSIDriver = SSIDriver(options: DriverOptions())) -> EventBatch {
        var batch = EventBatch()
        driver.feed(bytes, time: .seconds(1), into: &batch)
        return batch
    }
    static func scans(_ events: [DeviceEvent]) -> [String] {
        events.compactMap { if case .scan(let s) = $0 { String(decoding: s.data, as: UTF8.self) } else { nil } }
    }

    @Test func checksumWorkedExample() {
        // 0x04 + 0xD0 + 0x04 + 0x00 = 0xD8; two's complement in 16 bits: 0xFF28.
        #expect(P.checksum([0x04, 0xD0, 0x04, 0x00] as [UInt8]) == 0xFF28)
        #expect(P.ack == [0x04, 0xD0, 0x04, 0x00, 0xFF, 0x28])
        #expect(P.scanEnable == [0x04, 0xE9, 0x04, 0x00, 0xFF, 0x0F])
        #expect(P.scanDisable == [0x04, 0xEA, 0x04, 0x00, 0xFF, 0x0E])
        // Every host packet plus its checksum sums to zero.
        for p in [P.ack, P.hostParameters, P.beep(0x11), P.ledOn, P.nak(1), P.retransmission(of: P.scanEnable)] {
            var sum: UInt16 = 0
            for b in p { sum &+= UInt16(b) }
            let body = p.dropLast(2).reduce(UInt16(0)) { $0 &+ UInt16($1) }
            #expect(body &+ (UInt16(p[p.count - 2]) << 8 | UInt16(p[p.count - 1])) == 0, "\(p)")
            #expect(Int(p[0]) == p.count - 2, "Length excludes the checksum")
        }
        #expect(P.retransmission(of: P.scanEnable) == [0x04, 0xE9, 0x04, 0x01, 0xFF, 0x0E])
    }

    @Test func decodeBecomesAScanWithItsAIMAndIsAcked() {
        let gs1 = "0109520123456788" + "10LOT42\u{1D}21SN1"
        let batch = Self.run(Self.decode(0x0F, gs1) + Self.decode(0x0B, "4006381333931") + Self.decode(0xC1, "0104150063002041")
                             + Self.decode(0xC2, "01095201234567881724") + Self.decode(0x30, "0100614141999996"))
        #expect(Self.scans(batch.events) == ["]C1" + gs1, "]E04006381333931", "]d20104150063002041", "]Q301095201234567881724", "]e00100614141999996"])
        #expect(batch.outgoing == Array(repeating: P.ack, count: 5))
        // ACKs and NAKs from the scanner are never ACKed.
        #expect(Self.run(Self.scannerAck).outgoing.isEmpty)
    }

    /// Each stream gives the same events cut at any single byte boundary as whole.
    @Test func everyFrameSplitAtEveryByteBoundary() {
        let streams: [[UInt8]] = [
            Self.decode(0x0F, "0109520123456788"),
            Self.scannerAck + Self.decoder(P.Opcode.event, [0x01]),
            Self.decode(0x1C, "part one ", status: P.Status.continuation) + Self.decode(0x1C, "part two"),
            [0x00, 0x41, 0x09, 0x00] + Self.decode(0x03, "X1"),
            { var b = Self.decode(0x03, "BAD"); b[5] ^= 1; return b + Self.decode(0x03, "GOOD") }(),
        ]
        for stream in streams {
            let whole = Self.run(stream)
            #expect(!whole.events.isEmpty)
            for k in 1..<stream.count {
                let d = SSIDriver(options: DriverOptions())
                var batch = EventBatch()
                d.feed(Array(stream[..<k]), time: .seconds(1), into: &batch)
                d.feed(Array(stream[k...]), time: .seconds(1), into: &batch)
                #expect(batch.events == whole.events, "split at \(k) of \(stream.count)")
                #expect(batch.outgoing == whole.outgoing, "split at \(k)")
            }
        }
    }

    @Test func badChecksumIsNakedAndTheRetransmissionTaken() {
        let d = SSIDriver(options: DriverOptions())
        let good = Self.decode(0x0B, "5901234123457")
        var bad = good
        bad[7] ^= 0x04
        let first = Self.run([0x7E, 0x13] + bad, driver: d)
        #expect(first.outgoing == [P.nak(P.NakCause.resend)])
        #expect(Self.scans(first.events).isEmpty)
        #expect(d.counters.badCRC == 1 && d.naksSent == 1)
        // The scanner resends with the retransmit bit: taken (it is new to us).
        let again = Self.run(Self.decode(0x0B, "5901234123457", status: P.Status.retransmit), driver: d)
        #expect(Self.scans(again.events) == ["]E05901234123457"])
        #expect(again.outgoing == [P.ack])
        #expect(d.duplicates == 0)
        // The same code scanned again, damaged on the way: its retransmission
        // equals the packet taken before, but after our NAK it is new.
        #expect(Self.run(bad, driver: d).outgoing == [P.nak(P.NakCause.resend)])
        let second = Self.run(Self.decode(0x0B, "5901234123457", status: P.Status.retransmit), driver: d)
        #expect(Self.scans(second.events) == ["]E05901234123457"], "a rescan was taken for a duplicate")
        #expect(d.counters.scans == 2 && d.duplicates == 0)
    }

    @Test func aRetransmittedDuplicateIsAckedButNotDecodedTwice() {
        let d = SSIDriver(options: DriverOptions())
        let first = Self.run(Self.decode(0x06, "10012345678902"), driver: d)
        #expect(Self.scans(first.events).count == 1)
        // Our ACK was lost; the same packet comes back with the retransmit bit.
        let dup = Self.run(Self.decode(0x06, "10012345678902", status: P.Status.retransmit), driver: d)
        #expect(Self.scans(dup.events).isEmpty)
        #expect(dup.outgoing == [P.ack], "the duplicate must still be ACKed")
        #expect(d.duplicates == 1)
        // The same code scanned again (no retransmit bit) is a new scan.
        #expect(Self.scans(Self.run(Self.decode(0x06, "10012345678902"), driver: d).events).count == 1)
        #expect(d.counters.scans == 2)
    }

    @Test func multipacketDecodeIsReassembledAndEachPacketAcked() {
        let parts = ["]first-240-bytes…", "middle\u{1D}21SER", "end"].map { $0 + String(repeating: "x", count: 200) }
        let packets = parts.enumerated().flatMap { i, text in
            Self.decode(0xC1, text, status: i < parts.count - 1 ? P.Status.continuation : 0)
        }
        let d = SSIDriver(options: DriverOptions())
        let batch = Self.run(packets, driver: d)
        // Data that already starts with "]" is not given a second identifier.
        #expect(Self.scans(batch.events) == [parts.joined()])
        #expect(batch.outgoing.count == 3 && batch.outgoing.allSatisfy { $0 == P.ack })
        let plain = Self.run(Self.decode(0x11, "AB", status: P.Status.continuation) + Self.decode(0x11, "CD"))
        #expect(Self.scans(plain.events) == ["]L0ABCD"])
        // Cut off by a disconnect: reported, nothing emitted.
        var cut = Self.run(Self.decode(0x11, "AB", status: P.Status.continuation), driver: d)
        d.flush(time: .seconds(2), into: &cut)
        #expect(Self.scans(cut.events).isEmpty)
        #expect(d.counters.truncated == 1)
    }

    @Test func unknownSymbologyIsEmittedBareAndCounted() {
        let d = SSIDriver(options: DriverOptions())
        let batch = Self.run(Self.decode(0x99, "MYSTERY"), driver: d)
        #expect(Self.scans(batch.events) == ["MYSTERY"])
        #expect(d.counters.unknown == 1)
        #expect(batch.events.contains { if case .problem(let p) = $0 { p.kind == .unknown && p.code == 0x99 } else { false } })
        // An opcode the host does not handle is NAKed BAD_CONTEXT.
        #expect(Self.run(Self.decoder(P.Opcode.imageData, [1])).outgoing == [P.nak(P.NakCause.badContext)])
        // An opcode no decoder sends is not a packet at all: skipped as noise.
        let noise = Self.run(Self.decoder(0x55, [1]) + Self.scannerAck)
        #expect(noise.outgoing.isEmpty)
        #expect(noise.events.first == .problem(DeviceProblem(kind: .garbage, offset: 0, length: 7,
                                                             message: "7 bytes outside any packet skipped", time: .seconds(1))))
    }

    /// Random bytes, and valid packets with random damage, never crash and
    /// give the same events however they are split (fuzzFeed traps if not).
    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 14)
        for round in 0..<1500 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<rng.below(600)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = []
                for _ in 0..<rng.below(6) {
                    let status = UInt8(rng.below(4))
                    let type = UInt8(truncatingIfNeeded: rng.next())
                    bytes += Self.decode(type, String(repeating: "9", count: rng.below(250)), status: status)
                }
                for _ in 0..<rng.below(4) where !bytes.isEmpty {
                    bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            #expect(fuzzFeed(driver: "ssi", bytes: bytes) >= 0)
        }
    }

    @Test func hostCommandsWaitForAckAndAreRetransmitted() throws {
        var options = DriverOptions()
        options.ssi.ackTimeout = .milliseconds(100)
        let d = SSIDriver(options: options)
        var batch = EventBatch()
        d.connectionOpened(now: .zero, into: &batch)
        #expect(batch.outgoing == [P.hostParameters], "one command in flight at a time")
        #expect(d.nextDeadline == .milliseconds(100))
        batch.removeAll()
        // No ACK in time: the same packet with the retransmit bit.
        try d.tick(now: .milliseconds(100), into: &batch)
        #expect(batch.outgoing == [P.retransmission(of: P.hostParameters)])
        batch.removeAll()
        // ACK: the next command goes.
        d.feed(Self.scannerAck, time: .milliseconds(150), into: &batch)
        #expect(batch.outgoing == [P.scanEnable])
        #expect(batch.events.contains(.commandDone(command: "PARAM_SEND", time: .milliseconds(150))))
        batch.removeAll()
        // NAK RESEND: sent again at once; twice more and then the connection goes.
        d.feed(Self.decoder(P.Opcode.cmdNak, [P.NakCause.resend]), time: .milliseconds(160), into: &batch)
        #expect(batch.outgoing == [P.retransmission(of: P.scanEnable)])
        try d.tick(now: .milliseconds(260), into: &batch)
        #expect(d.retransmissions == 3)
        #expect(throws: DeviceError.self) { try d.tick(now: .milliseconds(360), into: &batch) }
        var lines: [String] = []
        d.drainLog { _, line in lines.append(line) }
        #expect(lines.last?.contains("SCAN_ENABLE not acknowledged after 3 tries") == true)
    }

    /// Issue 18: a wall-clock step moves the ACK wait with it. Before, a
    /// step forward retransmitted at once and a step back held the command
    /// (and every command after it) for as long as the step.
    @Test(arguments: [Int64(3600), -3600])
    func theAckWaitIsCarriedOverAWallClockStep(_ seconds: Int64) throws {
        var options = DriverOptions()
        options.ssi.ackTimeout = .milliseconds(100)
        let d = SSIDriver(options: options)
        var batch = EventBatch()
        d.connectionOpened(now: .seconds(10), into: &batch)
        batch.removeAll()
        let step = Microseconds.seconds(seconds)
        d.wallClockStepped(by: step)
        #expect(d.nextDeadline == .seconds(10) + step + .milliseconds(100))
        try d.tick(now: .seconds(10) + step + .milliseconds(50), into: &batch)
        #expect(batch.outgoing.isEmpty, "retransmitted before its wait was over")
        try d.tick(now: .seconds(10) + step + .milliseconds(100), into: &batch)
        #expect(batch.outgoing == [P.retransmission(of: P.hostParameters)])
    }

    /// Noise that looks like a packet header must not hold up the packet
    /// behind it on a live line: `tick` gives the false start up.
    @Test func aStalledFalseStartIsGivenUpOnALiveLine() throws {
        let d = SSIDriver(options: DriverOptions())
        var batch = EventBatch()
        d.feed([0x09, P.Opcode.decodeData, 0x00, 0x00] + Self.scannerAck, time: .seconds(1), into: &batch)
        #expect(batch.events.isEmpty, "the ACK is still inside the 11-byte candidate")
        #expect(d.nextDeadline == .seconds(1) + SSIDriver.stallTimeout)
        try d.tick(now: .seconds(1) + .milliseconds(100), into: &batch)
        #expect(batch.events.isEmpty, "given up too early")
        try d.tick(now: .seconds(1) + SSIDriver.stallTimeout, into: &batch)
        #expect(batch.events == [
            .problem(DeviceProblem(kind: .garbage, offset: 0, length: 4, message: "4 bytes outside any packet skipped",
                                   time: .seconds(1) + SSIDriver.stallTimeout)),
            .commandDone(command: "CMD_ACK", time: .seconds(1) + SSIDriver.stallTimeout)])
        #expect(d.nextDeadline == nil)
    }

    /// A command NAKed RESEND every time: after the retries the next tick
    /// drops the connection (feed itself cannot).
    @Test func naksWithoutEndDropTheConnection() throws {
        let d = SSIDriver(options: DriverOptions())
        var batch = EventBatch()
        d.connectionOpened(now: .zero, into: &batch)
        let nak = Self.decoder(P.Opcode.cmdNak, [P.NakCause.resend])
        for i in 1...2 {
            batch.removeAll()
            d.feed(nak, time: .milliseconds(Int64(i)), into: &batch)
            #expect(batch.outgoing == [P.retransmission(of: P.hostParameters)], "NAK \(i)")
            try d.tick(now: .milliseconds(Int64(i)), into: &batch)
        }
        batch.removeAll()
        d.feed(nak, time: .milliseconds(3), into: &batch)
        #expect(batch.outgoing.isEmpty)
        #expect(d.nextDeadline == .milliseconds(3))
        #expect(throws: DeviceError.self) { try d.tick(now: .milliseconds(3), into: &batch) }
    }

    @Test func aDeniedCommandIsSkippedAndStopSendsScanDisable() {
        let d = SSIDriver(options: DriverOptions())
        var batch = EventBatch()
        d.connectionOpened(now: .zero, into: &batch)
        batch.removeAll()
        d.feed(Self.decoder(P.Opcode.cmdNak, [P.NakCause.denied]), time: .milliseconds(5), into: &batch)
        #expect(batch.outgoing == [P.scanEnable], "a refused PARAM_SEND is not resent")
        #expect(d.counters.deviceErrors == 1)
        batch.removeAll()
        d.feed(Self.scannerAck, time: .milliseconds(9), into: &batch)
        #expect(d.isClosed && d.nextDeadline == nil)
        let until = d.closing(now: .seconds(1), into: &batch)
        #expect(batch.outgoing == [P.scanDisable])
        #expect(until == .seconds(3))
        #expect(!d.isClosed)
        d.feed(Self.scannerAck, time: .seconds(1), into: &batch)
        #expect(d.isClosed)
    }

    @Test func feedbackUsesDistinctBeepCodes() {
        let d = SSIDriver(options: DriverOptions())
        #expect(d.feedbackPlan(.good) == .bytes([0x05, 0xE6, 0x04, 0x00, 0x00, 0xFF, 0x11]))
        let codes = FeedbackOutcome.allCases.map { outcome in
            d.feedbackPlan(outcome)?.steps.first { $0.bytes[1] == P.Opcode.beep }?.bytes[4]
        }
        #expect(Set(codes.compactMap { $0 }).count == 4, "\(codes)")
        #expect(d.feedbackPlan(.done)?.steps.map { $0.bytes[1] } == [P.Opcode.ledOn, P.Opcode.beep, P.Opcode.ledOff])
    }

    /// The driver's own sends (commands, ACKs, NAKs) on virtual time equal
    /// the capture's `>` records; feedback writes (BEEP, LED) come from the
    /// runner's feedback queue, not the driver, and are left out.
    @Test(arguments: Captures.logNames(where: { $0.value("Driver") == "ssi" }))
    func conversationSendsWhatTheLogRecords(name: String) throws {
        let log = try Captures.load(name)
        let d = try #require(try Captures.driver(for: log) as? SSIDriver)
        var batch = EventBatch()
        var sent: [[UInt8]] = []
        for r in log.records {
            try d.tick(now: r.time, into: &batch)
            switch r.direction {
            case .event:
                if r.event == "connect" { d.connectionOpened(now: r.time, into: &batch) }
                if r.event == "stop" { _ = d.closing(now: r.time, into: &batch) }
                if r.event == "disconnect" { d.flush(time: r.time, into: &batch); d.connectionFailed(now: r.time, opened: true, reason: "") }
            case .fromDevice: d.feed(r.bytes, time: r.time, into: &batch)
            case .toDevice: break
            }
            sent += batch.outgoing
            batch.removeAll()
        }
        let feedback: Set<UInt8> = [P.Opcode.beep, P.Opcode.ledOn, P.Opcode.ledOff]
        let recorded = log.records.filter { $0.direction == .toDevice && !feedback.contains($0.bytes[1]) }.map(\.bytes)
        #expect(sent.map { $0.map(hex2).joined(separator: " ") } == recorded.map { $0.map(hex2).joined(separator: " ") })
    }
}

/// A live `ssi` device on a pty: the runner sends the init, the scanner's
/// ACKs move it on, a decode is ACKed and reported, feedback beeps go out,
/// and stop sends SCAN_DISABLE.
@Suite(.serialized) struct SSIPtyTests {
    typealias P = SSIProtocol

    @Test(.timeLimit(.minutes(1))) func runnerHoldsTheConversationOnAPty() throws {
        let scanner = try FakeReader()
        defer { scanner.hangUp() }
        var config = DeviceConfig(name: "pack-ssi", driver: "ssi", port: .path(scanner.path), serial: try SerialSettings(parsing: "9600 8N1"))
        config.pollMilliseconds = 20
        let log = EventLog()
        let runner = try DeviceRunner(config: config, logger: SilentLogger()) { _, batch in log.add(batch) }
        runner.start()
        #expect(scanner.receive(P.hostParameters.count) == P.hostParameters)
        scanner.send(SSITests.scannerAck)
        #expect(scanner.receive(P.scanEnable.count) == P.scanEnable)
        scanner.send(SSITests.scannerAck)
        scanner.send(SSITests.decode(0x0F, "0109520123456788"))
        #expect(scanner.receive(P.ack.count) == P.ack, "the decode was not ACKed")
        #expect(waitUntil { SSITests.scans(log.all) == ["]C10109520123456788"] })
        #expect(runner.send(.error))
        let beep = P.beep(P.Beep.threeLongLow)
        #expect(scanner.receive(beep.count) == beep)
        scanner.send(SSITests.scannerAck)
        // A damaged packet on the wire is answered with NAK RESEND.
        var bad = SSITests.decode(0x0B, "4006381333931")
        bad[6] ^= 0x10
        scanner.send(bad)
        let nak = P.nak(P.NakCause.resend)
        #expect(scanner.receive(nak.count) == nak)
        #expect(waitUntil { runner.counters.badCRC == 1 })
        runner.stop()
        #expect(scanner.receive(P.scanDisable.count) == P.scanDisable)
    }
}
