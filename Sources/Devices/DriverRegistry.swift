import ScanModel

/// How a driver's devices are reached; picks the runner's opener.
public enum TransportKind: String, Sendable {
    /// A tty: libserialport for real ports, termios for ptys and virtual ports.
    case serial
    /// A grabbed evdev keyboard node (keyboard-wedge scanners).
    case evdev
    /// A USB HID POS interface through libusb.
    case hidpos
    /// A TCP connection to `host:port` (LLRP readers).
    case tcp

    /// The opener `DeviceRunner` uses for this kind of device.
    public var opener: DeviceRunner.Opener {
        switch self {
        case .serial: return DeviceRunner.openSerial
        case .evdev: return EvdevTransport.opener
        case .hidpos: return HIDPOSTransport.opener
        case .tcp: return TCPTransport.opener
        }
    }
}

/// One option word a driver takes (`layout=de`, `stx-etx`): its key, how it
/// is written (for error messages), and what it sets. `value` is nil for a
/// bare word.
public struct DriverOption: Sendable {
    public typealias Apply = @Sendable (inout DriverOptions, _ value: String?) throws(DeviceError) -> Void
    public let key: String
    public let syntax: String
    let apply: Apply

    public init(_ key: String, syntax: String? = nil, apply: @escaping Apply) {
        self.key = key
        self.syntax = syntax ?? key
        self.apply = apply
    }
}

/// A driver's line in the registry, gpsd's method table: its name in
/// configs, how its devices are reached, the options it takes and how to
/// make one. Each driver's file declares its own `entry`.
public struct DriverEntry: Sendable {
    public typealias Factory = @Sendable (DriverOptions) -> any DeviceDriver
    /// Parses a whole option text into `options` (the default: word by word
    /// through `options`; LLRP parses its words as a set).
    public typealias Parser = @Sendable (_ text: String, _ options: inout DriverOptions) throws(DeviceError) -> Void

    public let name: String
    public let transport: TransportKind
    public let options: [DriverOption]
    public let make: Factory
    let parser: Parser?

    public init(name: String, transport: TransportKind, options: [DriverOption], parser: Parser? = nil, make: @escaping Factory) {
        self.name = name; self.transport = transport; self.options = options; self.parser = parser; self.make = make
    }

    /// `preset, antennas, …` for messages.
    public var knownOptions: String { options.isEmpty ? "none" : options.map(\.syntax).joined(separator: ", ") }

    /// Applies `text` (space-separated words) to `options`; a word this
    /// driver does not know is an error naming it and the driver.
    public func parse(_ text: String, into options: inout DriverOptions) throws(DeviceError) {
        if let parser { return try parser(text, &options) }
        for (key, value) in DriverOptions.words(text) {
            guard let option = self.options.first(where: { $0.key == key }) else {
                throw .configuration("unknown option '\(key)' for driver \(name) (known: \(knownOptions))")
            }
            try option.apply(&options, value)
        }
    }
}

/// Every driver, by the name used in configuration and `replay --driver`.
/// Adding a driver is one file declaring its `entry` and one line here.
public enum DriverRegistry {
    public static let entries: [DriverEntry] = [
        LineDriver.entry, MercuryDriver.entry, TSLDriver.entry, HIDPOSDriver.entry, EvdevDriver.entry, LLRPDriver.entry,
        SSIDriver.entry,
    ]

    public static var names: [String] { entries.map(\.name) }

    public static func entry(_ name: String) -> DriverEntry? { entries.first { $0.name == name } }

    /// A new driver instance, or nil for an unknown name.
    public static func make(_ name: String, options: DriverOptions = DriverOptions()) -> (any DeviceDriver)? {
        entry(name)?.make(options)
    }
}

extension DriverOptions {
    /// Parses the option words of `driver` (`stx-etx max-line=512`,
    /// `layout=de`, `keepalive=2000`). An unknown driver, an option the driver
    /// does not take, or a bad value is an error naming it.
    public init(parsing text: String, driver: String, device: DeviceIndex = DeviceIndex(0)) throws(DeviceError) {
        self.init(device: device)
        guard let entry = DriverRegistry.entry(driver) else {
            throw .configuration("unknown driver '\(driver)' (known: \(DriverRegistry.names.joined(separator: ", ")))")
        }
        try entry.parse(text, into: &self)
    }

    /// Parses option words for whichever byte-stream driver takes them, for
    /// tools that read a capture log's `# Options:` line before they know the
    /// driver. A key several drivers take (`max-line`) is set for each.
    public init(parsing text: String, device: DeviceIndex = DeviceIndex(0)) throws(DeviceError) {
        self.init(device: device)
        let streamDrivers = DriverRegistry.entries.filter { $0.parser == nil }
        for (key, value) in DriverOptions.words(text) {
            let matching = streamDrivers.flatMap { $0.options.filter { $0.key == key } }
            guard !matching.isEmpty else {
                let known = streamDrivers.flatMap { $0.options.map(\.syntax) }
                throw .configuration("unknown driver option '\(key)' (known: \(known.joined(separator: ", ")))")
            }
            for option in matching { try option.apply(&self, value) }
        }
    }

    /// `KEY=VALUE` and bare words, in order.
    static func words(_ text: String) -> [(key: String, value: String?)] {
        text.split(separator: " ").map { word in
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : nil)
        }
    }

    /// `HEX` as bytes (`2A0D`), or an error naming the option.
    static func hexBytes(_ key: String, _ value: String?) throws(DeviceError) -> [UInt8] {
        guard let v = value, !v.isEmpty, v.count % 2 == 0 else { throw badValue(key, value, "an even number of hex digits") }
        var out: [UInt8] = []
        var i = v.startIndex
        while i < v.endIndex {
            let j = v.index(i, offsetBy: 2)
            guard let b = UInt8(v[i..<j], radix: 16) else { throw badValue(key, value, "hex digits") }
            out.append(b)
            i = j
        }
        return out
    }

    /// A positive whole number, or an error naming the option.
    static func positive(_ key: String, _ value: String?) throws(DeviceError) -> Int {
        guard let v = value, let n = Int(v), n > 0 else { throw badValue(key, value, "a positive number") }
        return n
    }

    static func badValue(_ key: String, _ value: String?, _ expected: String) -> DeviceError {
        .configuration("option \(key)\(value.map { "=\($0)" } ?? ""): expected \(expected)")
    }
}
