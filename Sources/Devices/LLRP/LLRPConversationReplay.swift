import ScanModel

/// One line of an LLRP capture log, as the replay needs it.
public struct LLRPCaptureStep: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Bytes the reader sent ('<').
        case fromReader([UInt8])
        /// Bytes the client is expected to send ('>').
        case toReader([UInt8])
        /// The reader closed the TCP connection ("! close").
        case readerCloses
        /// The host asked the driver to shut down ("! stop").
        case hostStops
        /// The host wrote a general-purpose output ("! gpo N on|off").
        case hostWritesGPO(port: UInt16, high: Bool)
    }
    public var milliseconds: Int64
    public var kind: Kind
    /// 1-based line number in the log, for messages.
    public var line: Int
    public init(milliseconds: Int64, kind: Kind, line: Int) {
        self.milliseconds = milliseconds; self.kind = kind; self.line = line
    }
}

/// Replays a whole LLRP conversation in virtual time: the decoder and the
/// session run exactly as in the driver, the capture's timestamps are the
/// clock, and what the session sends is compared with the log's '>' lines
/// byte for byte. Output: the decoded events in the common vocabulary
/// (`events`, stamped with the virtual clock where the reader gave no time)
/// and a transcript interleaving them with the session's outputs (`lines`).
public struct LLRPConversationReplay {
    public private(set) var lines: [String] = []
    public private(set) var events: [DeviceEvent] = []
    /// Where the session's messages differ from the log's '>' lines.
    public private(set) var mismatches: [String] = []
    public private(set) var decoder: LLRPDecoder
    public private(set) var session: LLRPSession
    var connected = false
    var sent: [[UInt8]] = []

    public init(config: LLRPReaderConfig, device: DeviceIndex = DeviceIndex(0)) {
        decoder = LLRPDecoder(device: device)
        session = LLRPSession(config: config)
    }

    /// Runs every step; `chunk` bytes at a time from each '<' line (0 = whole line).
    public mutating func run(_ steps: [LLRPCaptureStep], chunk: Int = 0) {
        guard let first = steps.first else { return }
        var out: [LLRPSessionOutput] = []
        session.start(now: first.milliseconds, into: &out)
        apply(&out, now: first.milliseconds)
        for step in steps {
            let now = step.milliseconds
            session.tick(now: now, into: &out)
            apply(&out, now: now)
            switch step.kind {
            case .fromReader(let bytes):
                guard connected else {
                    var o = SortedJSONObject(); o.set("type", "dropped"); o.set("bytes", bytes.count)
                    lines.append(o.text)
                    continue
                }
                var collector = LLRPEventCollector()
                if chunk <= 0 {
                    decoder.feed(bytes, into: &collector)
                } else {
                    var i = 0
                    while i < bytes.count {
                        decoder.feed(bytes[i..<min(bytes.count, i + chunk)], into: &collector)
                        i += chunk
                    }
                }
                deliver(collector.events, now: now, out: &out)
            case .toReader(let bytes):
                if sent.isEmpty {
                    mismatches.append("line \(step.line): log expects the client to send \(LLRPReplayText.describe(bytes)), session sent nothing")
                } else {
                    let got = sent.removeFirst()
                    if got != bytes {
                        mismatches.append("line \(step.line): log expects \(LLRPReplayText.describe(bytes)) = \(LLRPReplayText.hex(bytes)), session sent \(LLRPReplayText.hex(got))")
                    }
                }
            case .readerCloses:
                if connected {
                    connected = false
                    var collector = LLRPEventCollector()
                    decoder.finish(into: &collector)
                    deliver(collector.events, now: now, out: &out)
                    note(.disconnected(time: Microseconds(now &* 1000)))
                    session.transportClosed(now: now, into: &out)
                    apply(&out, now: now)
                }
            case .hostStops:
                session.stop(now: now, into: &out)
                apply(&out, now: now)
            case .hostWritesGPO(let port, let high):
                if !session.writeGPO(port: port, high: high, into: &out) {
                    var o = SortedJSONObject(); o.set("type", "gpo-dropped"); o.set("port", Int(port))
                    lines.append(o.text)
                }
                apply(&out, now: now)
            }
        }
        for extra in sent {
            mismatches.append("session sent \(LLRPReplayText.describe(extra)) that the log does not have")
        }
        sent.removeAll()
    }

    mutating func deliver(_ events: [LLRPEvent], now: Int64, out: inout [LLRPSessionOutput]) {
        for e in events {
            record(e, now: now)
            session.handle(e, now: now, into: &out)
            apply(&out, now: now)
        }
    }

    /// A connection event, as `DeviceRunner` hands it to its handler.
    mutating func note(_ event: DeviceEvent) {
        events.append(event)
        lines.append(EventJSON.line(event))
    }

    mutating func record(_ e: LLRPEvent, now: Int64) {
        let event = LLRPDriver.deviceEvent(e, time: Microseconds(now &* 1000))
        events.append(event)
        lines.append(EventJSON.line(event))
    }

    mutating func apply(_ out: inout [LLRPSessionOutput], now: Int64) {
        var i = 0
        while i < out.count {
            let o = out[i]
            i += 1
            lines.append(o.jsonLine)
            switch o {
            case .connect:
                // In replay the connect succeeds at once; the log's next
                // bytes are the new connection's.
                connected = true
                decoder.reset()
                note(.connected(time: Microseconds(now &* 1000)))
                session.transportConnected(now: now, into: &out)
            case .send(let bytes, _, _):
                sent.append(bytes)
            case .disconnect:
                if connected {
                    connected = false
                    var collector = LLRPEventCollector()
                    decoder.finish(into: &collector)
                    for e in collector.events { record(e, now: now) }
                    note(.disconnected(time: Microseconds(now &* 1000)))
                }
            case .note:
                break
            }
        }
        out.removeAll(keepingCapacity: true)
    }
}

enum LLRPReplayText {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map(hex2).joined() }

    static func describe(_ bytes: [UInt8]) -> String {
        guard bytes.count >= 2 else { return "\(bytes.count) bytes" }
        return LLRPMessageType.name(UInt16(bytes[0] & 3) << 8 | UInt16(bytes[1]))
    }
}
