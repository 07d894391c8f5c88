import CLibUSB
import Foundation

/// A HID POS scanner behind the `HIDPOSUSBPort` seam as a `ByteTransport`,
/// so `DeviceRunner` runs it like any device (reconnect, backoff, counters)
/// with the `hidpos` driver. Reports arrive on libusb's event thread and are
/// queued; `read` hands them out as a stream of fixed-size reports (a short
/// transfer is zero-padded, a long one cut, so the stream never loses step).
/// `write` sends an output report (`bytes[0]` is the report ID): the
/// driver's feedback plans.
public final class HIDPOSTransport: ByteTransport, @unchecked Sendable {
    public let description: String
    public var serialSettings: SerialSettings? { nil }
    private let port: any HIDPOSUSBPort
    private let reportSize: Int
    private let condition = NSCondition()
    private var queued: [UInt8] = []
    private var gone: String? = nil
    private var interrupted = false
    /// Reports that can wait for the runner before the oldest are dropped
    /// (a stalled consumer must not grow memory without bound).
    private let maxQueuedReports = 4096

    /// Feature reports the device refused on open (kept for the log; not fatal).
    public private(set) var refusedFeatureReports: [String] = []

    /// Sends the vendor's feature reports (Honeywell's 0xFE "redirect
    /// output"), then starts reading. The reports go first so the scanner
    /// already sends to the HID POS interface when the first read is
    /// queued, and the control transfer is not in flight beside it.
    public init(port: any HIDPOSUSBPort, vendorID: UInt16, description: String,
                reportSize: Int = HIDPOSDecoder.reportSize) throws(DeviceError) {
        self.port = port
        self.description = description
        self.reportSize = max(1, reportSize)
        for report in HIDPOSCommands.featureReportsAfterOpen(vendorID: vendorID) {
            // Honeywell's USB manual: a pure HID POS interface may reject the
            // redirect report; send it anyway and ignore the error. Failing
            // the open here would leave such a scanner unusable for good.
            do { try port.sendFeatureReport(report) } catch { refusedFeatureReports.append("\(error)") }
        }
        do {
            try port.start(onReport: { [weak self] in self?.enqueue($0) }, onGone: { [weak self] in self?.lost($0) })
        } catch {
            port.close()
            throw DeviceError.hangup("\(description): \(error)")
        }
    }

    func enqueue(_ report: [UInt8]) {
        condition.lock()
        var r = Array(report.prefix(reportSize))
        if r.count < reportSize { r += [UInt8](repeating: 0, count: reportSize - r.count) }
        if queued.count >= maxQueuedReports * reportSize { queued.removeFirst(reportSize) }
        queued += r
        condition.signal()
        condition.unlock()
    }

    public func interrupt() {
        condition.lock(); interrupted = true; condition.broadcast(); condition.unlock()
    }

    func lost(_ reason: String) {
        condition.lock(); gone = reason; condition.broadcast(); condition.unlock()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMs: Int32) throws(DeviceError) -> Int {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: Double(max(0, timeoutMs)) / 1000)
        while queued.isEmpty && gone == nil && !interrupted {
            if !condition.wait(until: deadline) { break }
        }
        interrupted = false
        if queued.isEmpty, let reason = gone { throw DeviceError.hangup("\(description): \(reason)") }
        // Whole reports only, as many as fit.
        let n = min(queued.count, buffer.count / reportSize * reportSize)
        guard n > 0 else { return 0 }
        queued.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        queued.removeFirst(n)
        return n
    }

    /// Output reports the device refused (it may not declare the report the
    /// plan assumed); feedback is lost, the connection is not.
    public var refusedOutputReports: Int { condition.lock(); defer { condition.unlock() }; return refusedOutputs }
    private var refusedOutputs = 0

    public func write(_ bytes: [UInt8]) throws(DeviceError) {
        guard !bytes.isEmpty else { return }
        do { try port.sendOutputReport(bytes) } catch {
            // Only a vanished device ends the connection; a stalled or
            // refused report must not make the runner reconnect per beep.
            if let usb = error as? HIDPOSUSBError, usb.code == Int32(LIBUSB_ERROR_NO_DEVICE.rawValue) {
                throw DeviceError.hangup("\(description): \(error)")
            }
            condition.lock(); refusedOutputs += 1; condition.unlock()
        }
    }

    public func close() { port.close() }

    /// The runner's opener for `hidpos` devices: `port` must be
    /// `usb:VVVV:PPPP` (the serial number is not matched by libusb here).
    public static let opener: DeviceRunner.Opener = { (config) throws(DeviceError) in
        guard case .usb(let vendor, let product, _) = config.port else {
            throw DeviceError.configuration("device \(config.name): a hidpos device needs port usb:VVVV:PPPP, not \(config.port)")
        }
        let name = String(format: "HID POS %04x:%04x", vendor, product)
        let usb: LibUSBHIDPOSPort
        do { usb = try LibUSBHIDPOSPort(vendorID: vendor, productID: product, reportSize: config.options.hidposReportSize) } catch {
            throw DeviceError.hangup("\(name): \(error)")
        }
        return try HIDPOSTransport(port: usb, vendorID: vendor, description: name,
                                   reportSize: config.options.hidposReportSize)
    }
}
