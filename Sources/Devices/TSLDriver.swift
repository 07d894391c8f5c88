import ScanModel

public struct TSLOptions: Sendable, Equatable {
    /// Output power for inventories in dBm (10…29), nil = reader default.
    public var outputPower: Int? = nil
    public var maxLineLength: Int = 4096
    public init() {}
}

/// TSL ASCII 2.0 handhelds (1128, 1153 over Bluetooth serial). Replies are
/// CR LF lines `XX: value`; a command's reply starts with `CS: <command>`
/// and ends with `OK:` or `ER: nnn` and a blank line. With asynchronous
/// switch reporting on (`.sa -a on`) trigger presses arrive unprompted as
/// `SW: single|double` and releases as `SW: off`. An inventory reports
/// `EP: <epc hex>` with `RI: <dBm>` after it when RSSI is enabled.
public final class TSLDriver: DeviceDriver {
    public let name = "tsl"
    public private(set) var counters = DriverCounters()
    public var silenceTimeout: Microseconds? { nil }

    private let options: TSLOptions
    private let device: DeviceIndex
    private var splitter: TextLineSplitter
    private var offset: Int64 = 0
    private var command = ""
    /// An EP: line waits for an RI: line that may follow it.
    private var pendingTag: TagRead? = nil
    private var triggerDown = false
    private var watch: GarbleWatch
    public var garbled: String? { watch.suspicion }

    public init(options: DriverOptions) {
        self.options = options.tsl
        self.device = options.device
        splitter = TextLineSplitter(terminators: [0x0D, 0x0A], maxLength: options.tsl.maxLineLength, escape: 0x1B)
        watch = GarbleWatch(textual: true, maxLine: options.tsl.maxLineLength)
    }

    static func line(_ text: String) -> [UInt8] { Array((text + "\r\n").utf8) }

    public var initCommands: [[UInt8]] {
        // Reset to defaults, configure only (-n), include RSSI. Not -fs: it keeps
        // only the strongest tag of a round, which would break counting.
        var inventory = ".iv -x -n -r on"
        if let p = options.outputPower { inventory += " -o \(p)" }
        return [Self.line(".ab"), Self.line(".vr"), Self.line(".sa -a on"), Self.line(inventory)]
    }
    public var startCommands: [[UInt8]] { [Self.line(".iv")] }
    public var stopCommands: [[UInt8]] { [Self.line(".ab")] }

    public func feedbackPlan(_ outcome: FeedbackOutcome) -> FeedbackPlan? {
        // `.al`: buzzer on/off, vibrate on/off, tone (low/med/hig), duration (sho/med/lon).
        switch outcome {
        case .good: return .bytes(Self.line(".al -b on -v off -t hig -d sho"))
        case .warning: return .bytes(Self.line(".al -b on -v off -t med -d med"))
        case .error: return .bytes(Self.line(".al -b on -v on -t low -d lon"))
        case .done: return .repeated(Self.line(".al -b on -v off -t hig -d sho"), count: 2, gap: .milliseconds(200))
        }
    }

    public func configurationWarnings(serial: SerialSettings?) -> [String] { [] }

    public func feed(_ bytes: UnsafeRawBufferPointer, time: Microseconds, into batch: inout EventBatch) {
        guard bytes.count > 0 else { return }
        let base = counters.received(bytes.count, at: time, advancing: &offset)
        // Counted up to each line's end before it is handled (and to the end
        // of the read after), so a verdict falls where it would however the
        // bytes were split.
        func watchUp(to end: Int64) {
            if let verdict = watch.advance(to: end, in: bytes, base: base) { batch.append(.problem(verdict.problem(at: time))) }
        }
        defer { watchUp(to: offset) }
        splitter.feed(bytes, base: base) { piece in
            watchUp(to: piece.end)
            defer { watch.lineEnded() }
            switch piece {
            case .line(let text, let at): handleLine(text, at: at, time: time, into: &batch)
            case .tooLong(let at, let length):
                emitPendingTag(into: &batch)
                problem(.lineTooLong, at: at, length: length,
                        message: "line of \(length) bytes exceeds the \(options.maxLineLength)-byte cap; dropped", time: time, into: &batch)
            }
        }
    }

    private func handleLine(_ line: ArraySlice<UInt8>, at: Int64, time: Microseconds, into batch: inout EventBatch) {
        if line.isEmpty {                 // blank line: end of a reply
            emitPendingTag(into: &batch)
            return
        }
        counters.frames &+= 1
        if let bad = firstNoise(line) {
            emitPendingTag(into: &batch)
            return problem(.binaryNoise, at: at + Int64(bad - line.startIndex), length: line.count,
                           message: "control byte 0x\(hex2(line[bad])) in a \(line.count)-byte line; dropped", time: time, into: &batch)
        }
        // Every reply line is `XX:` then an optional space and the value.
        let s = line.startIndex
        guard line.count >= 3, line[s + 2] == UInt8(ascii: ":"),
              isUpper(line[s]), isUpper(line[s + 1]) else {
            emitPendingTag(into: &batch)
            return problem(.unknown, at: at, length: line.count,
                           message: "not an ASCII 2.0 reply line: \(printable(line))", time: time, into: &batch)
        }
        _ = watch.valid()   // a reply line: the line speed is right
        let header = String(decoding: line[s..<(s + 2)], as: UTF8.self)
        var v = s + 3
        if v < line.endIndex && line[v] == UInt8(ascii: " ") { v += 1 }
        let value = line[v...]
        if header != "RI" { emitPendingTag(into: &batch) }
        switch header {
        case "EP":
            guard value.count % 2 == 0, value.count <= 64, let epc = EPC(hex: String(decoding: value, as: UTF8.self)) else {
                return problem(.unknown, at: at, length: line.count,
                               message: "EP: value is not an EPC of whole bytes in hex (≤ 256 bits): \(printable(value))", time: time, into: &batch)
            }
            pendingTag = TagRead(epc: epc, device: device, time: time)
        case "RI":
            guard var tag = pendingTag, let dBm = Int(String(decoding: value, as: UTF8.self)), dBm >= -128, dBm <= 127 else {
                emitPendingTag(into: &batch)
                return problem(.unknown, at: at, length: line.count,
                               message: "RI: without a preceding EP: or not a dBm value: \(printable(value))", time: time, into: &batch)
            }
            tag.rssi = Float(dBm)
            pendingTag = tag
            emitPendingTag(into: &batch)
        case "BC":
            let data = unescape(value)
            guard !data.isEmpty else { return }
            counters.scans &+= 1
            batch.append(.scan(Scan(data: data, device: device, time: time)))
        case "CS":
            command = String(decoding: value, as: UTF8.self)
        case "OK":
            batch.append(.commandDone(command: command, time: time))
            command = ""
        case "ER":
            let code = Int(String(decoding: value, as: UTF8.self))
            counters.count(.deviceError)
            batch.append(.problem(DeviceProblem(kind: .deviceError, offset: at, length: line.count, code: code,
                                                message: "reader error \(printable(value)) to '\(command)'", time: time)))
            command = ""
        case "SW":
            let state = String(decoding: value, as: UTF8.self)
            let pressed = state.lowercased() != "off"   // "single", "double" (any press) or "off"
            if pressed != triggerDown {
                triggerDown = pressed
                batch.append(.trigger(pressed: pressed, time: time))
            }
        default:
            break   // PC:, ME:, VR fields and the like carry nothing we use
        }
    }

    private func emitPendingTag(into batch: inout EventBatch) {
        guard let tag = pendingTag else { return }
        pendingTag = nil
        counters.tagReads &+= 1
        batch.append(.tag(tag))
    }

    private func problem(_ kind: DeviceProblem.Kind, at: Int64, length: Int, message: String,
                         time: Microseconds, into batch: inout EventBatch) {
        counters.count(kind)
        batch.append(.problem(DeviceProblem(kind: kind, offset: at, length: length, message: message, time: time)))
    }

    /// The first control byte that is not part of an ESC escape (barcode
    /// data may carry CR and LF, escaped).
    private func firstNoise(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8>.Index? {
        var escaped = false
        for i in line.indices {
            let b = line[i]
            if escaped { escaped = false; continue }
            if b == 0x1B { escaped = true; continue }
            if isNoiseByte(b) { return i }
        }
        return nil
    }

    /// Barcode data with the reader's ESC (0x1B) escapes removed.
    private func unescape(_ value: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var escaped = false
        for b in value {
            if b == 0x1B && !escaped { escaped = true; continue }
            escaped = false
            out.append(b)
        }
        return out
    }

    public func flush(time: Microseconds, into batch: inout EventBatch) {
        emitPendingTag(into: &batch)
        if let (at, length) = splitter.pending {
            problem(.truncated, at: at, length: length, message: "\(length) bytes without a line end dropped", time: time, into: &batch)
        }
        splitter.reset()
        watch.reset(at: offset)
        command = ""
        if triggerDown {   // a lost connection releases the trigger
            triggerDown = false
            batch.append(.trigger(pressed: false, time: time))
        }
    }
}

@inline(__always) private func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }

/// Up to 40 bytes of a line, control bytes shown as \xNN, for messages.
func printable(_ bytes: ArraySlice<UInt8>) -> String {
    var s = ""
    for b in bytes.prefix(40) {
        if b >= 0x20 && b < 0x7F { s.unicodeScalars.append(UnicodeScalar(b)) } else { s += "\\x" + hex2(b) }
    }
    return bytes.count > 40 ? s + "…" : s
}

extension TSLDriver {
    /// `tsl` in the registry: TSL ASCII 2.0 handhelds.
    public static let entry = DriverEntry(name: "tsl", transport: .serial, options: [
        DriverOption("max-line", syntax: "max-line=N") { (o, v) throws(DeviceError) in o.tsl.maxLineLength = try DriverOptions.positive("max-line", v) },
    ]) { TSLDriver(options: $0) }
}
