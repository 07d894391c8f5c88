import ScanModel

/// One configured device: which driver, which port, line settings and how
/// patiently to reconnect.
public struct DeviceConfig: Sendable {
    public var name: DeviceID
    public var driver: String
    public var port: PortSelector
    public var serial: SerialSettings
    public var options: DriverOptions
    /// First wait after a failure; doubles up to `backoffMax`. A driver's
    /// options may ask for another schedule (LLRP's `reconnect-max`).
    public var backoffInitial: Microseconds = .milliseconds(500)
    public var backoffMax: Microseconds = .seconds(30)
    /// A connection that lasted this long was healthy: the next failure
    /// starts again from `backoffInitial`.
    public var healthyAfter: Microseconds = .seconds(30)
    /// How long one read waits when nothing happens. Feedback and stop wake
    /// the read at once (`ByteTransport.interrupt`), so this only paces idle
    /// work such as the silence check.
    public var pollMilliseconds: Int32 = 100
    /// Per-outcome feedback that replaces the driver's own (the `feedback`
    /// key of the device's configuration: a profile or explicit bytes).
    public var feedback: [FeedbackOutcome: FeedbackPlan] = [:]
    /// Where udev's by-id links are, to follow a device named by a plain
    /// path across replugs (`DeviceConfig.plainPathLink`, SerialByID.swift).
    public var serialByIDDirectory: String = SerialPorts.byIDDirectory

    public init(name: DeviceID, driver: String, port: PortSelector, serial: SerialSettings = SerialSettings(),
                options: DriverOptions = DriverOptions()) {
        self.name = name; self.driver = driver; self.port = port; self.serial = serial; self.options = options
        if let schedule = options.reconnect { backoffInitial = schedule.initial; backoffMax = schedule.maximum }
    }
}
