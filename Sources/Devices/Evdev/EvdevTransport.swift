#if canImport(Glibc)
import Glibc
#endif

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
            throw DeviceError.system(call: e.call, target: e.path, errno: e.errno)
        } catch {
            throw DeviceError.hangup("evdev \(path): \(error)")
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMs: Int32) throws(DeviceError) -> Int {
        let revents = wake.poll(device: device.fd, timeoutMs: timeoutMs)
        if revents < 0 {
            if errno == EINTR { return 0 }
            throw DeviceError.system(call: "poll", target: device.path, errno: errno)
        }
        if revents == 0 { return 0 }
        if revents & Int32(POLLHUP | POLLERR | POLLNVAL) != 0 && revents & Int32(POLLIN) == 0 {
            throw DeviceError.hangup(description)
        }
        // Ask for whole records: a kernel node never splits one (emulated
        // nodes such as umockdev's may; the evdev driver reassembles them).
        let size = EvdevDecoder.recordSize
        let want = buffer.count / size * size
        let n = Glibc.read(device.fd, buffer.baseAddress, want)
        if n > 0 { return n }
        if n == 0 { throw DeviceError.hangup(description) }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return 0 }
        if errno == ENODEV { throw DeviceError.hangup(description) }
        throw DeviceError.system(call: "read", target: device.path, errno: errno)
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
