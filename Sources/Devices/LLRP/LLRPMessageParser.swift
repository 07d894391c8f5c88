import ScanModel

// Message bodies. Every read is bounds-checked against the enclosing
// parameter; a bad parameter ends its container, never the stream.
extension LLRPDecoder {
    mutating func decodeMessage<S: LLRPEventSink>(_ m: UnsafeRawBufferPointer, type: UInt16,
                                                  streamOffset: Int, into sink: inout S) {
        let id = m.loadBE32(6)
        let body = LLRPDecoder.headerSize
        switch type {
        case LLRPMessageType.roAccessReport:
            decodeParameterList(m, from: body, to: m.count, message: type, base: streamOffset, into: &sink) { this, tlvType, start, end, sink in
                if tlvType == LLRPParameterType.tagReportData {
                    this.decodeTagReport(m, from: start, to: end, base: streamOffset, into: &sink)
                    return true
                }
                return false
            }
        case LLRPMessageType.keepalive:
            counters.keepalives &+= 1
            sink.receive(.keepalive(messageID: id))
        case LLRPMessageType.readerEventNotification:
            decodeParameterList(m, from: body, to: m.count, message: type, base: streamOffset, into: &sink) { this, tlvType, start, end, sink in
                guard tlvType == LLRPParameterType.readerEventNotificationData else { return false }
                this.decodeReaderEvents(m, from: start, to: end, base: streamOffset, into: &sink)
                return true
            }
        case LLRPMessageType.customMessage:
            counters.customSkipped &+= 1
        case LLRPMessageType.getReaderCapabilitiesResponse, LLRPMessageType.getReaderConfigResponse,
             LLRPMessageType.setReaderConfigResponse, LLRPMessageType.closeConnectionResponse,
             LLRPMessageType.addROSpecResponse...LLRPMessageType.getROSpecsResponse,
             LLRPMessageType.addAccessSpecResponse...LLRPMessageType.getAccessSpecsResponse,
             LLRPMessageType.errorMessage:
            var response = LLRPResponse(messageType: type, messageID: id, statusCode: UInt16.max, errorDescription: "",
                                        streamOffset: streamOffset)
            decodeParameterList(m, from: body, to: m.count, message: type, base: streamOffset, into: &sink) { _, tlvType, start, end, _ in
                guard tlvType == LLRPParameterType.llrpStatus, response.statusCode == UInt16.max else { return false }
                guard end - start >= 8 else { return true }
                response.statusCode = m.loadBE16(start + 4)
                let textLength = Int(m.loadBE16(start + 6))
                if textLength > 0 && start + 8 + textLength <= end {
                    response.errorDescription = String(decoding: UnsafeRawBufferPointer(rebasing: m[(start + 8)..<(start + 8 + textLength)]), as: UTF8.self)
                }
                return true
            }
            counters.responses &+= 1
            sink.receive(.response(response))
        default:
            counters.unknownMessages &+= 1
        }
    }

    /// Walks TLV/TV parameters in `m[from..<to]`. `handle` gets TLV type and
    /// the parameter's bounds (header included) and returns whether it knew
    /// the type. TV parameters at this level are skipped by their fixed size.
    @inline(__always)
    mutating func decodeParameterList<S: LLRPEventSink>(
        _ m: UnsafeRawBufferPointer, from: Int, to end: Int, message: UInt16, base: Int,
        into sink: inout S, _ handle: (inout LLRPDecoder, UInt16, Int, Int, inout S) -> Bool
    ) {
        var i = from
        while i < end {
            let b0 = m[i]
            if b0 & 0x80 != 0 {
                let size = LLRPParameterType.tvSize(b0 & 0x7F)
                guard size > 0, end - i >= size else {
                    report(size == 0 ? .unknownTVParameter : .badParameter, at: base + i, type: message,
                           detail: Int(b0 & 0x7F), into: &sink)
                    return
                }
                i += size
                continue
            }
            guard end - i >= 4 else {
                report(.badParameter, at: base + i, type: message, detail: -1, into: &sink)
                return
            }
            let tlvType = m.loadBE16(i) & 0x3FF
            let length = Int(m.loadBE16(i + 2))
            guard length >= 4, length <= end - i else {
                report(.badParameter, at: base + i, type: message, detail: Int(tlvType), into: &sink)
                return
            }
            if !handle(&self, tlvType, i, i + length, &sink) {
                if tlvType == LLRPParameterType.custom { counters.customSkipped &+= 1 } else { counters.unknownParameters &+= 1 }
            }
            i += length
        }
    }

    /// TagReportData (TLV 240) at `m[from..<to]`, header included.
    mutating func decodeTagReport<S: LLRPEventSink>(_ m: UnsafeRawBufferPointer, from: Int, to end: Int,
                                                    base: Int, into sink: inout S) {
        var epc: EPC?
        var antenna: UInt16 = 0
        var rssi: Float?
        var channel: UInt16 = 0
        var count: UInt32 = 1
        var roSpecID: UInt32 = 0
        var firstUTC: UInt64?, lastUTC: UInt64?, firstUp: UInt64?, lastUp: UInt64?
        var i = from + 4
        while i < end {
            let b0 = m[i]
            if b0 & 0x80 != 0 {
                let type = b0 & 0x7F
                let size = LLRPParameterType.tvSize(type)
                guard size > 0, end - i >= size else {
                    report(size == 0 ? .unknownTVParameter : .badParameter, at: base + i,
                           type: LLRPMessageType.roAccessReport, detail: Int(type), into: &sink)
                    return
                }
                switch type {
                case 13: epc = EPC(hi: m.loadBE64(i + 1), lo32: m.loadBE32(i + 9))
                case 1: antenna = m.loadBE16(i + 1)
                case 6: rssi = Float(Int8(bitPattern: m[i + 1]))
                case 7: channel = m.loadBE16(i + 1)
                case 8: count = max(1, UInt32(m.loadBE16(i + 1)))
                case 9: roSpecID = m.loadBE32(i + 1)
                case 2: firstUTC = m.loadBE64(i + 1)
                case 3: firstUp = m.loadBE64(i + 1)
                case 4: lastUTC = m.loadBE64(i + 1)
                case 5: lastUp = m.loadBE64(i + 1)
                default: break
                }
                i += size
                continue
            }
            guard end - i >= 4 else {
                report(.badParameter, at: base + i, type: LLRPMessageType.roAccessReport, detail: -1, into: &sink)
                return
            }
            let tlvType = m.loadBE16(i) & 0x3FF
            let length = Int(m.loadBE16(i + 2))
            guard length >= 4, length <= end - i else {
                report(.badParameter, at: base + i, type: LLRPMessageType.roAccessReport, detail: Int(tlvType), into: &sink)
                return
            }
            if tlvType == LLRPParameterType.epcData {
                // EPCData: bit count (u16) then the bits, padded to whole bytes.
                guard length >= 6 else {
                    report(.badParameter, at: base + i, type: LLRPMessageType.roAccessReport, detail: Int(tlvType), into: &sink)
                    return
                }
                let bits = Int(m.loadBE16(i + 4))
                let byteCount = (bits + 7) / 8
                guard byteCount <= length - 6 else {
                    report(.badParameter, at: base + i, type: LLRPMessageType.roAccessReport, detail: Int(tlvType), into: &sink)
                    return
                }
                guard bits <= EPC.maxBits else {
                    report(.epcTooLong, at: base + i, type: LLRPMessageType.roAccessReport, detail: bits, into: &sink)
                    return
                }
                epc = LLRPDecoder.loadEPC(m, at: i + 6, byteCount: byteCount, bits: bits)
            } else if tlvType == LLRPParameterType.custom {
                counters.customSkipped &+= 1
            } else {
                counters.unknownParameters &+= 1
            }
            i += length
        }
        guard let epc else {
            report(.missingEPC, at: base + from, type: LLRPMessageType.roAccessReport, detail: 0, into: &sink)
            return
        }
        let clock: LLRPClock = (firstUTC != nil || lastUTC != nil) ? .utc : ((firstUp != nil || lastUp != nil) ? .uptime : .none)
        let first = clock == .utc ? firstUTC : firstUp
        let last = clock == .utc ? lastUTC : lastUp
        let firstSeen = first.map { Microseconds(Int64(truncatingIfNeeded: $0)) }
        let lastSeen = last.map { Microseconds(Int64(truncatingIfNeeded: $0)) }
        let read = TagRead(epc: epc, device: device, antenna: antenna, rssi: rssi, count: count,
                           time: lastSeen ?? firstSeen ?? .zero)
        counters.tagReads &+= 1
        sink.receive(.tag(LLRPTagReport(read: read, channelIndex: channel, firstSeen: firstSeen,
                                        lastSeen: lastSeen, clock: clock, roSpecID: roSpecID)))
    }

    /// Up to 32 big-endian bytes into an EPC without a heap round trip.
    @inline(__always)
    static func loadEPC(_ m: UnsafeRawBufferPointer, at start: Int, byteCount: Int, bits: Int) -> EPC {
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var k = 0
        while k < byteCount {
            let shift = UInt64(56 - (k & 7) * 8)
            let v = UInt64(m[start + k]) << shift
            switch k >> 3 {
            case 0: w.0 |= v
            case 1: w.1 |= v
            case 2: w.2 |= v
            default: w.3 |= v
            }
            k += 1
        }
        return EPC(words: w.0, w.1, w.2, w.3, bitCount: bits)
    }

    /// ReaderEventNotificationData (TLV 246): a timestamp then event parameters.
    mutating func decodeReaderEvents<S: LLRPEventSink>(_ m: UnsafeRawBufferPointer, from: Int, to end: Int,
                                                       base: Int, into sink: inout S) {
        var stamp = Microseconds.zero
        var clock = LLRPClock.none
        decodeParameterList(m, from: from + 4, to: end, message: LLRPMessageType.readerEventNotification, base: base, into: &sink) {
            this, type, start, pend, sink in
            let size = pend - start
            var event: LLRPReaderEvent?
            switch type {
            case LLRPParameterType.utcTimestamp, LLRPParameterType.uptime:
                guard size >= 12 else { return true }
                stamp = Microseconds(Int64(truncatingIfNeeded: m.loadBE64(start + 4)))
                clock = type == LLRPParameterType.utcTimestamp ? .utc : .uptime
                return true
            case LLRPParameterType.connectionAttemptEvent:
                guard size >= 6 else { return true }
                event = .connectionAttempt(LLRPConnectionAttemptStatus(code: m.loadBE16(start + 4)))
            case LLRPParameterType.connectionCloseEvent:
                event = .connectionClose
            case LLRPParameterType.gpiEvent:
                guard size >= 7 else { return true }
                event = .gpi(port: m.loadBE16(start + 4), high: m[start + 6] & 0x80 != 0)
            case LLRPParameterType.antennaEvent:
                guard size >= 7 else { return true }
                event = .antenna(id: m.loadBE16(start + 5), connected: m[start + 4] == 1)
            case LLRPParameterType.roSpecEvent:
                guard size >= 13 else { return true }
                event = .roSpec(eventType: m[start + 4], roSpecID: m.loadBE32(start + 5))
            case LLRPParameterType.readerExceptionEvent:
                guard size >= 6 else { return true }
                let n = min(Int(m.loadBE16(start + 4)), size - 6)
                event = .readerException(message: String(decoding: UnsafeRawBufferPointer(rebasing: m[(start + 6)..<(start + 6 + n)]), as: UTF8.self))
            default:
                return false
            }
            if let event {
                this.counters.readerEvents &+= 1
                sink.receive(.reader(event, timestamp: stamp, clock: clock))
            }
            return true
        }
    }
}
