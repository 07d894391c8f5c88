import Foundation

/// The header `scanledger capture` writes for each kind of device, with the
/// keys and wording of docs/capture-format.md and the logs in
/// Tests/Captures, so `scanledger replay` (and the capture tests) treat a
/// recorded log like a built one. LLRP's is `LLRPCapture.header`.
public enum CaptureHeaders {
    /// What the person capturing told us, shared by every kind of device.
    public struct Given: Sendable {
        public var name: String?
        public var firmware: String
        public var driver: String?
        /// Driver option words (`layout=de`, `report-size=32`, …), as given.
        public var options: String
        /// When the capture started (ISO 8601).
        public var date: String
        public init(name: String? = nil, firmware: String = "unknown", driver: String? = nil, options: String = "", date: String) {
            self.name = name; self.firmware = firmware; self.driver = driver; self.options = options; self.date = date
        }
    }

    /// A serial line (USB CDC-ACM, RS-232, Bluetooth rfcomm).
    public static func serial(path: String, info: SerialPortInfo?, settings: SerialSettings, _ given: Given) -> [(key: String, value: String)] {
        let made = [info?.manufacturer, info?.product].compactMap { $0 }.joined(separator: " ")
        return [
            ("Name", given.name ?? (made.isEmpty ? path : made)),
            ("Interface", info.map { $0.transport == "usb" ? "serial (USB)" : "serial (\($0.transport))" } ?? "serial (\(path))"),
            ("VID-PID", info?.vidPid ?? "none"),
            ("Firmware", given.firmware),
            ("Serial", settings.description),
            ("Source", "recorded on hardware from \(path) by scanledger capture at \(given.date)"),
        ] + trailer(given)
    }

    /// A keyboard-wedge scanner read from its evdev node. Name and USB IDs
    /// come from sysfs when the node has them.
    public static func evdev(path: String, _ given: Given, sysfs: String = "/sys") -> [(key: String, value: String)] {
        let node = URL(fileURLWithPath: path).resolvingSymlinksInPath().lastPathComponent
        let device = "\(sysfs)/class/input/\(node)/device"
        func attribute(_ name: String) -> String? {
            guard let text = try? String(contentsOfFile: "\(device)/\(name)", encoding: .utf8) else { return nil }
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return t.isEmpty ? nil : t
        }
        var vidPid = "none"
        if let v = attribute("id/vendor"), let p = attribute("id/product") { vidPid = "\(v.lowercased()):\(p.lowercased())" }
        return [
            ("Name", given.name ?? attribute("name") ?? path),
            ("Interface", "evdev keyboard (struct input_event, \(EvdevDecoder.recordSize) bytes, \(machine))"),
            ("VID-PID", vidPid),
            ("Firmware", given.firmware),
            ("Serial", "n/a"),
            ("Source", "recorded on hardware from \(path) by scanledger capture at \(given.date)"),
        ] + trailer(given)
    }

    /// A USB HID POS scanner (usage page 0x8C) read through libusb.
    public static func hidpos(vendor: UInt16, product: UInt16, reportSize: Int, _ given: Given) -> [(key: String, value: String)] {
        let ids = String(format: "%04x:%04x", vendor, product)
        return [
            ("Name", given.name ?? "HID POS \(ids)"),
            ("Interface", "USB HID POS (usage page 0x8C), interrupt IN, \(reportSize)-byte reports"),
            ("VID-PID", ids),
            ("Firmware", given.firmware),
            ("Serial", "n/a"),
            ("Source", "recorded on hardware from usb:\(ids) by scanledger capture at \(given.date)"),
        ] + trailer(given)
    }

    private static func trailer(_ given: Given) -> [(key: String, value: String)] {
        let words = given.options.split(separator: " ").joined(separator: " ")
        return (given.driver.map { [("Driver", $0)] } ?? []) + (words.isEmpty ? [] : [("Options", words)])
    }

    /// `x86-64`, `aarch64`, …: the input_event layout depends on it.
    static var machine: String {
        var u = utsname()
        guard uname(&u) == 0 else { return "unknown architecture" }
        let m = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return m == "x86_64" ? "x86-64" : m
    }
}
