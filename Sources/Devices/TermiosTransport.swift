#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims
import ScanModel

/// A tty opened with plain open(2)/termios: pseudo-terminals, socat and
/// ser2net virtual ports, and any tty libserialport will not open
/// (libserialport 0.1.1 refuses ptys: docs/devices.md).
public final class TermiosTransport: DescriptorTransport {
    public let path: String

    /// Opens `path` non-blocking, without becoming its controlling terminal,
    /// and puts it in raw mode with `settings`.
    public init(path: String, settings: SerialSettings) throws(DeviceError) {
        self.path = path
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
        super.init(fd: opened, description: path, serialSettings: settings, isSocket: false, writeTimeoutMs: 2000)
    }
}
