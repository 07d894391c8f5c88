import Testing
@testable import Devices
import ScanModel

func llrpHex(_ s: String) -> [UInt8] { CaptureLog.parsePayload(s[...]) ?? [] }

func llrpDecodeAll(_ bytes: [UInt8], max: Int = 4 << 20) -> (events: [LLRPEvent], counters: LLRPCounters) {
    var d = LLRPDecoder(device: DeviceIndex(7), maxMessageLength: max)
    var c = LLRPEventCollector()
    d.feed(bytes, into: &c)
    d.finish(into: &c)
    return (c.events, d.counters)
}

func llrpTags(_ events: [LLRPEvent]) -> [LLRPTagReport] {
    events.compactMap { if case .tag(let t) = $0 { return t } else { return nil } }
}
func llrpErrors(_ events: [LLRPEvent]) -> [LLRPDecodeError] {
    events.compactMap { if case .error(let e) = $0 { return e } else { return nil } }
}

@Suite struct LLRPDecoderTests {
    // Encoded by pyllrp 3.1.1: RO_ACCESS_REPORT id 5 with EPC-96, AntennaID 1,
    // PeakRSSI -55, ChannelIndex 7, First/LastSeen UTC, TagSeenCount 3.
    static let epc96Report = llrpHex("043d000000380000000500f0002e8d3074257bf7194e4000001a8581000186c98700078200060a24181e40008400060a24181fc6a0880003")
    // pyllrp: EPCData of 112 bits, AntennaID 2.
    static let epcDataReport = llrpHex("043d000000250000000600f0001b00f1001400703074257bf7194e4000001a85aabb810002")

    @Test func decodesEPC96TagReportDataWorkedExample() throws {
        let (events, counters) = llrpDecodeAll(Self.epc96Report)
        let t = try #require(llrpTags(events).first)
        #expect(t.read.epc.hex == "3074257BF7194E4000001A85") // SGTIN 0614141.812345.6789 (TDS example)
        #expect(t.read.epc.bitCount == 96)
        #expect(t.read.antenna == 1)
        #expect(t.read.rssi == -55)
        #expect(t.channelIndex == 7)
        #expect(t.read.count == 3)
        #expect(t.firstSeen == Microseconds(1_700_000_000_000_000))
        #expect(t.lastSeen == Microseconds(1_700_000_000_100_000))
        #expect(t.read.time == Microseconds(1_700_000_000_100_000))
        #expect(t.clock == .utc)
        #expect(t.read.device == DeviceIndex(7))
        #expect(counters.tagReads == 1 && counters.messages == 1 && counters.errorTotal == 0)
    }

    @Test func decodesEPCDataOfAnyLengthUpTo256Bits() throws {
        let t = try #require(llrpTags(llrpDecodeAll(Self.epcDataReport).events).first)
        #expect(t.read.epc.hex == "3074257BF7194E4000001A85AABB")
        #expect(t.read.epc.bitCount == 112)
        #expect(t.read.antenna == 2)
        #expect(t.read.rssi == nil)
        #expect(t.read.count == 1)
        #expect(t.clock == LLRPClock.none)
        // 20 bits: not a whole number of bytes; unused bits are cleared.
        var w = LLRPMessageWriter(type: 61, messageID: 1)
        w.tlv(240) { $0.tlv(241) { $0.u16(20); $0.u8(0xAB); $0.u8(0xCD); $0.u8(0xEF) } }
        let odd = try #require(llrpTags(llrpDecodeAll(w.finish()).events).first)
        #expect(odd.read.epc.bitCount == 20)
        #expect(odd.read.epc.hex == "ABCDE")
    }

    @Test func refusesEPCLongerThan256BitsAndKeepsGoing() {
        var w = LLRPMessageWriter(type: 61, messageID: 1)
        w.tlv(240) { w in w.tlv(241) { w in w.u16(264); for i in 0..<33 { w.u8(UInt8(i)) } } }
        w.tlv(240) { w in w.u8(0x8D); for _ in 0..<12 { w.u8(0x11) } }
        let (events, counters) = llrpDecodeAll(w.finish())
        #expect(llrpErrors(events).map(\.kind) == [.epcTooLong])
        #expect(llrpErrors(events).first?.detail == 264)
        #expect(llrpTags(events).count == 1)
        #expect(counters.errors[.epcTooLong] == 1)
    }

    @Test func everySplitGivesTheSameEventsAsTheWholeStream() {
        let stream = Self.epc96Report + Self.epcDataReport + llrpHex("043e0000000a00000007")
        let whole = llrpDecodeAll(stream).events
        #expect(whole.count == 3)
        for cut in 0...stream.count {
            var d = LLRPDecoder(device: DeviceIndex(7))
            var c = LLRPEventCollector()
            d.feed(Array(stream[..<cut]), into: &c)
            d.feed(Array(stream[cut...]), into: &c)
            d.finish(into: &c)
            #expect(c.events == whole, "split at \(cut)")
        }
    }

    @Test func impossibleLengthsAndVersionsAreCountedWithOffsets() {
        let tooShort = llrpHex("043e0000000500000007")           // length 5 < header
        let badVersion = llrpHex("1c3e0000000a00000007")         // version 7
        let tooLong = llrpHex("043e7fffffff00000007")            // 2 GiB
        let (events, counters) = llrpDecodeAll(tooShort + Self.epc96Report + badVersion + tooLong + Self.epcDataReport)
        #expect(llrpTags(events).count == 2)
        let kinds = llrpErrors(events).map(\.kind)
        #expect(kinds.contains(.badLength) && kinds.contains(.badVersion) && kinds.contains(.garbage))
        #expect(llrpErrors(events).first?.offset == 0)
        #expect(llrpErrors(events).first(where: { $0.kind == .badVersion })?.offset == 10 + Self.epc96Report.count)
        #expect(counters.garbageBytes == 30)
    }

    @Test func truncatedMessageIsReportedAtEndOfStream() {
        for cut in 1..<Self.epc96Report.count {
            let (events, counters) = llrpDecodeAll(Array(Self.epc96Report[..<cut]))
            #expect(llrpTags(events).isEmpty)
            #expect(counters.errorTotal == 1, "cut \(cut)")
        }
    }

    @Test func tlvOverrunsAndEmptyParametersEndTheirContainerOnly() {
        var w = LLRPMessageWriter(type: 61, messageID: 1)
        w.tlv(240) { w in w.u8(0x8D); for _ in 0..<12 { w.u8(0x22) }; w.u16(900); w.u16(2) } // TLV length 2 < 4
        w.tlv(240) { w in w.u8(0x8D); for _ in 0..<12 { w.u8(0x33) } }
        let (events, _) = llrpDecodeAll(w.finish() + Self.epc96Report)
        #expect(llrpErrors(events).map(\.kind) == [.badParameter])
        #expect(llrpTags(events).map { $0.read.epc.hex } == ["333333333333333333333333", "3074257BF7194E4000001A85"])
    }

    @Test func unknownAndCustomParametersAreSkipped() throws {
        var w = LLRPMessageWriter(type: 61, messageID: 1)
        w.tlv(1023) { $0.u32(25882); $0.u32(56); $0.u16(0xBEEF) }   // Impinj custom at message level
        w.tlv(240) { w in
            w.u8(0x8D); for _ in 0..<12 { w.u8(0x44) }
            w.tlv(1023) { $0.u32(25882); $0.u32(57); $0.u16(0xFFCE) } // Impinj peak RSSI custom
            w.tlv(499) { $0.u8(1) }                                   // unknown TLV
            w.u8(0x81); w.u16(4)                                      // AntennaID after them
        }
        let (events, counters) = llrpDecodeAll(w.finish())
        let t = try #require(llrpTags(events).first)
        #expect(t.read.antenna == 4)
        #expect(counters.customSkipped == 2 && counters.unknownParameters == 1 && counters.errorTotal == 0)
    }

    @Test func unknownTVParameterDropsTheTagAndReportsTheType() {
        var w = LLRPMessageWriter(type: 61, messageID: 1)
        w.tlv(240) { w in w.u8(0x8D); for _ in 0..<12 { w.u8(0x55) }; w.u8(0xFE); w.u8(0) }
        let (events, _) = llrpDecodeAll(w.finish())
        #expect(llrpTags(events).isEmpty)
        #expect(llrpErrors(events).map(\.kind) == [.unknownTVParameter])
        #expect(llrpErrors(events).first?.detail == 0x7E)
    }

    @Test func tagReportWithoutEPCIsAnError() {
        var w = LLRPMessageWriter(type: 61, messageID: 1)
        w.tlv(240) { $0.u8(0x81); $0.u16(1) }
        #expect(llrpErrors(llrpDecodeAll(w.finish()).events).map(\.kind) == [.missingEPC])
    }

    @Test func responsesCarryStatusAndErrorDescription() throws {
        var w = LLRPMessageWriter(type: LLRPMessageType.addROSpecResponse, messageID: 42)
        w.tlv(287) { w in w.u16(101); let text = Array("bad session".utf8); w.u16(UInt16(text.count)); for b in text { w.u8(b) } }
        let (events, _) = llrpDecodeAll(w.finish())
        guard case .response(let r) = try #require(events.first) else { Issue.record("not a response"); return }
        #expect(r.messageID == 42 && r.statusCode == 101 && !r.isSuccess && r.errorDescription == "bad session")
    }

    @Test func keepaliveAndReaderEvents() throws {
        var w = LLRPMessageWriter(type: 63, messageID: 3)
        w.tlv(246) { w in
            w.tlv(128) { $0.u64(5) }
            w.tlv(248) { $0.u16(2); $0.u8(0x80) }
            w.tlv(255) { $0.u8(1); $0.u16(3) }
            w.tlv(256) { $0.u16(2) }
        }
        let (events, _) = llrpDecodeAll(llrpHex("043e0000000a0000002a") + w.finish())
        #expect(events == [
            .keepalive(messageID: 42),
            .reader(.gpi(port: 2, high: true), timestamp: Microseconds(5), clock: .utc),
            .reader(.antenna(id: 3, connected: true), timestamp: Microseconds(5), clock: .utc),
            .reader(.connectionAttempt(.clientInitiatedConnectionExists), timestamp: Microseconds(5), clock: .utc),
        ])
    }

    @Test func fuzzEntryNeverTrapsOnMutatedMessages() {
        var seed: UInt64 = 0x9E3779B97F4A7C15
        let base = Self.epc96Report + Self.epcDataReport
        for _ in 0..<3000 {
            var m = base
            for _ in 0..<4 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let i = Int(seed >> 33) % m.count
                m[i] = UInt8(truncatingIfNeeded: seed >> 17)
            }
            #expect(fuzzFeed(driver: "llrp", bytes: m) >= 0)
            fuzzLLRPSession(m)
        }
    }
}
