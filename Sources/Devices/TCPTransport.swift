#if canImport(Glibc)
import Glibc
#endif
import ScanModel

/// A TCP connection to a network device (LLRP readers) as a `ByteTransport`:
/// the same wakeable read as a tty, so feedback and stop never wait out a
/// read timeout, and `DeviceRunner` runs it like any other device.
public final class TCPTransport: DescriptorTransport {
    init(fd: FileDescriptor, description: String) {
        super.init(fd: fd, description: description, serialSettings: nil, isSocket: true, writeTimeoutMs: 5_000)
    }

    /// Connects to `host:port` within `timeoutMs` (every address the name
    /// resolves to, in order). The socket is non-blocking, TCP_NODELAY (LLRP
    /// messages are small and answered one by one) and SO_KEEPALIVE.
    public static func connect(host: String, port: UInt16, timeoutMs: Int) throws(DeviceError) -> TCPTransport {
        TCPTransport(fd: try connectSocket(host: host, port: port, timeoutMs: timeoutMs), description: "\(host):\(port)")
    }

    private static func connectSocket(host: String, port: UInt16, timeoutMs: Int) throws(DeviceError) -> FileDescriptor {
        let peer = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw .connection("getaddrinfo(\(host)): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = DeviceError.connection("connect(\(peer)): no address")
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let address = next {
            next = address.pointee.ai_next
            do throws(Errno) {
                return try connect(address.pointee, peer: peer, timeoutMs: timeoutMs)
            } catch {
                lastError = .system(error)
            }
        }
        throw lastError
    }

    private static func connect(_ address: addrinfo, peer: String, timeoutMs: Int) throws(Errno) -> FileDescriptor {
        let fd = try FileDescriptor.socket(domain: address.ai_family, type: address.ai_socktype, protocol: address.ai_protocol, what: peer)
        do throws(Errno) {
            try fd.setNonBlocking(what: peer)
            try fd.setOption(level: Int32(IPPROTO_TCP), TCP_NODELAY, 1, what: peer)
            try fd.setOption(level: SOL_SOCKET, SO_KEEPALIVE, 1, what: peer)
            if try fd.connect(address.ai_addr, length: address.ai_addrlen, what: peer) { return fd }
            guard try fd.poll(events: Int16(POLLOUT), timeoutMs: Int32(clamping: timeoutMs)) != 0 else {
                throw Errno(ETIMEDOUT, call: "connect(\(peer)) within \(timeoutMs) ms")
            }
            let pending = try fd.pendingError(what: peer)
            guard pending == 0 else { throw Errno(pending, call: "connect(\(peer))") }
            return fd
        } catch {
            fd.close()
            throw error
        }
    }

    /// The runner's opener for network devices: `port` is `.network(host, port)`.
    public static let opener: DeviceRunner.Opener = { (config) throws(DeviceError) in
        guard case .network(let host, let port) = config.port else {
            throw .configuration("device \(config.name): driver \(config.driver) is reached over the network: give \"host\", not \(config.port)")
        }
        return try TCPTransport.connect(host: host, port: port, timeoutMs: config.options.reader.connectTimeoutMilliseconds)
    }
}
