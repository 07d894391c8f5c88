#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims
import ScanModel

/// A tty opened with plain open(2)/termios: pseudo-terminals, socat and
/// ser2net virtual ports, and any tty libserialport will not open
/// (libserialport 0.1.1 refuses ptys: docs/devices.md).
public final class TermiosTransport: ByteTransport {
    public let path: String
    public let serialSettings: SerialSettings?
    private var fd: FileDescriptor?
    private let wake = WakeSignal()

    public var description: String { path }

    /// Opens `path` non-blocking, without becoming its controlling terminal,
    /// and puts it in raw mode with `settings`.
    public init(path: String, settings: SerialSettings) throws(DeviceError) {
        self.path = path
        self.serialSettings = settings
        let opened = try DeviceError.wrapping { () throws(Errno) in try FileDescriptor.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK) }
        let parity: CChar = switch settings.parity { case .none: 78; case .even: 69; case .odd: 79 }
        do throws(Errno) {
            try valueOrErrno("tcsetattr(\"\(path)\", \(settings))") {
                CLinuxShims_set_raw_termios(opened.rawValue, Int32(settings.baud), Int32(settings.dataBits), parity,
                                            Int32(settings.stopBits), settings.flow == .rtscts ? 1 : 0)
            }
        } catch {
            opened.close()
            throw .system(error)
        }
        fd = opened
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMs: Int32) throws(DeviceError) -> Int {
        guard let fd else { throw .hangup(path) }
        return try wake.read(fd, into: buffer, timeoutMs: timeoutMs, what: path)
    }

    public func interrupt() { wake.signal() }

    public func write(_ bytes: [UInt8]) throws(DeviceError) {
        guard let fd else { throw .hangup(path) }
        try DeviceError.wrapping { () throws(Errno) in try fd.writeAll(bytes, timeoutMs: 2000, what: path) }
    }

    public func close() { fd.closeOnce() }

    deinit { close() }
}
