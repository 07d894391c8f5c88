import ScanModel

/// USB HID Point-of-Sale barcode scanner reports (usage page 0x8C), input
/// report ID 2, as Zebra, Honeywell and Datalogic send them (64 bytes):
///
///     [0] report ID 0x02
///     [1] data length in this report (0…56, AIM identifier not counted)
///     [2…4] AIM symbology identifier (`]` + code + modifier; zeros when disabled)
///     [5…60] data (56 bytes, only `length` of them meaningful)
///     [61] vendor symbology byte (Honeywell Code ID, Zebra symbology code)
///     [62] reserved
///     [63] bit 0: more data follows in the next report
///
/// Codes longer than 56 bytes (GS1 DataMatrix, QR) span several reports; the
/// decoder joins them and emits one `Scan` with the AIM prefix kept in front
/// (its symbology is `GS1.AIMIdentifier.split(scan.data)`), straight into the
/// caller's sink in the common vocabulary, as the evdev decoder does. The
/// vendor symbology byte is not kept: nothing downstream reads it, and the
/// AIM identifier names the symbology in the standard's words.
public struct HIDPOSDecoder: Sendable {
    public static let scannedDataReportID: UInt8 = 0x02
    public static let maxDataPerReport = 56
    public static let reportSize = 64

    public var counters = HIDPOSCounters()
    public var device: DeviceIndex
    /// Longest scan accepted; a "more data" chain beyond it is dropped as broken.
    public var maxScanLength: Int
    /// Bytes per report in a stream (`feed(stream:)`); a problem's offset is
    /// its report index times this.
    public var reportSize: Int

    var assembling: [UInt8] = []
    var inScan = false
    /// After a broken report with "more data" set, its continuation reports
    /// are dropped too, so a tail is never emitted as a scan of its own.
    var skippingContinuation = false
    var streamBuffer: [UInt8] = []
    var reportIndex = 0
    /// When the report being decoded arrived: the time of its scan or problem.
    var arrival = Microseconds.zero

    public init(device: DeviceIndex = DeviceIndex(0), maxScanLength: Int = 8192, reportSize: Int = HIDPOSDecoder.reportSize) {
        self.device = device
        self.maxScanLength = maxScanLength
        self.reportSize = reportSize
    }

    public mutating func reset() {
        assembling.removeAll(keepingCapacity: true)
        inScan = false
        skippingContinuation = false
        streamBuffer.removeAll(keepingCapacity: true)
    }

    /// One interrupt-IN transfer (a whole report, report ID first).
    public mutating func feed<S: DeviceEventSink>(report r: UnsafeRawBufferPointer, time: Microseconds, into sink: inout S) {
        let index = reportIndex
        reportIndex &+= 1
        arrival = time
        counters.reports &+= 1
        counters.bytes &+= r.count
        guard let id = r.first else { return error(.shortReport, report: index, detail: 0, into: &sink) }
        guard id == HIDPOSDecoder.scannedDataReportID else {
            counters.otherReports &+= 1 // trigger, status and vendor reports: not scans
            return
        }
        guard r.count >= 6 else { return error(.shortReport, report: index, detail: r.count, into: &sink) }
        let length = Int(r[1])
        let more = r[r.count - 1] & 0x01 != 0
        if skippingContinuation {
            skippingContinuation = more
            counters.droppedContinuations &+= 1
            return
        }
        // The length byte can never exceed the 56 data bytes nor what arrived.
        guard length <= HIDPOSDecoder.maxDataPerReport, 5 + length <= r.count - 1 else {
            abandonScan()
            skippingContinuation = more
            return error(.impossibleLength, report: index, detail: length, into: &sink)
        }
        if !inScan {
            inScan = true
            assembling.removeAll(keepingCapacity: true)
            // AIM identifier in front of the data when the scanner sent one.
            if r[2] == UInt8(ascii: "]") { assembling.append(r[2]); assembling.append(r[3]); assembling.append(r[4]) }
        }
        guard assembling.count + length <= maxScanLength else {
            abandonScan()
            skippingContinuation = more
            return error(.scanTooLong, report: index, detail: maxScanLength, into: &sink)
        }
        assembling.append(contentsOf: UnsafeRawBufferPointer(rebasing: r[5..<(5 + length)]))
        if more { counters.continuations &+= 1; return }
        inScan = false
        counters.scans &+= 1
        sink.receive(.scan(Scan(data: assembling, device: device, time: time)))
    }

    public mutating func feed<S: DeviceEventSink>(report: [UInt8], time: Microseconds, into sink: inout S) {
        report.withUnsafeBytes { feed(report: $0, time: time, into: &sink) }
    }

    /// Replay of a raw stream of fixed-size reports in any split.
    public mutating func feed<C: Collection<UInt8>, S: DeviceEventSink>(stream bytes: C, time: Microseconds, into sink: inout S) {
        let size = max(1, reportSize)
        for b in bytes {
            streamBuffer.append(b)
            if streamBuffer.count == size {
                let report = streamBuffer
                streamBuffer.removeAll(keepingCapacity: true)
                feed(report: report, time: time, into: &sink)
            }
        }
    }

    /// The device went away (or the stream ended) mid-scan.
    public mutating func finish<S: DeviceEventSink>(time: Microseconds, into sink: inout S) {
        arrival = time
        if inScan { error(.unfinishedScan, report: reportIndex, detail: assembling.count, into: &sink) }
        if !streamBuffer.isEmpty { error(.shortReport, report: reportIndex, detail: streamBuffer.count, into: &sink) }
        reset()
    }

    mutating func abandonScan() {
        inScan = false
        assembling.removeAll(keepingCapacity: true)
    }

    mutating func error<S: DeviceEventSink>(_ kind: HIDPOSError.Kind, report: Int, detail: Int, into sink: inout S) {
        counters.errors[kind, default: 0] += 1
        let error = HIDPOSError(kind: kind, report: report, detail: detail)
        // A short or unfinished read covers the bytes that came; a bad report, the whole report.
        let length = kind == .shortReport || kind == .unfinishedScan ? detail : reportSize
        sink.receive(.problem(DeviceProblem(kind: kind.problemKind, offset: Int64(report) &* Int64(reportSize), length: length,
                                            message: error.description, time: arrival)))
    }
}

public struct HIDPOSError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, DecoderErrorKind {
        case shortReport, impossibleLength, scanTooLong, unfinishedScan

        public var problemKind: DeviceProblem.Kind {
            switch self {
            case .shortReport, .unfinishedScan: return .truncated
            case .impossibleLength: return .badLength
            case .scanTooLong: return .lineTooLong
            }
        }
    }
    public var kind: Kind
    /// 0-based index of the report since the device was opened.
    public var report: Int
    public var detail: Int
    public var description: String {
        switch kind {
        case .shortReport: return "HID POS: report \(report) is only \(detail) bytes long"
        case .impossibleLength: return "HID POS: report \(report) claims \(detail) data bytes (at most 56 fit); scan dropped"
        case .scanTooLong: return "HID POS: scan at report \(report) exceeds \(detail) bytes; dropped"
        case .unfinishedScan: return "HID POS: device stopped after \(detail) bytes of a multi-report scan (report \(report))"
        }
    }
}

public struct HIDPOSCounters: Hashable, Sendable {
    public var bytes = 0
    public var reports = 0
    public var scans = 0
    public var continuations = 0
    public var otherReports = 0
    /// Continuation reports dropped after a broken report in the same scan.
    public var droppedContinuations = 0
    public var errors: [HIDPOSError.Kind: Int] = [:]
    public init() {}
}
