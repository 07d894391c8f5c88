import ScanModel

/// `hidpos` in the driver registry: a byte stream of fixed-size HID POS
/// interrupt-IN reports (64 bytes unless `report-size=N`), as a transport
/// delivers them one after another, in the common event vocabulary. Scans
/// keep their AIM identifier; the vendor symbology byte is not printed.
public final class HIDPOSDriver: ListenOnlyDriver {
    public let name = "hidpos"
    private var decoder: HIDPOSDecoder
    private var lastSeen: Microseconds? = nil

    public init(options: DriverOptions = DriverOptions()) {
        decoder = HIDPOSDecoder(device: options.device, reportSize: max(6, options.hidposReportSize))
    }

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
    ]) { HIDPOSDriver(options: $0) }
}
