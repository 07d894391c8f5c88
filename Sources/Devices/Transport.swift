/// A byte pipe to one device. The runner owns it on the device's thread.
public protocol ByteTransport: AnyObject {
    /// What was opened, for logs ("/dev/ttyUSB0 (2008:1001 SN 123)").
    var description: String { get }
    /// Settings in use, when the transport is a serial line.
    var serialSettings: SerialSettings? { get }
    /// Reads what is available, waiting at most `timeoutMs` for the first
    /// byte. Returns 0 on timeout; throws `.hangup` when the device is gone.
    func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMs: Int32) throws(DeviceError) -> Int
    /// Makes a `read` that is waiting (or the next one) return 0 at once, so
    /// the device thread sends queued feedback or stops without waiting out
    /// the read timeout. Safe from any thread.
    func interrupt()
    /// Writes all of `bytes` (blocking up to a short timeout).
    func write(_ bytes: [UInt8]) throws(DeviceError)
    func close()
    /// Stop was asked and the runner is about to say goodbye on this open
    /// connection (stop commands, LLRP's STOP_ROSPEC + CLOSE_CONNECTION).
    /// Called on the device's thread, in wire order; a wire tap records it.
    func willClose()
}

extension ByteTransport {
    /// Transports that cannot be woken (test doubles) just time out.
    public func interrupt() {}
    public func willClose() {}
}
