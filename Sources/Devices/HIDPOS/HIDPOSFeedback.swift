import ScanModel

/// Feedback on a HID POS scanner: output reports that switch on the usages
/// of the Bar Code Scanner page (0x8C) the scanner's report descriptor
/// declares, per outcome. Usage IDs from the HID Point of Sale Usage Tables
/// 1.02, user interface usages: Good Read LED 0x7D, Sound Error Beep 0x85,
/// Sound Good Read Beep 0x86, Sound Not On File Beep 0x87.
public enum HIDPOSFeedback {
    static let page = HIDReportDescriptor.barCodeScannerUsagePage << 16
    public static let goodReadLED = page | 0x7D
    public static let soundErrorBeep = page | 0x85
    public static let soundGoodReadBeep = page | 0x86
    public static let soundNotOnFileBeep = page | 0x87

    /// What to switch on for an outcome. `done` is the good-read signal
    /// (the plan repeats it); `warning` has its own beep only where the
    /// scanner declares "not on file".
    static func usages(for outcome: FeedbackOutcome) -> Set<UInt32> {
        switch outcome {
        case .good, .done: return [soundGoodReadBeep, goodReadLED]
        case .warning: return [soundNotOnFileBeep]
        case .error: return [soundErrorBeep]
        }
    }

    /// The output report (ID byte first; 0 when the descriptor uses no
    /// report IDs, and then not sent) that signals `outcome`, or nil when
    /// the descriptor declares no output usage for it. When the usages sit
    /// in several reports, the report of the first declared one is used.
    public static func outputReport(for outcome: FeedbackOutcome, descriptor: [UInt8]) -> [UInt8]? {
        outputReport(for: outcome, reports: HIDReportDescriptor.outputReports(descriptor))
    }

    public static func outputReport(for outcome: FeedbackOutcome, reports: HIDReportDescriptor.OutputReports) -> [UInt8]? {
        let wanted = usages(for: outcome)
        let fields = reports.fields.filter { wanted.contains($0.usage) }
        guard let id = fields.first?.reportID, let length = reports.lengths[id], length > 0 else { return nil }
        var data = [UInt8](repeating: 0, count: length)
        for f in fields where f.reportID == id && f.bitOffset / 8 < length {
            data[f.bitOffset / 8] |= 1 << UInt8(f.bitOffset % 8) // value 1: "on" / "sound it"
        }
        return [id] + data
    }

    /// Per-outcome plans told apart by count and spacing, as the line
    /// driver's BELs are:
    /// good once; done twice, 500 ms apart; warning its own beep, or the
    /// good signal twice 150 ms apart; error the error beep. Nil for an
    /// outcome the scanner cannot tell apart (no error beep: say nothing
    /// rather than something that sounds like success).
    public static func plan(for outcome: FeedbackOutcome, reports: HIDReportDescriptor.OutputReports) -> FeedbackPlan? {
        let good = outputReport(for: .good, reports: reports)
        switch outcome {
        case .good: return good.map { .bytes($0) }
        case .done: return good.map { .repeated($0, count: 2, gap: .milliseconds(500)) }
        case .warning:
            if let own = outputReport(for: .warning, reports: reports) { return .bytes(own) }
            return good.map { .repeated($0, count: 2, gap: .milliseconds(150)) }
        case .error: return outputReport(for: .error, reports: reports).map { .bytes($0) }
        }
    }

    /// The layout Honeywell's HID POS manual documents (and the umockdev
    /// fixtures declare): output report 4, bit 1 Prevent Read of Barcodes,
    /// bit 2 Initiate Barcode Read, bit 5 Sound Error Beep, bit 6 Sound Good
    /// Read Beep. The driver plans with it unless the device configuration
    /// gives the scanner's own descriptor (`report-descriptor=HEX`).
    public static let documentedOutputReport: [UInt8] = [
        0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01, 0x09, 0x14, 0xA1, 0x02, 0x85, 0x04,
        0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x91, 0x01,
        0x09, 0x5F, 0x09, 0x60, 0x95, 0x02, 0x91, 0x02, 0x95, 0x02, 0x91, 0x01,
        0x09, 0x85, 0x09, 0x86, 0x95, 0x02, 0x91, 0x02, 0x95, 0x01, 0x91, 0x01, 0xC0, 0xC0,
    ]
}
