#if canImport(Glibc)
import Glibc
#endif
import ScanModel

/// A device reached through one file descriptor (a tty, a TCP socket): the
/// wakeable read every such transport shares, whole writes, close once.
/// `TermiosTransport` and `TCPTransport` only differ in how they open it.
public class DescriptorTransport: ByteTransport {
    public let description: String
    public let serialSettings: SerialSettings?
    private var fd: FileDescriptor?
    private let wake = WakeSignal()
    /// Sockets are written with send(MSG_NOSIGNAL): a vanished peer is EPIPE, not SIGPIPE.
    private let isSocket: Bool
    private let writeTimeoutMs: Int32

    init(fd: FileDescriptor, description: String, serialSettings: SerialSettings?, isSocket: Bool, writeTimeoutMs: Int32) {
        self.fd = fd
        self.description = description
        self.serialSettings = serialSettings
        self.isSocket = isSocket
        self.writeTimeoutMs = writeTimeoutMs
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMs: Int32) throws(DeviceError) -> Int {
        guard let fd else { throw .hangup(description) }
        return try wake.read(fd, into: buffer, timeoutMs: timeoutMs, what: description)
    }

    public func interrupt() { wake.signal() }

    public func write(_ bytes: [UInt8]) throws(DeviceError) {
        guard let fd else { throw .hangup(description) }
        try DeviceError.wrapping { () throws(Errno) in
            try fd.writeAll(bytes, timeoutMs: writeTimeoutMs, socket: isSocket, what: description)
        }
    }

    public func close() { fd.closeOnce() }

    deinit { close() }
}
