#if canImport(Glibc)
import Glibc
#endif
import ScanModel

/// A grabbed evdev keyboard node (`EvdevInputDevice`) as a `ByteTransport`,
/// so `DeviceRunner` runs a keyboard-wedge scanner with the `evdev` driver.
/// Reads return whole 24-byte input_event records; a keyboard takes no
/// bytes, so `write` refuses anything non-empty.
public final class EvdevTransport: ByteTransport {
    public let device: EvdevInputDevice
    public var description: String { "evdev \(device.path)" }
    public var serialSettings: SerialSettings? { nil }
    private let wake = WakeSignal()

    public init(path: String, grab: Bool = true) throws(DeviceError) {
        do { device = try EvdevInputDevice(path: path, grab: grab) } catch let e as EvdevDeviceError {
            throw DeviceError.system(e.systemError)
        } catch {
            throw DeviceError.hangup("evdev \(path): \(error)")
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMs: Int32) throws(DeviceError) -> Int {
        // Ask for whole records: a kernel node never splits one (emulated
        // nodes such as umockdev's may; the evdev driver reassembles them).
        let size = EvdevDecoder.recordSize
        let whole = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(buffer.count / size * size)])
        guard let fd = device.fd else { throw .hangup(description) }
        return try wake.read(fd, into: whole, timeoutMs: timeoutMs, what: description)
    }

    public func interrupt() { wake.signal() }

    public func write(_ bytes: [UInt8]) throws(DeviceError) {
        guard bytes.isEmpty else {
            throw DeviceError.configuration("\(description): a keyboard-wedge scanner takes no commands")
        }
    }

    public func close() { device.close() }

    /// The runner's opener for `evdev` devices: `port` is the event node,
    /// best a `/dev/input/by-id/*-event-kbd` link (stable across replugs).
    public static let opener: DeviceRunner.Opener = { (config) throws(DeviceError) in
        guard case .path(let path) = config.port else {
            throw DeviceError.configuration("device \(config.name): an evdev device needs a path such as /dev/input/by-id/…-event-kbd, not \(config.port)")
        }
        return try EvdevTransport(path: path)
    }
}
