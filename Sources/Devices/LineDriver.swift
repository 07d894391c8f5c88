import ScanModel

/// How a serial/CDC barcode scanner frames its output.
public struct LineOptions: Sendable, Equatable {
    /// Bytes that end a scan: any of CR, LF, Tab by default (CR LF is one).
    public var terminators: [UInt8] = [0x0D, 0x0A, 0x09]
    /// Scanners set to wrap each code in STX … ETX.
    public var stxEtx: Bool = false
    /// Stripped from the start / end of each scan when present (a scanner
    /// programmed with a fixed prefix or suffix).
    public var stripPrefix: [UInt8] = []
    public var stripSuffix: [UInt8] = []
    /// Longest accepted scan; longer lines are dropped and reported.
    public var maxLength: Int = 4096

    public init() {}
}

/// Serial and USB CDC-ACM barcode scanners: one scan per line (or per
/// STX…ETX frame), an AIM identifier in front when the scanner is set to
/// send one. The scan keeps its raw bytes (GS included); GS1 decoding is the
/// pipeline's job.
public final class LineDriver: DeviceDriver {
    public let name = "line"
    public private(set) var counters = DriverCounters()
    public let initCommands: [[UInt8]] = []
    public let startCommands: [[UInt8]] = []
    public let stopCommands: [[UInt8]] = []
    public var silenceTimeout: Microseconds? { nil }

    private let options: LineOptions
    private let device: DeviceIndex
    private var splitter: TextLineSplitter
    private var offset: Int64 = 0
    // STX/ETX framing state.
    private var inFrame = false
    private var frame: [UInt8] = []
    private var frameStart: Int64 = 0
    private var garbageStart: Int64 = -1
    private var garbageLength = 0
    private var watch: GarbleWatch
    public var garbled: String? { watch.suspicion }

    public init(options: DriverOptions) {
        self.options = options.line
        self.device = options.device
        splitter = TextLineSplitter(terminators: options.line.terminators, maxLength: options.line.maxLength)
        watch = GarbleWatch(textual: true, maxLine: options.line.maxLength)
    }

    public func feed(_ bytes: UnsafeRawBufferPointer, time: Microseconds, into batch: inout EventBatch) {
        guard bytes.count > 0 else { return }
        let base = counters.received(bytes.count, at: time, advancing: &offset)
        defer { watchUp(to: offset, bytes, base: base, time: time, into: &batch) }
        if options.stxEtx {
            feedFramed(bytes, base: base, time: time, into: &batch)
            return
        }
        splitter.feed(bytes, base: base) { piece in
            // Counted up to the terminator first, so a verdict falls where it
            // would however the bytes were split.
            watchUp(to: piece.end, bytes, base: base, time: time, into: &batch)
            switch piece {
            case .line(let text, let at): handleLine(text, offset: at, time: time, into: &batch)
            case .tooLong(let at, let length): tooLong(at: at, length: length, time: time, into: &batch)
            }
            watch.lineEnded()
        }
    }

    /// Counts bytes up to stream offset `end` and reports once when the
    /// stream turns into what a wrong line speed makes.
    private func watchUp(to end: Int64, _ bytes: UnsafeRawBufferPointer, base: Int64, time: Microseconds, into batch: inout EventBatch) {
        guard let verdict = watch.advance(to: end, in: bytes, base: base) else { return }
        batch.append(.problem(verdict.problem(at: time)))
    }

    private func feedFramed(_ bytes: UnsafeRawBufferPointer, base: Int64, time: Microseconds, into batch: inout EventBatch) {
        for i in 0..<bytes.count {
            let b = bytes[i]
            let at = base + Int64(i)
            if b == 0x02 || (b == 0x03 && inFrame) { watchUp(to: at + 1, bytes, base: base, time: time, into: &batch) }
            if b == 0x02 {
                if inFrame { // STX inside a frame: the previous frame lost its ETX.
                    problem(.truncated, at: frameStart, length: frame.count + 1, message: "frame without ETX", time: time, into: &batch)
                }
                reportGarbage(time: time, into: &batch)
                inFrame = true; frame.removeAll(keepingCapacity: true); frameStart = at
            } else if b == 0x03 && inFrame {
                inFrame = false
                if frame.count > options.maxLength {
                    tooLong(at: frameStart, length: frame.count + 2, time: time, into: &batch)
                } else {
                    handleLine(frame[...], offset: frameStart + 1, time: time, into: &batch)
                }
                watch.lineEnded()
                frame.removeAll(keepingCapacity: true)
            } else if inFrame {
                if frame.count <= options.maxLength { frame.append(b) }
            } else if !options.terminators.contains(b) {
                // Outside a frame only line endings are expected.
                if garbageLength == 0 { garbageStart = at }
                garbageLength += 1
                counters.garbageBytes &+= 1
            }
        }
    }

    private func handleLine(_ line: ArraySlice<UInt8>, offset at: Int64, time: Microseconds, into batch: inout EventBatch) {
        reportGarbage(time: time, into: &batch)
        guard !line.isEmpty else { return }
        counters.frames &+= 1
        if let bad = line.firstIndex(where: isNoiseByte) {
            let where_ = at + Int64(bad - line.startIndex)
            problem(.binaryNoise, at: where_, length: line.count,
                    message: "control byte 0x\(hex2(line[bad])) in a \(line.count)-byte line; line dropped", time: time, into: &batch)
            return
        }
        var data = line
        if !options.stripPrefix.isEmpty && data.starts(with: options.stripPrefix) {
            data = data.dropFirst(options.stripPrefix.count)
        }
        if !options.stripSuffix.isEmpty && data.count >= options.stripSuffix.count
            && data.suffix(options.stripSuffix.count).elementsEqual(options.stripSuffix) {
            data = data.dropLast(options.stripSuffix.count)
        }
        guard !data.isEmpty else { return }
        // While the stream looks garbled, a line that happens to end between
        // garbage bytes is garbage too: only plain ASCII counts as a scan
        // (and proves the line is right again).
        if watch.suspicion != nil, let high = data.firstIndex(where: { $0 >= 0x80 }) {
            problem(.binaryNoise, at: at + Int64(high - line.startIndex), length: line.count,
                    message: "byte 0x\(hex2(data[high])) in a \(line.count)-byte line while the stream looks garbled; line dropped", time: time, into: &batch)
            return
        }
        _ = watch.valid()
        counters.scans &+= 1
        batch.append(.scan(Scan(data: Array(data), device: device, time: time)))
    }

    private func tooLong(at: Int64, length: Int, time: Microseconds, into batch: inout EventBatch) {
        counters.frames &+= 1
        problem(.lineTooLong, at: at, length: length,
                message: "line of \(length) bytes exceeds the \(options.maxLength)-byte cap; dropped", time: time, into: &batch)
    }

    private func reportGarbage(time: Microseconds, into batch: inout EventBatch) {
        guard garbageLength > 0 else { return }
        problem(.garbage, at: garbageStart, length: garbageLength,
                message: "\(garbageLength) bytes outside STX/ETX skipped", time: time, into: &batch)
        garbageLength = 0
    }

    private func problem(_ kind: DeviceProblem.Kind, at: Int64, length: Int, message: String,
                         time: Microseconds, into batch: inout EventBatch) {
        counters.count(kind)
        batch.append(.problem(DeviceProblem(kind: kind, offset: at, length: length, message: message, time: time)))
    }

    public func flush(time: Microseconds, into batch: inout EventBatch) {
        reportGarbage(time: time, into: &batch)
        if options.stxEtx {
            if inFrame {
                problem(.truncated, at: frameStart, length: frame.count + 1, message: "frame cut off before ETX", time: time, into: &batch)
            }
            inFrame = false; frame.removeAll(keepingCapacity: true)
        } else if let (at, length) = splitter.pending {
            problem(.truncated, at: at, length: length, message: "\(length) bytes without a line terminator dropped", time: time, into: &batch)
        }
        splitter.reset()
        watch.reset(at: offset)
    }

    public func feedbackPlan(_ outcome: FeedbackOutcome) -> FeedbackPlan? {
        // Serial scanners have vendor-specific beep commands (the profiles in
        // FeedbackProfiles.swift); BEL is the one most accept in serial/CDC
        // mode, so the default tells outcomes apart by how many BELs and how
        // far apart.
        FeedbackProfile.generic.plans[outcome]
    }

    public func configurationWarnings(serial: SerialSettings?) -> [String] { [] }
}

@inline(__always)
func hex2(_ b: UInt8) -> String {
    let digits = Array("0123456789ABCDEF".utf8)
    return String(decoding: [digits[Int(b >> 4)], digits[Int(b & 0xF)]], as: UTF8.self)
}

extension LineDriver {
    /// `line` in the registry: serial scanners; framing and prefix options.
    public static let entry = DriverEntry(name: "line", transport: .serial, options: [
        DriverOption("stx-etx") { (o, _) throws(DeviceError) in o.line.stxEtx = true },
        DriverOption("strip-prefix", syntax: "strip-prefix=HEX") { (o, v) throws(DeviceError) in o.line.stripPrefix = try DriverOptions.hexBytes("strip-prefix", v) },
        DriverOption("strip-suffix", syntax: "strip-suffix=HEX") { (o, v) throws(DeviceError) in o.line.stripSuffix = try DriverOptions.hexBytes("strip-suffix", v) },
        DriverOption("terminators", syntax: "terminators=HEX") { (o, v) throws(DeviceError) in o.line.terminators = try DriverOptions.hexBytes("terminators", v) },
        DriverOption("max-line", syntax: "max-line=N") { (o, v) throws(DeviceError) in o.line.maxLength = try DriverOptions.positive("max-line", v) },
    ]) { LineDriver(options: $0) }
}
