import Testing
import ScanModel
@testable import Devices

@Suite struct MercuryTests {
    /// Check values from the facts file (computed with the MercuryAPI form).
    @Test func crcMatchesCheckValues() {
        #expect(MercuryProtocol.crc([0x02, 0x92, 0x0B, 0xB8]) == 0x4AE1)
        #expect(MercuryProtocol.crc([0x03, 0x9A, 0x01, 0x0C, 0x00]) == 0xA35D)
    }

    @Test func crcIsNotCCITTFalse() {
        // CRC-16/CCITT-FALSE of "123456789" is 0x29B1; the Mercury form differs.
        #expect(MercuryProtocol.crc(Array("123456789".utf8)) != 0x29B1)
    }

    @Test func commandFramesMatchTheFactsFile() {
        #expect(MercuryProtocol.command(0x9A, [0x01, 0x0C, 0x00]) == [0xFF, 0x03, 0x9A, 0x01, 0x0C, 0x00, 0xA3, 0x5D])
        #expect(MercuryProtocol.command(0x92, [0x0B, 0xB8]) == [0xFF, 0x02, 0x92, 0x0B, 0xB8, 0x4A, 0xE1])
    }

    static func record(epc: [UInt8], flags: UInt16 = 0x005F, count: UInt8 = 1, rssi: Int8 = -60, ports: UInt8 = 0x11,
                       pc: [UInt8] = [0x30, 0x00]) -> [UInt8] {
        var d: [UInt8] = [0x10, 0x00, 0x1B, UInt8(flags >> 8), UInt8(flags & 0xFF), 0x01]
        if flags & 0x01 != 0 { d.append(count) }
        if flags & 0x02 != 0 { d.append(UInt8(bitPattern: rssi)) }
        if flags & 0x04 != 0 { d.append(ports) }
        if flags & 0x08 != 0 { d += [0x0D, 0xF7, 0x32] }
        if flags & 0x10 != 0 { d += [0, 0, 0, 1] }
        if flags & 0x40 != 0 { d.append(0x05) }
        let body = pc + epc + [0xAB, 0xCD]
        d += [UInt8((body.count * 8) >> 8), UInt8((body.count * 8) & 0xFF)] + body
        return MercuryProtocol.reply(0x22, d)
    }

    static let epc96: [UInt8] = [0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85]

    func run(_ bytes: [UInt8]) -> (events: [DeviceEvent], driver: MercuryDriver) {
        let d = MercuryDriver(options: DriverOptions(device: DeviceIndex(7)))
        var batch = EventBatch()
        d.feed(bytes, time: Microseconds(42), into: &batch)
        d.flush(time: Microseconds(43), into: &batch)
        return (batch.events, d)
    }

    @Test func decodesATagRecordWithMetadata() throws {
        let (events, driver) = run(Self.record(epc: Self.epc96, count: 3, rssi: -61, ports: 0x22))
        let tag = try #require(events.first.flatMap { if case .tag(let t) = $0 { t } else { nil } })
        #expect(tag.epc.hex == "3074257BF7194E4000001A85")
        #expect(tag.antenna == 2)
        #expect(tag.count == 3)
        #expect(tag.rssi == -61)
        #expect(tag.device == DeviceIndex(7))
        #expect(tag.time == Microseconds(42))
        #expect(driver.counters.tagReads == 1)
        #expect(driver.counters.frames == 1)
    }

    @Test func skipsXPCWords() throws {
        // PC with the XPC indicator, then XPC_W1 (with its W2 flag set) and XPC_W2.
        let bytes = Self.record(epc: [0xE2, 0x80] + Self.epc96.prefix(10), pc: [0x32, 0x00] + [0x80, 0x00] + [0x00, 0x00])
        let (events, _) = run(bytes)
        guard case .tag(let tag) = try #require(events.first) else { Issue.record("no tag"); return }
        #expect(tag.epc.hex == "E2803074257BF7194E400000")
    }

    @Test func keepaliveAndDeviceErrors() {
        let (events, driver) = run(MercuryProtocol.reply(0x22, status: 0x0400) + MercuryProtocol.reply(0x22, status: 0x0504))
        #expect(events.count == 2)
        #expect(events.first == .keepalive(time: Microseconds(42)))
        guard case .problem(let p) = events.last else { Issue.record("no problem event"); return }
        #expect(p.kind == .deviceError && p.code == 0x0504 && p.offset == 7)
        #expect(driver.counters.deviceErrors == 1)
    }

    @Test func rejectsBadCRCAndResyncs() {
        var bad = Self.record(epc: Self.epc96)
        bad[bad.count - 1] ^= 1
        let good = Self.record(epc: Self.epc96)
        let (events, driver) = run(bad + good)
        let tags = events.filter { if case .tag = $0 { true } else { false } }
        let problems = events.compactMap { if case .problem(let p) = $0 { p } else { nil } }
        #expect(tags.count == 1)
        #expect(problems.map(\.kind) == [.badCRC])
        #expect(problems.first?.offset == 0)
        #expect(driver.counters.badCRC == 1)
        #expect(driver.counters.garbageBytes == UInt64(bad.count))
    }

    @Test func rejectsOversizedLength() {
        let (events, driver) = run([0xFF, 0xF9, 0x22, 0x00, 0x00] + Self.record(epc: Self.epc96))
        #expect(driver.counters.badLength == 1)
        #expect(events.contains { if case .problem(let p) = $0 { p.kind == .badLength && p.offset == 0 } else { false } })
        #expect(driver.counters.tagReads == 1)
    }

    @Test func recordLengthsThatOverrunTheFrameAreReportedNotTrusted() {
        // EPC length field claims 4096 bits in a short frame.
        let d: [UInt8] = [0x10, 0x00, 0x1B, 0x00, 0x00, 0x01, 0x10, 0x00, 0x30, 0x00]
        let (events, driver) = run(MercuryProtocol.reply(0x22, d))
        #expect(driver.counters.badLength == 1)
        #expect(events.count == 1)
        // Metadata flags promising fields that are not there.
        let (_, driver2) = run(MercuryProtocol.reply(0x22, [0x10, 0x00, 0x1B, 0x01, 0xFF, 0x01, 0x01]))
        #expect(driver2.counters.badLength == 1)
    }

    @Test func truncatedFrameIsReportedAtFlush() {
        let frame = Self.record(epc: Self.epc96)
        let (events, driver) = run(Array(frame.prefix(10)))
        #expect(driver.counters.truncated == 1)
        guard case .problem(let p) = events.last else { Issue.record("nothing reported"); return }
        #expect(p.kind == .truncated && p.length == 10)
    }

    @Test func everySplitGivesTheSameEvents() {
        var stream: [UInt8] = [0x00, 0x42]
        for i in 0..<20 {
            stream += Self.record(epc: Self.epc96.map { $0 &+ UInt8(i) }, count: UInt8(i + 1))
            if i % 5 == 0 { stream += [0xFF, 0x13, 0x00] }   // false starts
        }
        let whole = run(stream).events
        var rng = SplitMix(seed: 7)
        for _ in 0..<50 {
            let d = MercuryDriver(options: DriverOptions(device: DeviceIndex(7)))
            var batch = EventBatch()
            var i = 0
            while i < stream.count {
                let n = min(stream.count - i, Int(rng.next() % 40) + 1)
                d.feed(Array(stream[i..<(i + n)]), time: Microseconds(42), into: &batch)
                i += n
            }
            d.flush(time: Microseconds(43), into: &batch)
            #expect(batch.events == whole)
        }
    }

    @Test func randomBytesNeverCrashOrStall() {
        var rng = SplitMix(seed: 99)
        for _ in 0..<200 {
            let bytes = (0..<Int(rng.next() % 600)).map { _ in UInt8(truncatingIfNeeded: rng.next()) | (rng.next() % 7 == 0 ? 0xFF : 0) }
            #expect(fuzzFeed(driver: "mercury", bytes: bytes) >= 0)
        }
    }

    @Test func baudRateCheckWarnsWhenTheLineIsTooSlow() {
        var options = DriverOptions()
        options.mercury.expectedReadRate = 200   // 42-byte records: 9600 baud carries 22/s, 115200 carries 274/s
        let driver = MercuryDriver(options: options)
        #expect(driver.configurationWarnings(serial: SerialSettings(baud: 9600)).count == 1)
        #expect(driver.configurationWarnings(serial: SerialSettings(baud: 115200)).isEmpty)
        #expect(MercuryDriver(options: DriverOptions()).configurationWarnings(serial: SerialSettings(baud: 9600)).isEmpty)
    }

    @Test func startAndStopCommandsAreValidFrames() {
        for frame in [MercuryProtocol.startContinuousRead(metadata: .standard), MercuryProtocol.stopContinuousRead] {
            #expect(frame[0] == 0xFF && frame[2] == 0x2F)
            #expect(Int(frame[1]) + 5 == frame.count)
            let crc = MercuryProtocol.crc(Array(frame[1..<(frame.count - 2)]))
            #expect(UInt16(frame[frame.count - 2]) << 8 | UInt16(frame[frame.count - 1]) == crc)
        }
    }
}

/// Small deterministic generator for split points and noise.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
