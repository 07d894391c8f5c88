import ScanModel

public struct MercuryOptions: Sendable, Equatable {
    /// Metadata requested in the start command. Records are parsed by the
    /// flags each record carries, so this only shapes what we ask for.
    public var metadata: MercuryProtocol.Metadata = .standard
    /// The read rate (tag reads per second) the site expects at peak; used
    /// to warn when the baud rate cannot carry it. 0 = no check.
    public var expectedReadRate: Int = 0
    /// Silence longer than this while streaming means the reader is gone
    /// (it sends a keepalive about once a second).
    public var silenceTimeout: Microseconds = .seconds(5)
    /// The GPO pin the feedback pulses (a buzzer or lamp wired to it);
    /// boards differ, so it is an option (`gpo=N`).
    public var gpo: UInt8 = 1

    public init() {}
}

/// ThingMagic/Jadak Mercury serial readers (M6e, Micro, Nano, Sargas…) in
/// continuous-read (streaming) mode. The parser works straight on the
/// caller's buffer; only a frame split across two reads is copied, into a
/// small reused buffer. Tag reads are appended without heap allocation.
public final class MercuryDriver: DeviceDriver {
    public let name = "mercury"
    public private(set) var counters = DriverCounters()
    public var silenceTimeout: Microseconds? { options.silenceTimeout }

    private let options: MercuryOptions
    private let device: DeviceIndex
    /// Bytes of a frame split across reads (at most one frame's worth).
    private var pending = FrameWindow(capacity: MercuryDriver.window)
    private var offset: Int64 = 0
    private var garbageStart: Int64 = 0
    private var garbageLength = 0
    /// After a rejected frame, bytes up to here are its remains: skipped and
    /// counted, but not reported a second time.
    private var quietUntil: Int64 = 0
    private var watch = GarbleWatch(textual: false)
    public var garbled: String? { watch.suspicion }

    private static let window = 300   // > largest frame (0xF8 + 7)

    public init(options: DriverOptions) {
        self.options = options.mercury
        self.device = options.device
    }

    public var initCommands: [[UInt8]] {
        [MercuryProtocol.stopContinuousRead,                         // in case it was left streaming
         MercuryProtocol.command(MercuryProtocol.Opcode.version),
         MercuryProtocol.command(MercuryProtocol.Opcode.setTagProtocol, [0x00, 0x05]),     // Gen2
         MercuryProtocol.command(MercuryProtocol.Opcode.setReaderOptionalParams, [0x01, 0x0C, 0x00])] // read filter off
    }
    public var startCommands: [[UInt8]] { [MercuryProtocol.startContinuousRead(metadata: options.metadata)] }
    public var stopCommands: [[UInt8]] { [MercuryProtocol.stopContinuousRead] }

    public func feedbackPlan(_ outcome: FeedbackOutcome) -> FeedbackPlan? {
        // Readers beep through a GPIO-driven buzzer on most boards: the
        // configured GPO (`gpo=N`, 1 by default) on, then off again;
        // outcomes differ by the number and length of pulses.
        let pin = options.gpo
        let on = MercuryProtocol.command(MercuryProtocol.Opcode.setUserGPIOOutputs, [pin, 0x01])
        let off = MercuryProtocol.command(MercuryProtocol.Opcode.setUserGPIOOutputs, [pin, 0x00])
        func pulses(_ count: Int, length: Int64) -> FeedbackPlan {
            .pulses(on: on, off: off, count: count, length: .milliseconds(length), gap: .milliseconds(120))
        }
        switch outcome {
        case .good: return pulses(1, length: 80)
        case .warning: return pulses(2, length: 80)
        case .error: return pulses(1, length: 800)
        case .done: return pulses(3, length: 80)
        }
    }

    public func configurationWarnings(serial: SerialSettings?) -> [String] {
        guard options.expectedReadRate > 0, let serial else { return [] }
        let frameBytes = MercuryProtocol.tagRecordBytes(metadata: options.metadata)
        let capacity = serial.bytesPerSecond / frameBytes
        // Leave a fifth for keepalives and line noise.
        if options.expectedReadRate * 5 > capacity * 4 {
            return ["\(serial.baud) baud carries at most \(capacity) tag reads/s of \(frameBytes) bytes; "
                    + "expected \(options.expectedReadRate)/s needs a higher baud rate or less metadata"]
        }
        return []
    }

    public func feed(_ bytes: UnsafeRawBufferPointer, time: Microseconds, into batch: inout EventBatch) {
        let n = bytes.count
        guard n > 0 else { return }
        counters.bytes &+= UInt64(n)
        counters.lastSeen = time
        let base = offset
        offset += Int64(n)
        pending.feed(bytes, at: base) { scan($0, base: $1, time: time, into: &batch) }
        // Only as far as frames were parsed: a frame still incomplete may
        // turn out valid, and judging past it would depend on the split.
        watchUp(to: offset - Int64(pending.bytes.count), time: time, into: &batch)
    }

    private func watchUp(to end: Int64, time: Microseconds, into batch: inout EventBatch) {
        if let verdict = watch.advance(to: end) { batch.append(.problem(verdict.problem(at: time))) }
    }

    /// Parses whole frames from `buf`; returns how many bytes were used up
    /// (frames and skipped garbage). The rest is an incomplete frame.
    private func scan(_ buf: UnsafeRawBufferPointer, base: Int64, time: Microseconds, into batch: inout EventBatch) -> Int {
        let n = buf.count
        var i = 0
        // Counted locally and stored once: class property updates in the
        // per-frame loop cost more than the parsing.
        var frames: UInt64 = 0, tags: UInt64 = 0
        var sawGarbage = garbageLength > 0
        defer { counters.frames &+= frames; counters.tagReads &+= tags }
        while i < n {
            if buf[i] != MercuryProtocol.startOfFrame {
                var j = i + 1
                while j < n && buf[j] != MercuryProtocol.startOfFrame { j += 1 }
                skip(at: base + Int64(i), count: j - i)
                sawGarbage = true
                i = j
                continue
            }
            guard n - i >= 2 else { break }
            let len = Int(buf[i + 1])
            if len > MercuryProtocol.maxDataLength {
                watchUp(to: base + Int64(i), time: time, into: &batch)
                reject(.badLength, at: base + Int64(i), length: 2,
                       message: "LEN 0x\(hex2(buf[i + 1])) exceeds 0xF8", time: time, into: &batch)
                skip(at: base + Int64(i), count: 1)
                sawGarbage = true
                i += 1
                continue
            }
            let total = len + 7
            guard n - i >= total else { break }
            let expected = MercuryProtocol.crc(UnsafeRawBufferPointer(rebasing: buf[(i + 1)..<(i + total - 2)]))
            let got = UInt16(buf[i + total - 2]) << 8 | UInt16(buf[i + total - 1])
            if expected != got {
                watchUp(to: base + Int64(i), time: time, into: &batch)
                reject(.badCRC, at: base + Int64(i), length: total,
                       message: "CRC \(hex2(UInt8(got >> 8)))\(hex2(UInt8(got & 0xFF))) should be "
                        + "\(hex2(UInt8(expected >> 8)))\(hex2(UInt8(expected & 0xFF))) in a \(total)-byte frame",
                       time: time, into: &batch)
                watch.badFrame()
                skip(at: base + Int64(i), count: 1)
                sawGarbage = true
                i += 1
                continue
            }
            watchUp(to: base + Int64(i + total), time: time, into: &batch)
            _ = watch.valid()
            if sawGarbage { reportGarbage(time: time, into: &batch); sawGarbage = false }
            frames &+= 1
            tags &+= handleFrame(UnsafeRawBufferPointer(rebasing: buf[i..<(i + total)]), at: base + Int64(i), time: time, into: &batch)
            i += total
        }
        return i
    }

    @inline(__always)
    private func skip(at: Int64, count: Int) {
        if garbageLength == 0 { garbageStart = at }
        garbageLength += count
        counters.garbageBytes &+= UInt64(count)
    }

    private func reject(_ kind: DeviceProblem.Kind, at: Int64, length: Int, message: String,
                        time: Microseconds, into batch: inout EventBatch) {
        counters.count(kind)
        if at < quietUntil { return }      // a false start inside a frame already reported
        reportGarbage(time: time, into: &batch)
        batch.append(.problem(DeviceProblem(kind: kind, offset: at, length: length, message: message, time: time)))
        quietUntil = at + Int64(length)
    }

    private func reportGarbage(time: Microseconds, into batch: inout EventBatch) {
        guard garbageLength > 0 else { return }
        let end = garbageStart + Int64(garbageLength)
        let start = max(garbageStart, quietUntil)
        garbageLength = 0
        guard end > start else { return }
        let length = Int(end - start)
        batch.append(.problem(DeviceProblem(kind: .garbage, offset: start, length: length,
                                            message: "\(length) bytes outside any frame skipped", time: time)))
    }

    /// A frame with a good CRC: `f` is FF LEN OP STATUS(2) DATA CRC(2).
    /// Returns the number of tag reads it carried.
    @inline(__always)
    private func handleFrame(_ f: UnsafeRawBufferPointer, at: Int64, time: Microseconds, into batch: inout EventBatch) -> UInt64 {
        let op = f[2]
        let status = UInt16(f[3]) << 8 | UInt16(f[4])
        let data = UnsafeRawBufferPointer(rebasing: f[5..<(f.count - 2)])
        switch status {
        case MercuryProtocol.Status.ok:
            if op == MercuryProtocol.Opcode.readTagIDMultiple && data.count > 0 {
                return handleStream(data, at: at, time: time, into: &batch)
            } else {
                batch.append(.commandDone(command: "0x" + hex2(op), time: time))
            }
        case MercuryProtocol.Status.noTagsFound:
            batch.append(.keepalive(time: time))
        default:
            counters.count(.deviceError)
            let meaning = status == MercuryProtocol.Status.temperatureThrottle ? " (temperature throttle)" : ""
            batch.append(.problem(DeviceProblem(kind: .deviceError, offset: at, length: f.count, code: Int(status),
                                                message: "reader status 0x\(hex2(UInt8(status >> 8)))\(hex2(UInt8(status & 0xFF)))\(meaning) to opcode 0x\(hex2(op))",
                                                time: time)))
        }
        return 0
    }

    /// A streamed 0x22 reply: option, search flags, [metadata flags],
    /// response type, then (type 1) one tag record.
    @inline(__always)
    private func handleStream(_ d: UnsafeRawBufferPointer, at: Int64, time: Microseconds, into batch: inout EventBatch) -> UInt64 {
        let hasFlags = d[0] & 0x10 != 0
        let typeAt = hasFlags ? 5 : 3
        guard d.count > typeAt else {
            badRecord("stream reply of \(d.count) bytes is too short", at: at, length: d.count + 7, time: time, into: &batch)
            return 0
        }
        let flags = hasFlags ? MercuryProtocol.Metadata(rawValue: UInt16(d[3]) << 8 | UInt16(d[4])) : []
        switch d[typeAt] {
        case 0x01: return parseRecord(d, from: typeAt + 1, flags: flags, at: at, time: time, into: &batch) ? 1 : 0
        case 0x02: break                     // reader statistics stream: not used
        case 0x00: batch.append(.commandDone(command: "0x22", time: time))
        default:
            counters.count(.unknown)
            batch.append(.problem(DeviceProblem(kind: .unknown, offset: at, length: d.count + 7,
                                                message: "unknown stream response type 0x\(hex2(d[typeAt]))", time: time)))
        }
        return 0
    }

    /// Appends the record's tag read; false (and a problem event) when the
    /// record does not fit its frame.
    @inline(__always)
    private func parseRecord(_ d: UnsafeRawBufferPointer, from start: Int, flags: MercuryProtocol.Metadata,
                             at: Int64, time: Microseconds, into batch: inout EventBatch) -> Bool {
        let n = d.count
        var k = start
        var count: UInt32 = 1
        var rssi: Float? = nil
        var antenna: UInt16 = 0
        var protocolID: UInt8 = 0x05   // without the protocol flag, assume Gen2 (what we ask for)
        // Fixed-size fields in flag order; one bounds check covers them.
        guard k + flags.fixedFieldBytes <= n else { badRecord("metadata overruns the frame", at: at, length: n + 7, time: time, into: &batch); return false }
        if flags.contains(.readCount) { count = max(1, UInt32(d[k])); k += 1 }
        if flags.contains(.rssi) { rssi = Float(Int8(bitPattern: d[k])); k += 1 }
        if flags.contains(.antenna) {
            // TX port in the high nibble, RX in the low; monostatic readers use the same port.
            let ports = d[k]; k += 1
            antenna = UInt16(ports >> 4 != 0 ? ports >> 4 : ports & 0x0F)
        }
        if flags.contains(.frequency) { k += 3 }
        if flags.contains(.timestamp) { k += 4 }
        if flags.contains(.phase) { k += 2 }
        if flags.contains(.protocolID) { protocolID = d[k]; k += 1 }
        if flags.contains(.data) {
            guard k + 2 <= n else { badRecord("data length overruns the frame", at: at, length: n + 7, time: time, into: &batch); return false }
            let bits = Int(d[k]) << 8 | Int(d[k + 1])
            k += 2 + (bits + 7) / 8
        }
        if flags.contains(.gpio) { k += 1 }
        guard k + 2 <= n else { badRecord("EPC length overruns the frame", at: at, length: n + 7, time: time, into: &batch); return false }
        let epcBits = Int(d[k]) << 8 | Int(d[k + 1])
        k += 2
        var epcBytes = epcBits / 8 - 2          // the tag's own CRC follows the EPC
        guard epcBytes >= 0, k + epcBytes + 2 <= n else {
            badRecord("EPC of \(epcBits) bits overruns the frame", at: at, length: n + 7, time: time, into: &batch)
            return false
        }
        if protocolID == 0x05 {
            // Gen2 records carry the PC word first, and XPC words when the PC says so.
            guard epcBytes >= 2 else { badRecord("Gen2 record without a PC word", at: at, length: n + 7, time: time, into: &batch); return false }
            let xpc = d[k] & 0x02 != 0
            k += 2; epcBytes -= 2
            if xpc && epcBytes >= 2 {
                let w2 = d[k] & 0x80 != 0
                k += 2; epcBytes -= 2
                if w2 && epcBytes >= 2 { k += 2; epcBytes -= 2 }
            }
        }
        guard epcBytes <= 32 else {
            badRecord("EPC of \(epcBytes * 8) bits is longer than 256", at: at, length: n + 7, time: time, into: &batch)
            return false
        }
        let epc = Self.epc(UnsafeRawBufferPointer(rebasing: d[k..<(k + epcBytes)]))
        batch.append(.tag(TagRead(epc: epc, device: device, antenna: antenna, rssi: rssi, count: count, time: time)))
        return true
    }

    private func badRecord(_ message: String, at: Int64, length: Int, time: Microseconds, into batch: inout EventBatch) {
        counters.count(.badLength)
        batch.append(.problem(DeviceProblem(kind: .badLength, offset: at, length: length, message: message, time: time)))
    }

    /// Big-endian bytes (≤ 32) into the inline EPC value, no allocation.
    @inline(__always)
    static func epc(_ b: UnsafeRawBufferPointer) -> EPC {
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for i in 0..<b.count {
            let v = UInt64(b[i]) << UInt64(56 - (i & 7) * 8)
            switch i >> 3 {
            case 0: w.0 |= v
            case 1: w.1 |= v
            case 2: w.2 |= v
            default: w.3 |= v
            }
        }
        return EPC(words: w.0, w.1, w.2, w.3, bitCount: b.count * 8)
    }

    public func flush(time: Microseconds, into batch: inout EventBatch) {
        if !pending.isEmpty {
            let (cut, cutBase) = pending.take()
            counters.count(.truncated)
            if cutBase >= quietUntil {
                reportGarbage(time: time, into: &batch)
                batch.append(.problem(DeviceProblem(kind: .truncated, offset: cutBase, length: cut.count,
                                                    message: "frame cut off after \(cut.count) bytes", time: time)))
            }
        }
        reportGarbage(time: time, into: &batch)
        quietUntil = offset
        watch.reset(at: offset)
    }
}

extension MercuryDriver {
    /// `mercury` in the registry: ThingMagic/Jadak serial readers.
    public static let entry = DriverEntry(name: "mercury", transport: .serial, options: [
        DriverOption("read-rate", syntax: "read-rate=N") { (o, v) throws(DeviceError) in o.mercury.expectedReadRate = try DriverOptions.positive("read-rate", v) },
        // M6e, Micro and Nano number their GPIO lines 1…4.
        DriverOption("gpo", syntax: "gpo=N") { (o, v) throws(DeviceError) in
            guard let v, let pin = UInt8(v), (1...4).contains(pin) else { throw DriverOptions.badValue("gpo", v, "a GPIO pin 1…4") }
            o.mercury.gpo = pin
        },
    ]) { MercuryDriver(options: $0) }
}
