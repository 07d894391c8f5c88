import CLibUSB
import Foundation
import ScanModel

/// The narrow seam between the HID POS driver and USB. Production uses
/// `LibUSBHIDPOSPort`; tests feed recorded reports to `HIDPOSDecoder`
/// directly, because these machines have no USB bus (nothing above this
/// protocol needs one).
public protocol HIDPOSUSBPort: AnyObject, Sendable {
    /// Starts interrupt-IN reads; `onReport` runs on libusb's event thread
    /// with each report (report ID first). `onGone` runs once if the device
    /// disappears or the transfer fails for good.
    func start(onReport: @escaping @Sendable ([UInt8]) -> Void, onGone: @escaping @Sendable (String) -> Void) throws
    /// SET_REPORT(Feature): `report[0]` is the report ID.
    func sendFeatureReport(_ report: [UInt8]) throws
    /// An output report (`report[0]` is the report ID, 0 when the device
    /// uses none): on the interrupt-OUT endpoint when the interface has one,
    /// else SET_REPORT(Output) on the control pipe.
    func sendOutputReport(_ report: [UInt8]) throws
    /// Stops reads, releases the interface and re-attaches the kernel driver.
    func close()
}

/// Commands a driver sends after opening, per vendor.
public enum HIDPOSCommands {
    public static let honeywellVendorID: UInt16 = 0x0C2E
    /// Honeywell's feature report 0xFE ("redirect output") names the USB
    /// interface that gets the scans: 1 is the HID POS interface of the
    /// composite keyboard + HID POS model; a pure HID POS device may refuse it.
    public static let honeywellEnableScanning: [UInt8] = [0xFE, 0x01]

    public static func featureReportsAfterOpen(vendorID: UInt16) -> [[UInt8]] {
        vendorID == honeywellVendorID ? [honeywellEnableScanning] : []
    }
}

public struct HIDPOSUSBError: Error, CustomStringConvertible, Sendable {
    public var device: String
    public var call: String
    public var code: Int32
    public var description: String {
        let name = String(cString: libusb_error_name(code))
        let hint = code == Int32(LIBUSB_ERROR_ACCESS.rawValue) ? " (install the udev rule or run as a member of the scanner group)" : ""
        return "HID POS \(device): \(call) failed: \(name)\(hint)"
    }
}

/// libusb-1.0 implementation: open by VID:PID, detach the kernel's usbhid
/// driver, claim, read interrupt-IN asynchronously on a dedicated event
/// thread, and undo all of it on close.
///
/// `@unchecked Sendable`: `transferActive` is guarded by its `Locked`; the
/// libusb pointers are set up before the event thread starts and freed only
/// after it stopped (`events.stop` waits for it).
public final class LibUSBHIDPOSPort: HIDPOSUSBPort, @unchecked Sendable {
    public let vendorID: UInt16
    public let productID: UInt16
    /// Chosen from the active configuration when opening (`HIDPOSEndpoints.choose`).
    public private(set) var endpoints = HIDPOSEndpoints(interface: 0, input: 0x81, output: nil)
    /// Bytes per interrupt-IN transfer: one whole report. A larger buffer
    /// would make the host wait for more packets when a report fills its
    /// last one and join two reports in one transfer; a packet-sized buffer
    /// would split reports longer than a packet.
    public let reportSize: Int
    public var interfaceNumber: Int32 { Int32(endpoints.interface) }
    var context: OpaquePointer?
    var handle: OpaquePointer?
    var detachedKernelDriver = false
    var transfer: UnsafeMutablePointer<libusb_transfer>?
    var buffer: UnsafeMutablePointer<UInt8>?
    /// Until the transfer's last callback ran: the event thread outlives a
    /// stop request until then, so the cancelled transfer is reaped.
    let transferActive = Locked(false)
    let events: ServiceThread
    var onReport: (@Sendable ([UInt8]) -> Void)?
    var onGone: (@Sendable (String) -> Void)?

    var name: String { String(format: "%04x:%04x", vendorID, productID) }

    public init(vendorID: UInt16, productID: UInt16, reportSize: Int = HIDPOSDecoder.reportSize) throws {
        self.vendorID = vendorID
        self.productID = productID
        self.reportSize = max(1, reportSize)
        events = ServiceThread(name: String(format: "libusb-events-%04x:%04x", vendorID, productID))
        var ctx: OpaquePointer?
        let rc = libusb_init(&ctx)
        guard rc == 0 else { throw HIDPOSUSBError(device: String(format: "%04x:%04x", vendorID, productID), call: "libusb_init", code: rc) }
        context = ctx
        guard let h = libusb_open_device_with_vid_pid(ctx, vendorID, productID) else {
            libusb_exit(ctx); context = nil
            throw HIDPOSUSBError(device: String(format: "%04x:%04x", vendorID, productID), call: "open (device not found)",
                                 code: Int32(LIBUSB_ERROR_NO_DEVICE.rawValue))
        }
        handle = h
        guard let chosen = HIDPOSEndpoints.choose(Self.interfaces(of: libusb_get_device(h))) else {
            cleanup()
            throw HIDPOSUSBError(device: name, call: "find the HID POS interface (no non-boot HID interface with an interrupt-IN endpoint: is the scanner in HID POS mode?)",
                                 code: Int32(LIBUSB_ERROR_NOT_FOUND.rawValue))
        }
        endpoints = chosen
        if libusb_kernel_driver_active(h, interfaceNumber) == 1 {
            let d = libusb_detach_kernel_driver(h, interfaceNumber)
            guard d == 0 else { cleanup(); throw HIDPOSUSBError(device: name, call: "libusb_detach_kernel_driver", code: d) }
            detachedKernelDriver = true
        }
        let c = libusb_claim_interface(h, interfaceNumber)
        guard c == 0 else { cleanup(); throw HIDPOSUSBError(device: name, call: "libusb_claim_interface", code: c) }
    }

    deinit { close() }

    public func start(onReport: @escaping @Sendable ([UInt8]) -> Void, onGone: @escaping @Sendable (String) -> Void) throws {
        guard let h = handle, let t = libusb_alloc_transfer(0) else {
            throw HIDPOSUSBError(device: name, call: "libusb_alloc_transfer", code: Int32(LIBUSB_ERROR_NO_MEM.rawValue))
        }
        self.onReport = onReport
        self.onGone = onGone
        let size = reportSize
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        buffer = buf
        transfer = t
        libusb_fill_interrupt_transfer(t, h, endpoints.input, buf, Int32(size), hidposTransferCallback,
                                       Unmanaged.passUnretained(self).toOpaque(), 0)
        let rc = libusb_submit_transfer(t)
        guard rc == 0 else { throw HIDPOSUSBError(device: name, call: "libusb_submit_transfer", code: rc) }
        transferActive.swap(true)
        events.start { [self] thread in
            handleLibUSBEvents(context) { thread.shouldStop && !transferActive.snapshot }
        }
    }

    fileprivate func completed(_ t: UnsafeMutablePointer<libusb_transfer>) {
        let status = t.pointee.status
        if status == LIBUSB_TRANSFER_COMPLETED {
            let n = Int(t.pointee.actual_length)
            if let b = t.pointee.buffer, n > 0 { onReport?(Array(UnsafeBufferPointer(start: b, count: n))) }
            if !events.shouldStop && libusb_submit_transfer(t) == 0 { return }
        } else if status == LIBUSB_TRANSFER_TIMED_OUT {
            if libusb_submit_transfer(t) == 0 { return }
        } else if status != LIBUSB_TRANSFER_CANCELLED {
            onGone?(status == LIBUSB_TRANSFER_NO_DEVICE ? "device removed" : "interrupt transfer failed (status \(status.rawValue))")
        }
        transferActive.swap(false)
    }

    public func sendFeatureReport(_ report: [UInt8]) throws {
        guard let h = handle, let id = report.first else { return }
        var data = report
        // bmRequestType 0x21 (class, interface, host→device), SET_REPORT 0x09, wValue = Feature(3) << 8 | ID.
        let rc = libusb_control_transfer(h, 0x21, 0x09, UInt16(0x0300) | UInt16(id), UInt16(interfaceNumber),
                                         &data, UInt16(data.count), 1000)
        guard rc >= 0 else { throw HIDPOSUSBError(device: name, call: "SET_REPORT feature 0x\(String(id, radix: 16))", code: rc) }
    }

    public func sendOutputReport(_ report: [UInt8]) throws {
        guard let h = handle, let id = report.first else { return }
        // Without report IDs the ID byte is not on the wire (HID 1.11 §5.6).
        var data = id == 0 ? Array(report.dropFirst()) : report
        guard !data.isEmpty else { return }
        if let out = endpoints.output {
            var sent: Int32 = 0
            let rc = libusb_interrupt_transfer(h, out, &data, Int32(data.count), &sent, 1000)
            guard rc == 0 else { throw HIDPOSUSBError(device: name, call: "interrupt OUT report 0x\(String(id, radix: 16))", code: rc) }
        } else {
            // wValue = Output(2) << 8 | ID.
            let rc = libusb_control_transfer(h, 0x21, 0x09, UInt16(0x0200) | UInt16(id), UInt16(interfaceNumber),
                                             &data, UInt16(data.count), 1000)
            guard rc >= 0 else { throw HIDPOSUSBError(device: name, call: "SET_REPORT output 0x\(String(id, radix: 16))", code: rc) }
        }
    }

    public func close() {
        // The event thread exits once the cancelled transfer has called back.
        events.stop { if transferActive.snapshot, let t = transfer { _ = libusb_cancel_transfer(t) } }
        cleanup()
    }

    func cleanup() {
        if let t = transfer { libusb_free_transfer(t); transfer = nil }
        if let b = buffer { b.deallocate(); buffer = nil }
        if let h = handle {
            _ = libusb_release_interface(h, interfaceNumber)
            if detachedKernelDriver { _ = libusb_attach_kernel_driver(h, interfaceNumber); detachedKernelDriver = false }
            libusb_close(h)
            handle = nil
        }
        if let ctx = context { libusb_exit(ctx); context = nil }
    }
}

/// libusb runs transfer and hotplug callbacks only from inside
/// `libusb_handle_events*`: this loop is an event thread's whole work. Each
/// wait is at most 200 ms, so `done` is asked at least that often.
private func handleLibUSBEvents(_ context: OpaquePointer?, until done: () -> Bool) {
    var tv = timeval(tv_sec: 0, tv_usec: 200_000)
    while !done() { _ = libusb_handle_events_timeout_completed(context, &tv, nil) }
}

private func hidposTransferCallback(_ t: UnsafeMutablePointer<libusb_transfer>?) {
    guard let t, let user = t.pointee.user_data else { return }
    Unmanaged<LibUSBHIDPOSPort>.fromOpaque(user).takeUnretainedValue().completed(t)
}

/// Arrival/removal of a VID:PID. Uses libusb hotplug callbacks when the
/// platform has them (`LIBUSB_CAP_HAS_HOTPLUG`); otherwise `make` returns nil
/// and the driver rescans with `isPresent` on a timer.
public final class HIDPOSHotplugWatcher: Sendable {
    private struct Registration {
        let context: OpaquePointer
        let handle: libusb_hotplug_callback_handle
    }
    /// The libusb context and callback; nil once stopped.
    private let registration = Locked<Registration?>(nil)
    private let events = ServiceThread(name: "libusb-hotplug")
    let onChange: @Sendable (_ arrived: Bool) -> Void

    public static var platformHasHotplug: Bool { libusb_has_capability(UInt32(LIBUSB_CAP_HAS_HOTPLUG.rawValue)) != 0 }

    public static func make(vendorID: UInt16, productID: UInt16, onChange: @escaping @Sendable (_ arrived: Bool) -> Void) -> HIDPOSHotplugWatcher? {
        guard platformHasHotplug else { return nil }
        let w = HIDPOSHotplugWatcher(onChange: onChange)
        var context: OpaquePointer?
        guard libusb_init(&context) == 0, let ctx = context else { return nil }
        let events = Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue)
        var handle: libusb_hotplug_callback_handle = 0
        let rc = libusb_hotplug_register_callback(ctx, events, 0, Int32(vendorID), Int32(productID),
                                                  LIBUSB_HOTPLUG_MATCH_ANY, hidposHotplugCallback,
                                                  Unmanaged.passUnretained(w).toOpaque(), &handle)
        guard rc == 0 else { libusb_exit(ctx); return nil }
        w.registration.swap(Registration(context: ctx, handle: handle))
        w.events.start { [w] thread in
            handleLibUSBEvents(w.registration.withLock { $0?.context }) { thread.shouldStop }
        }
        return w
    }

    init(onChange: @escaping @Sendable (Bool) -> Void) { self.onChange = onChange }

    public func stop() {
        events.stop()
        // Only after the event thread stopped: it was using the context.
        guard let r = registration.swap(nil) else { return }
        libusb_hotplug_deregister_callback(r.context, r.handle)
        libusb_exit(r.context)
    }

    deinit { stop() }

    /// Rescan fallback: is a device with this VID:PID on the bus now?
    public static func isPresent(vendorID: UInt16, productID: UInt16) -> Bool {
        var ctx: OpaquePointer?
        guard libusb_init(&ctx) == 0 else { return false }
        defer { libusb_exit(ctx) }
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let n = libusb_get_device_list(ctx, &list)
        guard n > 0, let devices = list else { return false }
        defer { libusb_free_device_list(devices, 1) }
        for i in 0..<n {
            var d = libusb_device_descriptor()
            if let dev = devices[i], libusb_get_device_descriptor(dev, &d) == 0, d.idVendor == vendorID, d.idProduct == productID {
                return true
            }
        }
        return false
    }
}

private func hidposHotplugCallback(_ ctx: OpaquePointer?, _ dev: OpaquePointer?, _ event: libusb_hotplug_event,
                                   _ user: UnsafeMutableRawPointer?) -> Int32 {
    guard let user else { return 0 }
    Unmanaged<HIDPOSHotplugWatcher>.fromOpaque(user).takeUnretainedValue().onChange(event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
    return 0
}

extension LibUSBHIDPOSPort {
    /// VID:PIDs of attached devices with a HID interface whose report
    /// descriptor declares usage page 0x8C. Devices we may not open (no
    /// permission) are skipped; a driver configured by usage uses this list.
    public static func findBarCodeScanners() -> [(vendorID: UInt16, productID: UInt16)] {
        var ctx: OpaquePointer?
        guard libusb_init(&ctx) == 0 else { return [] }
        defer { libusb_exit(ctx) }
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let n = libusb_get_device_list(ctx, &list)
        guard n > 0, let devices = list else { return [] }
        defer { libusb_free_device_list(devices, 1) }
        var found: [(UInt16, UInt16)] = []
        for i in 0..<n {
            guard let dev = devices[i] else { continue }
            var desc = libusb_device_descriptor()
            guard libusb_get_device_descriptor(dev, &desc) == 0 else { continue }
            let hidInterfaces = interfaces(of: dev).filter { $0.interfaceClass == 3 }.map { UInt16($0.number) }
            guard !hidInterfaces.isEmpty else { continue }
            var handle: OpaquePointer?
            guard libusb_open(dev, &handle) == 0, let h = handle else { continue }
            defer { libusb_close(h) }
            for number in hidInterfaces {
                var buf = [UInt8](repeating: 0, count: 1024)
                // GET_DESCRIPTOR (standard, interface, device→host), type 0x22 = HID report.
                let got = libusb_control_transfer(h, 0x81, 0x06, 0x2200, number, &buf, UInt16(buf.count), 1000)
                if got > 0, HIDReportDescriptor.isBarCodeScanner(Array(buf[0..<Int(got)])) {
                    found.append((desc.idVendor, desc.idProduct))
                    break
                }
            }
        }
        return found
    }

    /// The active configuration's interfaces (first alternate setting each).
    static func interfaces(of device: OpaquePointer?) -> [USBInterfaceInfo] {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard let device, libusb_get_active_config_descriptor(device, &config) == 0, let cfg = config else { return [] }
        defer { libusb_free_config_descriptor(cfg) }
        var out: [USBInterfaceInfo] = []
        for k in 0..<Int(cfg.pointee.bNumInterfaces) {
            let iface = cfg.pointee.interface[k]
            guard iface.num_altsetting > 0, let alt = iface.altsetting?.pointee else { continue }
            let endpoints = (0..<Int(alt.bNumEndpoints)).compactMap { e -> USBInterfaceInfo.Endpoint? in
                guard let ep = alt.endpoint?[e] else { return nil }
                return .init(address: ep.bEndpointAddress, attributes: ep.bmAttributes)
            }
            out.append(USBInterfaceInfo(number: alt.bInterfaceNumber, interfaceClass: alt.bInterfaceClass, subclass: alt.bInterfaceSubClass,
                                        interfaceProtocol: alt.bInterfaceProtocol, endpoints: endpoints))
        }
        return out
    }
}
