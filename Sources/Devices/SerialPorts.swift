#if canImport(Glibc)
import Glibc
#endif
import Foundation
import CLibSerialPort

/// A serial port as the system lists it, with USB metadata when it is a USB
/// device, so configuration can name a scanner by VID:PID and serial number
/// instead of a ttyUSB number that changes after a replug.
public struct SerialPortInfo: Sendable, Equatable {
    public var path: String
    public var description: String?
    /// "usb", "native" or "bluetooth".
    public var transport: String
    public var usbVendorID: UInt16?
    public var usbProductID: UInt16?
    public var serialNumber: String?
    public var manufacturer: String?
    public var product: String?
    /// `/dev/serial/by-id/…` links that point at this port.
    public var byIDLinks: [String]

    public init(path: String, description: String? = nil, transport: String = "native",
                usbVendorID: UInt16? = nil, usbProductID: UInt16? = nil, serialNumber: String? = nil,
                manufacturer: String? = nil, product: String? = nil, byIDLinks: [String] = []) {
        self.path = path; self.description = description; self.transport = transport
        self.usbVendorID = usbVendorID; self.usbProductID = usbProductID; self.serialNumber = serialNumber
        self.manufacturer = manufacturer; self.product = product; self.byIDLinks = byIDLinks
    }

    /// "0c2e:0b61", or nil for a non-USB port.
    public var vidPid: String? {
        guard let v = usbVendorID, let p = usbProductID else { return nil }
        return hex4(v) + ":" + hex4(p)
    }
}

func hex4(_ v: UInt16) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 4 - s.count) + s
}

public enum SerialPorts {
    /// Every serial port libserialport finds (it reads /sys/class/tty).
    public static func list(byIDDirectory: String = byIDDirectory) throws(DeviceError) -> [SerialPortInfo] {
        var list: UnsafeMutablePointer<OpaquePointer?>? = nil
        guard sp_list_ports(&list) == SP_OK, let list else {
            throw DeviceError.serialPort(call: "sp_list_ports", port: "*", message: lastMessage())
        }
        defer { sp_free_port_list(list) }
        let links = byIDLinks(in: byIDDirectory)
        var out: [SerialPortInfo] = []
        var i = 0
        while let port = list[i] {
            out.append(info(port, links: links))
            i += 1
        }
        return out.sorted { $0.path < $1.path }
    }

    static func info(_ port: OpaquePointer, links: [String: [String]]) -> SerialPortInfo {
        let path = string(sp_get_port_name(port)) ?? "?"
        var info = SerialPortInfo(path: path, description: string(sp_get_port_description(port)))
        switch sp_get_port_transport(port) {
        case SP_TRANSPORT_USB: info.transport = "usb"
        case SP_TRANSPORT_BLUETOOTH: info.transport = "bluetooth"
        default: info.transport = "native"
        }
        var vid: Int32 = 0, pid: Int32 = 0
        if info.transport == "usb", sp_get_port_usb_vid_pid(port, &vid, &pid) == SP_OK {
            info.usbVendorID = UInt16(truncatingIfNeeded: vid)
            info.usbProductID = UInt16(truncatingIfNeeded: pid)
            info.serialNumber = string(sp_get_port_usb_serial(port))
            info.manufacturer = string(sp_get_port_usb_manufacturer(port))
            info.product = string(sp_get_port_usb_product(port))
        }
        info.byIDLinks = links[path] ?? []
        return info
    }

    /// Map from real device path to the by-id links that resolve to it.
    static func byIDLinks(in directory: String) -> [String: [String]] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [:] }
        var map: [String: [String]] = [:]
        for name in names.sorted() {
            let link = directory + "/" + name
            if let target = resolvedPath(link) { map[target, default: []].append(link) }
        }
        return map
    }

    static func string(_ p: UnsafeMutablePointer<CChar>?) -> String? {
        guard let p else { return nil }
        let s = String(cString: p)
        return s.isEmpty ? nil : s
    }

    static func lastMessage() -> String {
        guard let m = sp_last_error_message() else { return "unknown libserialport error" }
        defer { sp_free_error_message(m) }
        return String(cString: m)
    }
}

/// The real path behind a symlink (by-id links, test links to ptys).
func resolvedPath(_ path: String) -> String? {
    guard let r = realpath(path, nil) else { return nil }
    defer { free(r) }
    return String(cString: r)
}

/// How configuration names a port. Resolved again at every (re)connect so a
/// replugged scanner that came back as another ttyUSB is found.
public enum PortSelector: Sendable, Equatable, CustomStringConvertible {
    /// A device path or a symlink to one (`/dev/serial/by-id/…`, `/dev/pts/3`).
    case path(String)
    /// The USB device with this vendor and product ID, and serial number if given.
    case usb(vendor: UInt16, product: UInt16, serial: String?)
    /// A network device (LLRP reader) at `host:port`.
    case network(host: String, port: UInt16)

    /// `usb:VVVV:PPPP`, `usb:VVVV:PPPP+SERIAL`, or a path.
    public init(parsing text: String) throws(DeviceError) {
        guard text.hasPrefix("usb:") else {
            guard text.hasPrefix("/") else {
                throw DeviceError.configuration("port '\(text)': expected an absolute path or usb:VID:PID[+SERIAL] (hex IDs, e.g. usb:0c2e:0b61+A1B2)")
            }
            self = .path(text)
            return
        }
        let rest = text.dropFirst(4)
        let (ids, serial): (Substring, String?) = {
            if let plus = rest.firstIndex(of: "+") { return (rest[..<plus], String(rest[rest.index(after: plus)...])) }
            return (rest, nil)
        }()
        let parts = ids.split(separator: ":")
        guard parts.count == 2, parts.allSatisfy({ $0.count == 4 }),
              let v = UInt16(parts[0], radix: 16), let p = UInt16(parts[1], radix: 16) else {
            throw DeviceError.configuration("port '\(text)': USB IDs must be four hex digits each, as in usb:0c2e:0b61")
        }
        self = .usb(vendor: v, product: p, serial: serial?.isEmpty == true ? nil : serial)
    }

    public var description: String {
        switch self {
        case .path(let p): return p
        case .usb(let v, let p, let s): return "usb:\(hex4(v)):\(hex4(p))" + (s.map { "+" + $0 } ?? "")
        case .network(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    /// The port among `ports` this selector names. Paths are returned as
    /// their real target so logs show what was opened.
    public func resolve(in ports: [SerialPortInfo]) throws(DeviceError) -> String {
        switch self {
        case .path(let p):
            return resolvedPath(p) ?? p
        case .usb(let v, let p, let serial):
            let matches = ports.filter { $0.usbVendorID == v && $0.usbProductID == p && (serial == nil || $0.serialNumber == serial) }
            guard let first = matches.first else { throw DeviceError.notFound(description) }
            if matches.count > 1 && serial == nil {
                let serials = matches.map { $0.serialNumber ?? "?" }.joined(separator: ", ")
                throw DeviceError.configuration("\(description) matches \(matches.count) ports (serial numbers \(serials)); add +SERIAL to choose one")
            }
            return first.path
        case .network:
            throw DeviceError.configuration("\(description) is a network address, not a serial port")
        }
    }
}
