import ScanModel

public struct SSIOptions: Sendable, Equatable {
    /// How long the host waits for the scanner's ACK before retransmitting
    /// (the guide's serial response time-out defaults to 2 s).
    public var ackTimeout: Microseconds = .seconds(2)
    /// Retransmissions of one command before giving up on the connection.
    public var retries: Int = 2
    /// Send PARAM_SEND on connect (packeted decode data, ACK/NAK, no code
    /// ID character). Off for scanners configured by programming bar codes
    /// that refuse parameter changes.
    public var sendParameters: Bool = true
    /// Longest reassembled (multipacket) decode accepted.
    public var maxDecode: Int = 64 * 1024

    public init() {}
}

/// Zebra/Symbol scanners in SSI mode (RS-232 or SSI over USB CDC): decodes
/// arrive as DECODE_DATA packets with a bar code type byte, which becomes
/// the scan's AIM identifier. Every decoder packet that asks for it is
/// ACKed, a damaged one NAKed (RESEND) so the scanner sends it again, and
/// the host's own commands are retransmitted until ACKed
/// (SSIConversation). Protocol constants: SSIProtocol; framing: SSIFramer.
public final class SSIDriver: DeviceDriver {
    public let name = "ssi"
    public var counters: DriverCounters {
        var c = base
        c.garbageBytes = framer.garbageBytes
        return c
    }
    public var silenceTimeout: Microseconds? { nil }
    /// A scanner read at the wrong line speed never makes a valid packet
    /// (at 9600 read at 115200: NULs); binary, so judged by that alone.
    private var watch = GarbleWatch(textual: false)
    public var garbled: String? { watch.suspicion }

    /// NAKs sent for damaged packets, duplicates (retransmissions of a
    /// packet already taken) ignored, host command retransmissions.
    public private(set) var naksSent: UInt64 = 0
    public private(set) var duplicates: UInt64 = 0
    public var retransmissions: UInt64 { conversation.retransmissions }

    let options: SSIOptions
    private let device: DeviceIndex
    private var base = DriverCounters()
    private var framer = SSIFramer()
    var conversation: SSIConversation
    /// Opcode and data of the last packet taken, to spot a retransmission
    /// of it (the scanner resends when our ACK got lost). Forgotten when we
    /// NAK: the retransmission that follows is the damaged packet, new.
    private var lastTaken: [UInt8] = []
    private var hasLastTaken = false
    // A multipacket decode being put together.
    private var assembly: [UInt8] = []
    private var assemblyType: UInt8 = 0
    private var assemblyStart: Int64 = 0
    private var assembling = false
    private var assemblyTooLong = false
    /// A conversation failure found while reading, for `tick` to throw.
    private var failure: DeviceError? = nil
    /// When the last bytes came, so `tick` can abandon a stalled packet start.
    private var lastFeed = Microseconds.zero
    static let stallTimeout: Microseconds = .milliseconds(500)

    public init(options: DriverOptions) {
        self.options = options.ssi
        self.device = options.device
        conversation = SSIConversation(timeout: options.ssi.ackTimeout, retries: options.ssi.retries)
    }

    public var initCommands: [[UInt8]] { options.sendParameters ? [SSIProtocol.hostParameters] : [] }
    public var startCommands: [[UInt8]] { [SSIProtocol.scanEnable] }
    public var stopCommands: [[UInt8]] { [SSIProtocol.scanDisable] }

    public func configurationWarnings(serial: SerialSettings?) -> [String] { [] }

    public func feedbackPlan(_ outcome: FeedbackOutcome) -> FeedbackPlan? {
        // One BEEP per outcome, each a different pattern from the guide's
        // beep table; "done" also lights the decode LED for a second so a
        // finished order is seen as well as heard. The scanner ACKs each
        // command; the pause after LED_ON keeps to one command in flight.
        switch outcome {
        case .good: return .bytes(SSIProtocol.beep(SSIProtocol.Beep.oneShortHigh))
        case .warning: return .bytes(SSIProtocol.beep(SSIProtocol.Beep.highLowHigh))
        case .error: return .bytes(SSIProtocol.beep(SSIProtocol.Beep.threeLongLow))
        case .done:
            return FeedbackPlan([.init(SSIProtocol.ledOn, pauseAfter: .milliseconds(50)),
                                 .init(SSIProtocol.beep(SSIProtocol.Beep.threeShortHigh), pauseAfter: .seconds(1)),
                                 .init(SSIProtocol.ledOff)])
        }
    }

    public func feed(_ bytes: UnsafeRawBufferPointer, time: Microseconds, into batch: inout EventBatch) {
        guard bytes.count > 0 else { return }
        base.bytes &+= UInt64(bytes.count)
        base.lastSeen = time
        lastFeed = time
        framer.feed(bytes) { handle($0, time: time, into: &batch) }
        watchUp(to: framer.decidedUpTo, time: time, into: &batch)
    }

    /// Judges the stream up to `end`; every call is at an offset that does
    /// not depend on how the bytes were split, so neither does the verdict's
    /// place among the events.
    private func watchUp(to end: Int64, time: Microseconds, into batch: inout EventBatch) {
        if let verdict = watch.advance(to: end) { batch.append(.problem(verdict.problem(at: time))) }
    }

    public func flush(time: Microseconds, into batch: inout EventBatch) {
        if let (at, length) = framer.finish(emit: { handle($0, time: time, into: &batch) }) {
            problem(.truncated, at: at, length: length, message: "packet cut off after \(length) bytes", time: time, into: &batch)
        }
        if assembling {
            problem(.truncated, at: assemblyStart, length: assembly.count,
                    message: "multipacket decode cut off after \(assembly.count) bytes; dropped", time: time, into: &batch)
        }
        assembling = false; assemblyTooLong = false; assembly.removeAll(keepingCapacity: true)
        hasLastTaken = false
        watch.reset(at: framer.streamOffset)
    }

    private func handle(_ piece: SSIFramer.Piece, time: Microseconds, into batch: inout EventBatch) {
        switch piece {
        case .garbage(let at, let length):
            watchUp(to: at + Int64(length), time: time, into: &batch)
            batch.append(.problem(DeviceProblem(kind: .garbage, offset: at, length: length,
                                                message: "\(length) bytes outside any packet skipped", time: time)))
        case .badChecksum(let at, let length, let opcode, let expected, let got):
            // Ask for the packet again. The retransmission carries the same
            // data, so it must not be taken for a duplicate of the last one.
            watchUp(to: at, time: time, into: &batch)
            watch.badFrame()
            batch.outgoing.append(SSIProtocol.nak(SSIProtocol.NakCause.resend))
            naksSent &+= 1
            hasLastTaken = false
            problem(.badCRC, at: at, length: length,
                    message: "checksum \(hex2(UInt8(got >> 8)))\(hex2(UInt8(got & 0xFF))) should be \(hex2(UInt8(expected >> 8)))\(hex2(UInt8(expected & 0xFF))) in a \(length)-byte \(SSIProtocol.Opcode.name(opcode)) packet; NAK RESEND sent",
                    time: time, into: &batch)
        case .packet(let p, let at):
            watchUp(to: at + Int64(p.count + 2), time: time, into: &batch)
            _ = watch.valid()
            base.frames &+= 1
            handlePacket(p, at: at, time: time, into: &batch)
        }
    }

    /// `p`: Length, opcode, source, status, data (checksum already checked).
    private func handlePacket(_ p: UnsafeRawBufferPointer, at: Int64, time: Microseconds, into batch: inout EventBatch) {
        let opcode = p[1], status = p[3]
        let data = UnsafeRawBufferPointer(rebasing: p[SSIProtocol.headerLength...])
        if SSIProtocol.needsAck(opcode) { batch.outgoing.append(SSIProtocol.ack) }
        if status & SSIProtocol.Status.retransmit != 0 && hasLastTaken
            && lastTaken.count == data.count + 1 && lastTaken[0] == opcode && lastTaken.dropFirst().elementsEqual(data) {
            duplicates &+= 1   // our ACK was lost; it has been sent again above
            return
        }
        if opcode != SSIProtocol.Opcode.cmdAck && opcode != SSIProtocol.Opcode.cmdNak {
            lastTaken.removeAll(keepingCapacity: true)
            lastTaken.append(opcode)
            lastTaken.append(contentsOf: data)
            hasLastTaken = true
        }
        switch opcode {
        case SSIProtocol.Opcode.decodeData:
            decodeData(data, status: status, at: at, time: time, into: &batch)
        case SSIProtocol.Opcode.cmdAck:
            let name = conversation.acknowledged(now: time, into: &batch.outgoing)
            batch.append(.commandDone(command: name ?? "CMD_ACK", time: time))
        case SSIProtocol.Opcode.cmdNak:
            let cause = data.first ?? 0
            let command = conversation.outstanding?.name ?? "last command"
            do throws(DeviceError) {
                try conversation.refused(cause: cause, now: time, into: &batch.outgoing)
            } catch {
                // Retries used up: `feed` cannot drop the connection, the
                // next `tick` (due at once) does.
                failure = error
            }
            batch.append(.problem(DeviceProblem(kind: .deviceError, offset: at, length: p.count + 2, code: Int(cause),
                                                message: "scanner NAKed \(command): \(SSIProtocol.NakCause.name(cause))", time: time)))
            base.deviceErrors &+= 1
        case SSIProtocol.Opcode.event:
            batch.append(.reader(event: "ssi-event", detail: "0x" + hex2(data.first ?? 0), time: time))
        case SSIProtocol.Opcode.replyRevision:
            batch.append(.reader(event: "revision", detail: String(decoding: data, as: UTF8.self), time: time))
        default:
            // A well-formed packet we cannot use: tell the scanner so
            // (BAD_CONTEXT), and count it.
            batch.outgoing.append(SSIProtocol.nak(SSIProtocol.NakCause.badContext))
            problem(.unknown, at: at, length: p.count + 2,
                    message: "\(SSIProtocol.Opcode.name(opcode)) not understood; NAK BAD_CONTEXT sent", time: time, into: &batch)
        }
    }

    /// DECODE_DATA: type byte, then data. With the continuation bit set more
    /// packets of the same decode follow; each repeats the type byte.
    private func decodeData(_ data: UnsafeRawBufferPointer, status: UInt8, at: Int64, time: Microseconds, into batch: inout EventBatch) {
        guard let type = data.first else {
            problem(.badLength, at: at, length: SSIProtocol.headerLength + 2,
                    message: "DECODE_DATA without a bar code type", time: time, into: &batch)
            return
        }
        let payload = UnsafeRawBufferPointer(rebasing: data[1...])
        let more = status & SSIProtocol.Status.continuation != 0
        if !assembling {
            guard more else { return emitScan(type: type, payload, at: at, time: time, into: &batch) }
            assembling = true; assemblyTooLong = false
            assemblyType = type; assemblyStart = at
            assembly.removeAll(keepingCapacity: true)
        } else if type != assemblyType {
            problem(.truncated, at: assemblyStart, length: assembly.count,
                    message: "multipacket decode broken off by a packet of another type; \(assembly.count) bytes dropped",
                    time: time, into: &batch)
            assembly.removeAll(keepingCapacity: true)
            assemblyType = type; assemblyStart = at; assemblyTooLong = false
        }
        if assembly.count + payload.count > options.maxDecode { assemblyTooLong = true }
        if !assemblyTooLong { assembly.append(contentsOf: payload) }
        guard !more else { return }
        assembling = false
        if assemblyTooLong {
            problem(.lineTooLong, at: assemblyStart, length: Int(at - assemblyStart),
                    message: "multipacket decode exceeds the \(options.maxDecode)-byte cap; dropped", time: time, into: &batch)
        } else {
            assembly.withUnsafeBytes { emitScan(type: type, $0, at: assemblyStart, time: time, into: &batch) }
        }
        assembly.removeAll(keepingCapacity: true)
    }

    /// One scan: the AIM identifier for `type`, then the data. Data that
    /// already starts with one (a scanner set to send AIM IDs itself) is
    /// kept as it is; an unknown type goes out bare and is counted.
    private func emitScan(type: UInt8, _ payload: UnsafeRawBufferPointer, at: Int64, time: Microseconds, into batch: inout EventBatch) {
        var bytes: [UInt8] = []
        if let entry = SSISymbology.entry(type) {
            let hasAIM = payload.count >= 3 && payload[0] == UInt8(ascii: "]")
            bytes.reserveCapacity(payload.count + 3)
            if !hasAIM { bytes.append(contentsOf: entry.aim) }
        } else {
            problem(.unknown, at: at, length: payload.count, code: Int(type),
                    message: "bar code type 0x\(hex2(type)) not in the code type table; scan sent without an AIM identifier",
                    time: time, into: &batch)
        }
        bytes.append(contentsOf: payload)
        base.scans &+= 1
        batch.append(.scan(Scan(data: bytes, device: device, time: time)))
    }

    private func problem(_ kind: DeviceProblem.Kind, at: Int64, length: Int, code: Int? = nil, message: String,
                         time: Microseconds, into batch: inout EventBatch) {
        base.count(kind)
        batch.append(.problem(DeviceProblem(kind: kind, offset: at, length: length, code: code, message: message, time: time)))
    }

    // MARK: the conversation (DeviceRunner calls these on a live connection)

    public func connectionOpened(now: Microseconds, into batch: inout EventBatch) {
        conversation.begin(commands(initCommands + startCommands), now: now, into: &batch.outgoing)
    }

    public func tick(now: Microseconds, into batch: inout EventBatch) throws(DeviceError) {
        if let failure {
            self.failure = nil
            throw failure
        }
        if framer.hasPending && now - lastFeed >= Self.stallTimeout {
            framer.abandonPending { handle($0, time: now, into: &batch) }
            lastFeed = now
        }
        try conversation.tick(now: now, into: &batch.outgoing)
    }

    public func wallClockStepped(by delta: Microseconds) {
        lastFeed = lastFeed + delta
        conversation.shiftTimers(by: delta)
    }

    public var nextDeadline: Microseconds? {
        if failure != nil { return lastFeed }
        let stall = framer.hasPending ? lastFeed + Self.stallTimeout : nil
        switch (stall, conversation.deadline) {
        case (let a?, let b?): return min(a, b)
        case (let a, let b): return a ?? b
        }
    }

    public func closing(now: Microseconds, into batch: inout EventBatch) -> Microseconds? {
        conversation.close(with: commands(stopCommands), now: now, into: &batch.outgoing)
        return now + options.ackTimeout
    }

    public var isClosed: Bool { conversation.isDone }

    public func connectionFailed(now: Microseconds, opened: Bool, reason: String) {
        conversation.reset()
        failure = nil
    }

    public func drainLog(_ log: (LogLevel, String) -> Void) {
        for (level, line) in conversation.log { log(level, line) }
        conversation.log.removeAll()
    }

    private func commands(_ packets: [[UInt8]]) -> [SSIConversation.Command] {
        packets.map { SSIConversation.Command(name: SSIProtocol.Opcode.name($0.count > 1 ? $0[1] : 0), packet: $0) }
    }
}

extension SSIDriver {
    /// `ssi` in the registry: Zebra/Symbol scanners in SSI mode on a serial
    /// line or USB CDC.
    public static let entry = DriverEntry(name: "ssi", transport: .serial, options: [
        DriverOption("ack-timeout", syntax: "ack-timeout=MS") { (o, v) throws(DeviceError) in
            o.ssi.ackTimeout = .milliseconds(Int64(try DriverOptions.positive("ack-timeout", v)))
        },
        DriverOption("retries", syntax: "retries=N") { (o, v) throws(DeviceError) in
            guard let v, let n = Int(v), (0...10).contains(n) else { throw DriverOptions.badValue("retries", v, "0 to 10") }
            o.ssi.retries = n
        },
        DriverOption("no-params") { (o, _) throws(DeviceError) in o.ssi.sendParameters = false },
    ]) { SSIDriver(options: $0) }
}
