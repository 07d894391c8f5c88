import CLibSerialPort
import ScanModel
#if canImport(Glibc)
import Glibc
#endif

/// A real serial port through libserialport (USB CDC-ACM, FTDI, CP210x,
/// PL2303, RS-232). Pseudo-terminals go through `TermiosTransport`.
public final class SerialPortTransport: ByteTransport {
    public let path: String
    public let serialSettings: SerialSettings?
    private var port: OpaquePointer?
    private let wake = WakeSignal()

    public var description: String { path }

    public init(path: String, settings: SerialSettings) throws(DeviceError) {
        self.path = path
        self.serialSettings = settings
        var p: OpaquePointer? = nil
        try Self.check(sp_get_port_by_name(path, &p), "sp_get_port_by_name", path)
        port = p
        do {
            try Self.check(sp_open(p, SP_MODE_READ_WRITE), "sp_open", path)
            try Self.check(sp_set_baudrate(p, Int32(settings.baud)), "sp_set_baudrate", path)
            try Self.check(sp_set_bits(p, Int32(settings.dataBits)), "sp_set_bits", path)
            let parity: sp_parity = switch settings.parity { case .none: SP_PARITY_NONE; case .even: SP_PARITY_EVEN; case .odd: SP_PARITY_ODD }
            try Self.check(sp_set_parity(p, parity), "sp_set_parity", path)
            try Self.check(sp_set_stopbits(p, Int32(settings.stopBits)), "sp_set_stopbits", path)
            let flow: sp_flowcontrol = switch settings.flow { case .none: SP_FLOWCONTROL_NONE; case .rtscts: SP_FLOWCONTROL_RTSCTS; case .xonxoff: SP_FLOWCONTROL_XONXOFF }
            try Self.check(sp_set_flowcontrol(p, flow), "sp_set_flowcontrol", path)
        } catch {
            close()
            throw error
        }
    }

    static func check(_ r: sp_return, _ call: String, _ path: String) throws(DeviceError) {
        guard r.rawValue < 0 else { return }
        throw DeviceError.serialPort(call: call, port: path, message: r == SP_ERR_FAIL ? SerialPorts.lastMessage() : "error \(r.rawValue)")
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMs: Int32) throws(DeviceError) -> Int {
        guard let port else { throw .hangup(path) }
        var handle: Int32 = -1
        guard sp_get_port_handle(port, &handle) == SP_OK, handle >= 0 else {
            let r = sp_blocking_read_next(port, buffer.baseAddress, buffer.count, UInt32(max(0, timeoutMs)))
            if r.rawValue < 0 { throw .hangup(path + ": " + SerialPorts.lastMessage()) }
            return Int(r.rawValue)
        }
        // Poll the port's fd ourselves, next to the wake signal, so feedback
        // and stop do not wait out the timeout inside libserialport.
        let revents = try DeviceError.wrapping { () throws(Errno) in
            Int32(try wake.poll(device: FileDescriptor(rawValue: handle), timeoutMs: timeoutMs, what: path))
        }
        if revents == 0 { return 0 }
        let r = sp_nonblocking_read(port, buffer.baseAddress, buffer.count)
        if r.rawValue < 0 { throw .hangup(path + ": " + SerialPorts.lastMessage()) }
        // Readable but empty, or an error flag: the adapter was unplugged.
        if r.rawValue == 0 && revents & Int32(POLLIN | POLLHUP | POLLERR | POLLNVAL) != 0 { throw .hangup(path) }
        return Int(r.rawValue)
    }

    public func interrupt() { wake.signal() }

    public func write(_ bytes: [UInt8]) throws(DeviceError) {
        guard let port else { throw .hangup(path) }
        let r = bytes.withUnsafeBytes { sp_blocking_write(port, $0.baseAddress, $0.count, 2000) }
        if r.rawValue < 0 { throw .hangup(path + ": " + SerialPorts.lastMessage()) }
        if Int(r.rawValue) < bytes.count { throw .serialPort(call: "sp_blocking_write", port: path, message: "timed out after \(r.rawValue) of \(bytes.count) bytes") }
    }

    public func close() {
        if let port { sp_close(port); sp_free_port(port) }
        port = nil
    }

    deinit { close() }

    /// Opens `path` with libserialport, or with termios when libserialport
    /// does not know it (ptys and virtual ports are not in /sys/class/tty
    /// as serial devices).
    public static func open(path: String, settings: SerialSettings) throws(DeviceError) -> any ByteTransport {
        var probe: OpaquePointer? = nil
        if sp_get_port_by_name(path, &probe) == SP_OK, let probe {
            let transport = sp_get_port_transport(probe)
            sp_free_port(probe)
            if path.hasPrefix("/dev/pts/") == false, transport == SP_TRANSPORT_USB || transport == SP_TRANSPORT_NATIVE {
                return try SerialPortTransport(path: path, settings: settings)
            }
        }
        return try TermiosTransport(path: path, settings: settings)
    }
}
