import ScanModel

/// `hidpos` in the driver registry: a byte stream of fixed-size HID POS
/// interrupt-IN reports (64 bytes unless `report-size=N`), as a transport
/// delivers them one after another, in the common event vocabulary. Scans
/// keep their AIM identifier; the vendor symbology byte is not printed.
public final class HIDPOSDriver: ListenOnlyDriver {
    public let name = "hidpos"
    private var decoder: HIDPOSDecoder
    private var lastSeen: Microseconds? = nil
    private let plans: [FeedbackOutcome: FeedbackPlan]

    public init(options: DriverOptions = DriverOptions()) {
        decoder = HIDPOSDecoder(device: options.device, reportSize: max(6, options.hidposReportSize))
        plans = options.hidposReportDescriptor.map(Self.plans(descriptor:)) ?? Self.documentedPlans
    }

    /// The plans for the documented output report, worked out once: most
    /// devices use it, and reading a descriptor per instance was a quarter
    /// of the fuzz target's time.
    private static let documentedPlans = plans(descriptor: HIDPOSFeedback.documentedOutputReport)

    private static func plans(descriptor: [UInt8]) -> [FeedbackOutcome: FeedbackPlan] {
        let reports = HIDReportDescriptor.outputReports(descriptor)
        var plans: [FeedbackOutcome: FeedbackPlan] = [:]
        for outcome in FeedbackOutcome.allCases { plans[outcome] = HIDPOSFeedback.plan(for: outcome, reports: reports) }
        return plans
    }

    /// Output reports built from the report descriptor (`HIDPOSFeedback`);
    /// the transport sends them on the interrupt-OUT endpoint or as SET_REPORT.
    public func feedbackPlan(_ outcome: FeedbackOutcome) -> FeedbackPlan? { plans[outcome] }

    public var counters: DriverCounters {
        let c = decoder.counters
        return DriverCounters(bytes: c.bytes, frames: c.reports, scans: c.scans, errors: c.errors, lastSeen: lastSeen)
    }

    public func feed(_ bytes: UnsafeRawBufferPointer, time: Microseconds, into batch: inout EventBatch) {
        lastSeen = time
        decoder.feed(stream: bytes, time: time, into: &batch)
    }

    public func flush(time: Microseconds, into batch: inout EventBatch) {
        decoder.finish(time: time, into: &batch)
    }
}

extension HIDPOSDriver {
    /// `hidpos` in the registry: USB HID POS scanners through libusb.
    public static let entry = DriverEntry(name: "hidpos", transport: .hidpos, options: [
        DriverOption("report-size", syntax: "report-size=N") { (o, v) throws(DeviceError) in o.hidposReportSize = try DriverOptions.positive("report-size", v) },
        DriverOption("report-descriptor", syntax: "report-descriptor=HEX") { (o, v) throws(DeviceError) in o.hidposReportDescriptor = try DriverOptions.hexBytes("report-descriptor", v) },
    ]) { HIDPOSDriver(options: $0) }
}
