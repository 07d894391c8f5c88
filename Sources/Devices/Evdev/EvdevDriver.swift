import ScanModel

/// `evdev` in the driver registry: a stream of 24-byte `struct input_event`
/// records from a keyboard-wedge scanner, in the common event vocabulary.
/// Scans carry the kernel's time stamp of their terminating key; problems
/// carry the time the bytes arrived. Layout and GS substitute come from
/// `layout=` and `gs-substitute=` options.
public final class EvdevDriver: ListenOnlyDriver {
    public let name = "evdev"
    private var decoder: EvdevDecoder
    private var lastSeen: Microseconds? = nil

    public init(options: DriverOptions = DriverOptions()) {
        decoder = EvdevDecoder(options: options.evdev, device: options.device)
    }

    public var counters: DriverCounters {
        let c = decoder.counters
        return DriverCounters(bytes: c.bytes, frames: c.records, scans: c.scans, errors: c.errors, lastSeen: lastSeen)
    }

    public func feed(_ bytes: UnsafeRawBufferPointer, time: Microseconds, into batch: inout EventBatch) {
        lastSeen = time
        decoder.feed(bytes, time: time, into: &batch)
    }

    public func flush(time: Microseconds, into batch: inout EventBatch) {
        decoder.finish(time: time, into: &batch)
    }
}

extension EvdevDriver {
    /// `evdev` in the registry: keyboard-wedge scanners on an event node.
    public static let entry = DriverEntry(name: "evdev", transport: .evdev, options: [
        DriverOption("layout", syntax: "layout=us|de|fr") { (o, v) throws(DeviceError) in
            guard let layout = v.flatMap(EvdevLayout.named) else { throw DriverOptions.badValue("layout", v, "us, de or fr") }
            o.evdev.layout = layout
        },
        DriverOption("gs-substitute", syntax: "gs-substitute=HEX") { (o, v) throws(DeviceError) in
            let b = try DriverOptions.hexBytes("gs-substitute", v)
            guard b.count == 1 else { throw DriverOptions.badValue("gs-substitute", v, "one byte in hex, such as 7C") }
            o.evdev.gsSubstitute = b[0]
        },
    ]) { EvdevDriver(options: $0) }
}
