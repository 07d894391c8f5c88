/// Every driver, by the name used in configuration and `replay --driver`.
public enum DriverRegistry {
    public typealias Factory = @Sendable (DriverOptions) -> any DeviceDriver

    public static let factories: [(name: String, make: Factory)] = [
        ("line", { LineDriver(options: $0) }),
        ("mercury", { MercuryDriver(options: $0) }),
        ("tsl", { TSLDriver(options: $0) }),
        ("hidpos", { HIDPOSDriver(options: $0) }),
        ("evdev", { EvdevDriver(options: $0) }),
        ("llrp", { LLRPDriver(options: $0) }),
    ]

    public static var names: [String] { factories.map(\.name) }

    /// A new driver instance, or nil for an unknown name.
    public static func make(_ name: String, options: DriverOptions = DriverOptions()) -> (any DeviceDriver)? {
        factories.first(where: { $0.name == name })?.make(options)
    }
}
