import Foundation

/// Finding a USB serial device by the names udev gives it in
/// /dev/serial/by-id, for when libserialport's listing (which reads
/// /sys/class/tty) does not show it: a pseudo-terminal standing in for a
/// scanner in tests, a container with /dev but no /sys, an adapter whose
/// driver sysfs does not describe. udev's 60-serial.rules name each link
/// `usb-$ID_SERIAL-if$ID_USB_INTERFACE_NUM[-port$N]`, where ID_SERIAL is
/// `$ID_VENDOR_$ID_MODEL_$ID_SERIAL_SHORT` with spaces and unsafe characters
/// replaced by `_` (Honeywell's 1900 with serial 12345678:
/// `usb-Honeywell_Imaging___Mobility_1900_12345678-if00`). The name holds
/// the serial number but not the vendor and product IDs, so only a selector
/// with +SERIAL is matched this way, and a link whose target libserialport
/// does know must also have the configured IDs.
extension SerialPorts {
    /// Where the by-id links are. `SCANLEDGER_SERIAL_BY_ID` points elsewhere:
    /// for tests and for systems whose udev puts them somewhere else.
    public static var byIDDirectory: String {
        ProcessInfo.processInfo.environment["SCANLEDGER_SERIAL_BY_ID"] ?? "/dev/serial/by-id"
    }

    /// The device path `selector` names now: libserialport's listing first,
    /// then the by-id links. Called at every (re)connect, so a scanner that
    /// came back under another tty name is found there.
    public static func resolve(_ selector: PortSelector, byIDDirectory: String = byIDDirectory) throws(DeviceError) -> String {
        guard case .usb(let vendor, let product, let serial) = selector else { return try selector.resolve(in: []) }
        let ports = try list(byIDDirectory: byIDDirectory)
        do {
            return try selector.resolve(in: ports)
        } catch .notFound(let what) {
            guard let serial else { throw .notFound(what) }
            let known = Dictionary(ports.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
            let targets = Set(byIDLinks(in: byIDDirectory).compactMap { target, links -> String? in
                guard links.contains(where: { byIDName(($0 as NSString).lastPathComponent, hasSerial: serial) }) else { return nil }
                // A target libserialport describes must be the configured product too.
                if let port = known[target], let v = port.usbVendorID, let p = port.usbProductID, v != vendor || p != product { return nil }
                return target
            })
            guard let target = targets.min() else {
                throw .notFound(what + " (nor does any link in \(byIDDirectory) end in _\(udevSafe(serial))-ifNN)")
            }
            if targets.count > 1 {
                throw .configuration("\(selector) matches \(targets.count) links in \(byIDDirectory) (\(targets.sorted().joined(separator: ", "))): serial numbers must be unique")
            }
            return target
        }
    }

    /// True when a by-id link name is udev's name for a USB serial interface
    /// whose serial number (ID_SERIAL_SHORT, the last `_` field) is `serial`.
    static func byIDName(_ name: String, hasSerial serial: String) -> Bool {
        guard name.hasPrefix("usb-"), let range = name.range(of: "-if", options: .backwards) else { return false }
        let idSerial = name[name.index(name.startIndex, offsetBy: 4)..<range.lowerBound]
        return idSerial.hasSuffix("_" + udevSafe(serial))
    }

    /// A string as udev writes it into a link name: whitespace and characters
    /// outside `0-9A-Za-z#+-.:=@_` become `_` (udev_replace_whitespace and
    /// udev_replace_chars; multibyte UTF-8 is kept).
    static func udevSafe(_ s: String) -> String {
        let allowed = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#+-.:=@_".unicodeScalars)
        return String(String.UnicodeScalarView(s.unicodeScalars.map { allowed.contains($0) || $0.value > 0x7F ? $0 : "_" }))
    }
}

extension DeviceConfig {
    /// udev's by-id link to the device a plain path (`/dev/ttyUSB0`) names
    /// now, if there is one. A replugged adapter may come back as ttyUSB1,
    /// and ttyUSB0 may go to another device; the link follows the device.
    func plainPathLink() -> String? {
        guard case .path(let path) = port, !path.hasPrefix(serialByIDDirectory + "/"),
              let target = resolvedPath(path), let links = SerialPorts.byIDLinks(in: serialByIDDirectory)[target] else { return nil }
        return links.first { ($0 as NSString).lastPathComponent.hasPrefix("usb-") } ?? links.first
    }

    /// This configuration opened through `link` instead of its own path.
    /// When the link is gone the device is not there: the open fails (and
    /// is retried) rather than taking whatever holds the old name.
    func following(_ link: String?) -> DeviceConfig {
        guard let link else { return self }
        var config = self
        config.port = .path(link)
        return config
    }
}
