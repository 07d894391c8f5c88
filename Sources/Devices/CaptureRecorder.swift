import ScanModel

/// Records a device's traffic in the capture log format: what
/// `scanledger capture` runs. Lines go to `write` as they happen, so a
/// capture interrupted by Ctrl-C keeps everything up to that point.
public struct CaptureRecorder {
    private let write: (String) -> Void
    private let clock: () -> Microseconds

    public init(clock: @escaping () -> Microseconds, write: @escaping (String) -> Void) {
        self.clock = clock; self.write = write
    }

    /// The header block: the required keys first, in the documented order.
    public func header(_ fields: [(key: String, value: String)]) {
        for (key, value) in fields { write("# \(key): \(value)\n") }
    }

    public func record(_ direction: CaptureLog.Direction, _ bytes: [UInt8]) {
        write(CaptureLog.formatRecord(CaptureLog.Record(time: clock(), direction: direction, bytes: bytes)) + "\n")
    }

    public func event(_ name: String) {
        write(CaptureLog.formatRecord(CaptureLog.Record(time: clock(), direction: .event, event: name)) + "\n")
    }

    /// Sends `commands` (logged as host → device), then records everything
    /// the device sends until `shouldStop` says so or the device hangs up.
    /// `sentOnOpen` is what the transport itself sent while opening (HID POS
    /// feature reports): logged as host → device, not sent again.
    /// Returns the number of device bytes recorded.
    @discardableResult
    public func run(transport: any ByteTransport, sentOnOpen: [[UInt8]] = [], commands: [[UInt8]],
                    shouldStop: () -> Bool) throws(DeviceError) -> Int {
        event("connect")
        for c in sentOnOpen { record(.toDevice, c) }
        for c in commands {
            try transport.write(c)
            record(.toDevice, c)
        }
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !shouldStop() {
            let n: Int
            do {
                n = try buffer.withUnsafeMutableBytes { (b) throws(DeviceError) -> Int in try transport.read(into: b, timeoutMs: 50) }
            } catch let error as DeviceError {
                guard case .hangup = error else { throw error }
                event("disconnect")
                return total
            } catch {
                throw .hangup("\(transport.description): \(error)")
            }
            if n > 0 {
                record(.fromDevice, Array(buffer[0..<n]))
                total += n
            }
        }
        return total
    }
}
