#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ScanModel

/// A fixed RFID reader that exists only as a loopback TCP listener speaking
/// LLRP, for `scanledger simulate`, the daemon tests and trying a config with
/// no hardware. It behaves like a reader that accepts one client:
///
/// - each connection opens with READER_EVENT_NOTIFICATION /
///   ConnectionAttemptEvent (success; a second client while one is connected
///   gets "client-initiated connection exists" and is closed);
/// - every request is answered with its response and an LLRPStatus success
///   (echoing the message id); START_ROSPEC starts inventorying, STOP_ROSPEC
///   ends it; unknown requests get ERROR_MESSAGE / M_UnsupportedMessage;
/// - KEEPALIVE at the period the client set with SET_READER_CONFIG;
/// - CLOSE_CONNECTION is answered, counted and the connection closed;
/// - `report` sends RO_ACCESS_REPORTs (EPC, antenna, RSSI, UTC first/last
///   seen, seen count) while the client has the ROSpec running.
///
/// `stop()` drops everything without a goodbye (a reader losing power);
/// `start()` listens again on the same port.
public final class LLRPReaderEmulator: @unchecked Sendable {
    // @unchecked Sendable: the mutable state below is only touched under `lock` (an NSCondition).
    /// What the emulator has seen, for tests and narration.
    public struct Stats: Sendable, Equatable {
        public var connections = 0
        public var refusedConnections = 0
        public var closeConnections = 0
        public var keepaliveAcks = 0
        public var reportsSent = 0
        /// Request types received, in order (all connections).
        public var requests: [UInt16] = []
        public var inventorying = false
        public var connected = false
        /// GPOWriteData seen in SET_READER_CONFIG, in order (operator feedback).
        public var gpoWrites: [GPOWrite] = []
    }

    public struct GPOWrite: Sendable, Equatable, CustomStringConvertible {
        public var port: UInt16
        public var high: Bool
        public init(port: UInt16, high: Bool) { self.port = port; self.high = high }
        public var description: String { "\(port)\(high ? "+" : "-")" }
    }

    public private(set) var port: UInt16
    private let lock = NSCondition()
    private var stats = Stats()
    private var listenFD: FileDescriptor?
    private var connFD: FileDescriptor?
    /// Ends the loop's poll at once on `stop()`.
    private let wake = WakeSignal()
    private var running = false
    private var loopDone = true
    private var keepaliveMilliseconds: UInt32 = 0
    private var nextMessageID: UInt32 = 1
    private var gpoStatus: UInt16 = 0
    private var keepalivesHeld = false

    /// Answers SET_READER_CONFIGs that write GPOs with this LLRPStatus code
    /// (0 = success; e.g. 101 M_FieldError for a port the reader lacks).
    public func answerGPOWrites(status: UInt16) { lock.lock(); gpoStatus = status; lock.unlock() }

    /// Stops (or resumes) the KEEPALIVEs with the connection left open: a
    /// reader that hung without closing its socket.
    public func holdKeepalives(_ hold: Bool) { lock.lock(); keepalivesHeld = hold; lock.unlock() }

    /// Listens on 127.0.0.1:`port` (0: any free port; see `port`). The
    /// reader's thread keeps it alive until `stop()`.
    public init(port: UInt16 = 0) throws {
        self.port = port
        try start()
    }

    public var snapshot: Stats { lock.lock(); defer { lock.unlock() }; return stats }
    /// `host` for a config: `127.0.0.1:PORT`.
    public var address: String { "127.0.0.1:\(port)" }

    /// Listens (again) on the same port.
    public func start() throws {
        lock.lock(); defer { lock.unlock() }
        guard !running else { return }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        let what = "LLRP emulator 127.0.0.1:\(port)"
        do throws(Errno) {
            let fd = try FileDescriptor.socket(domain: AF_INET, type: Int32(SOCK_STREAM.rawValue), what: what)
            do throws(Errno) {
                try fd.setOption(level: SOL_SOCKET, SO_REUSEADDR, 1, what: what)
                try fd.bind(addr, what: what)
                try fd.listen(backlog: 8, what: what)
                port = try fd.localPort(what: what)
            } catch {
                fd.close()
                throw error
            }
            listenFD = fd
        } catch {
            throw SimulationError("cannot listen: \(error)")
        }
        running = true
        loopDone = false
        let t = Thread { [self] in loop() }
        t.name = "llrp emulator \(port)"
        t.start()
    }

    /// Closes the listener and the client connection abruptly (no
    /// CLOSE_CONNECTION from the reader side) and waits for the loop to end.
    public func stop() {
        lock.lock()
        guard running else { lock.unlock(); return }
        running = false
        wake.signal()
        while !loopDone { lock.wait() }
        lock.unlock()
    }

    /// Waits until a client has the ROSpec running (false on timeout).
    public func waitUntilInventorying(timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        lock.lock(); defer { lock.unlock() }
        while !stats.inventorying { if !lock.wait(until: deadline) { return stats.inventorying } }
        return true
    }

    /// Sends one RO_ACCESS_REPORT with a TagReportData per EPC. False (and
    /// nothing sent) when no client is inventorying: a reader that is not
    /// running an ROSpec reports nothing.
    @discardableResult
    public func report(_ epcs: [EPC], antenna: UInt16 = 1, rssi: Int8 = -55, count: UInt16 = 1) -> Bool {
        let now = UInt64(max(0, WallClock().now().value))
        lock.lock(); defer { lock.unlock() }
        guard stats.inventorying, connFD != nil else { return false }
        var w = LLRPMessageWriter(type: LLRPMessageType.roAccessReport, messageID: takeID())
        for epc in epcs {
            w.tlv(LLRPParameterType.tagReportData) { w in
                if epc.bitCount == 96 {
                    w.u8(0x80 | UInt8(LLRPParameterType.epc96))
                    for b in epc.bytes { w.u8(b) }
                } else {
                    w.tlv(LLRPParameterType.epcData) { w in
                        w.u16(epc.bitCount)
                        for b in epc.bytes { w.u8(b) }
                    }
                }
                w.u8(0x80 | UInt8(LLRPParameterType.antennaID)); w.u16(antenna)
                w.u8(0x80 | UInt8(LLRPParameterType.peakRSSI)); w.u8(UInt8(bitPattern: rssi))
                w.u8(0x80 | UInt8(LLRPParameterType.firstSeenUTC)); w.u64(now)
                w.u8(0x80 | UInt8(LLRPParameterType.lastSeenUTC)); w.u64(now)
                w.u8(0x80 | UInt8(LLRPParameterType.tagSeenCount)); w.u16(count)
            }
        }
        guard sendLocked(w.finish()) else { return false }
        stats.reportsSent += 1
        return true
    }

    // MARK: - the reader's thread

    private func loop() {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var nextKeepalive = Date.distantFuture
        while true {
            lock.lock()
            let (listener, conn, stopped) = (listenFD, connFD, !running)
            lock.unlock()
            guard let listener, !stopped else { break }
            var fds = [pollfd(fd: wake.fd?.rawValue ?? -1, events: Int16(POLLIN), revents: 0), pollfd(fd: listener.rawValue, events: Int16(POLLIN), revents: 0)]
            if let conn { fds.append(pollfd(fd: conn.rawValue, events: Int16(POLLIN), revents: 0)) }
            let wait = max(0, min(100, Int(nextKeepalive.timeIntervalSinceNow * 1000)))
            _ = fds.withUnsafeMutableBufferPointer { try? FileDescriptor.poll($0.baseAddress!, count: $0.count, timeoutMs: Int32(wait)) }
            if fds[0].revents != 0 { break }
            if fds[1].revents & Int16(POLLIN) != 0 { accept(on: listener) }
            if let conn, fds.count > 2, fds[2].revents != 0 {
                do throws(Errno) {
                    let n = try buffer.withUnsafeMutableBytes { raw in
                        Result { () throws(Errno) -> Int in try conn.read(into: raw, what: "LLRP emulator client") }
                    }.get()
                    guard n > 0 else { throw Errno(ECONNRESET, call: "read(LLRP emulator client)") }
                    pending += buffer[0..<n]
                    while let message = Self.takeMessage(&pending) { answer(message) }
                } catch where !error.wouldBlock {
                    lock.lock(); dropConnectionLocked(); lock.unlock()
                    pending.removeAll()
                } catch {}
            }
            lock.lock()
            if connFD == nil { pending.removeAll() }
            let period = keepaliveMilliseconds
            if connFD != nil, period > 0 {
                if nextKeepalive == .distantFuture { nextKeepalive = Date(timeIntervalSinceNow: Double(period) / 1000) }
                if Date() >= nextKeepalive {
                    if !keepalivesHeld { _ = sendLocked(Self.message(LLRPMessageType.keepalive, id: takeID())) }
                    nextKeepalive = Date(timeIntervalSinceNow: Double(period) / 1000)
                }
            } else {
                nextKeepalive = .distantFuture
            }
            lock.unlock()
        }
        lock.lock()
        dropConnectionLocked()
        listenFD.closeOnce()
        wake.clear()
        loopDone = true
        lock.broadcast()
        lock.unlock()
    }

    private func accept(on listener: FileDescriptor) {
        guard let fd = try? listener.accept(what: "LLRP emulator") else { return }
        lock.lock(); defer { lock.unlock() }
        if connFD != nil {
            // One client at a time, as readers do: tell the newcomer why and hang up.
            _ = Self.sendAll(fd, Self.connectionAttempt(status: 2, id: takeID()))
            fd.close()
            stats.refusedConnections += 1
            return
        }
        connFD = fd
        keepaliveMilliseconds = 0
        stats.connections += 1
        stats.connected = true
        _ = sendLocked(Self.connectionAttempt(status: 0, id: takeID()))
        lock.broadcast()
    }

    /// Answers one client message (called on the loop thread).
    private func answer(_ m: [UInt8]) {
        let type = UInt16(m[0] & 3) << 8 | UInt16(m[1])
        let id = UInt32(m[6]) << 24 | UInt32(m[7]) << 16 | UInt32(m[8]) << 8 | UInt32(m[9])
        lock.lock(); defer { lock.unlock() }
        stats.requests.append(type)
        switch type {
        case LLRPMessageType.keepaliveAck:
            stats.keepaliveAcks += 1
        case LLRPMessageType.closeConnection:
            _ = sendLocked(Self.response(LLRPMessageType.closeConnectionResponse, id: id))
            stats.closeConnections += 1
            dropConnectionLocked()
        case LLRPMessageType.getReaderCapabilities, LLRPMessageType.getReaderConfig, LLRPMessageType.setReaderConfig,
             LLRPMessageType.addROSpec...LLRPMessageType.getROSpecs,
             LLRPMessageType.addAccessSpec...LLRPMessageType.getAccessSpecs:
            if type == LLRPMessageType.setReaderConfig, let period = Self.keepalivePeriod(m) { keepaliveMilliseconds = period }
            let gpo = type == LLRPMessageType.setReaderConfig ? Self.gpoWrites(m) : []
            if !gpo.isEmpty {
                stats.gpoWrites += gpo
                _ = sendLocked(Self.response(type + 10, id: id, status: gpoStatus, text: gpoStatus == 0 ? "" : "no such GPO port"))
                lock.broadcast()
                return
            }
            if type == LLRPMessageType.startROSpec { stats.inventorying = true }
            if type == LLRPMessageType.stopROSpec || type == LLRPMessageType.disableROSpec || type == LLRPMessageType.deleteROSpec {
                stats.inventorying = false
            }
            _ = sendLocked(Self.response(type + 10, id: id))
        default:
            _ = sendLocked(Self.response(LLRPMessageType.errorMessage, id: id, status: 109, text: "unsupported message type \(type)"))
        }
        lock.broadcast()
    }

    private func dropConnectionLocked() {
        connFD.closeOnce()
        stats.inventorying = false
        stats.connected = false
        keepaliveMilliseconds = 0
        lock.broadcast()
    }

    private func takeID() -> UInt32 {
        let id = nextMessageID
        nextMessageID = id == UInt32.max ? 1 : id + 1
        return id
    }

    private func sendLocked(_ bytes: [UInt8]) -> Bool {
        guard let conn = connFD else { return false }
        if Self.sendAll(conn, bytes) { return true }
        // Only the loop thread closes the descriptor (it may be polling it);
        // shutdown wakes that poll with EOF.
        shutdown(conn.rawValue, Int32(SHUT_RDWR))
        stats.inventorying = false
        return false
    }

    // MARK: - wire helpers

    static func sendAll(_ fd: FileDescriptor, _ bytes: [UInt8]) -> Bool {
        (try? fd.writeAll(bytes, timeoutMs: 5_000, socket: true, what: "LLRP emulator client")) != nil
    }

    /// The next whole message from the front of `pending`; a header with an
    /// impossible length empties the buffer (the client is broken).
    static func takeMessage(_ pending: inout [UInt8]) -> [UInt8]? {
        guard pending.count >= 10 else { return nil }
        let length = Int(pending[2]) << 24 | Int(pending[3]) << 16 | Int(pending[4]) << 8 | Int(pending[5])
        guard length >= 10, length <= 1 << 20 else { pending.removeAll(); return nil }
        guard pending.count >= length else { return nil }
        let m = Array(pending[0..<length])
        pending.removeFirst(length)
        return m
    }

    static func message(_ type: UInt16, id: UInt32, _ body: (inout LLRPMessageWriter) -> Void = { _ in }) -> [UInt8] {
        var w = LLRPMessageWriter(type: type, messageID: id)
        body(&w)
        return w.finish()
    }

    static func response(_ type: UInt16, id: UInt32, status: UInt16 = 0, text: String = "") -> [UInt8] {
        message(type, id: id) { w in
            w.tlv(LLRPParameterType.llrpStatus) { w in
                let bytes = Array(text.utf8.prefix(512))
                w.u16(status)
                w.u16(UInt16(bytes.count))
                for b in bytes { w.u8(b) }
            }
        }
    }

    static func connectionAttempt(status: UInt16, id: UInt32) -> [UInt8] {
        let now = UInt64(max(0, WallClock().now().value))
        return message(LLRPMessageType.readerEventNotification, id: id) { w in
            w.tlv(LLRPParameterType.readerEventNotificationData) { w in
                w.tlv(LLRPParameterType.utcTimestamp) { $0.u64(now) }
                w.tlv(LLRPParameterType.connectionAttemptEvent) { $0.u16(status) }
            }
        }
    }

    /// The GPOWriteData parameters of a SET_READER_CONFIG.
    static func gpoWrites(_ m: [UInt8]) -> [GPOWrite] {
        var out: [GPOWrite] = []
        var i = 11
        while i + 4 <= m.count {
            let type = UInt16(m[i] & 3) << 8 | UInt16(m[i + 1])
            let length = Int(m[i + 2]) << 8 | Int(m[i + 3])
            guard length >= 4, i + length <= m.count else { break }
            if type == LLRPParameterType.gpoWriteData, length >= 7 {
                out.append(GPOWrite(port: UInt16(m[i + 4]) << 8 | UInt16(m[i + 5]), high: m[i + 6] & 0x80 != 0))
            }
            i += length
        }
        return out
    }

    /// KeepaliveSpec's period in a SET_READER_CONFIG (nil when absent or not periodic).
    static func keepalivePeriod(_ m: [UInt8]) -> UInt32? {
        var i = 11 // header + ResetToFactoryDefault byte
        while i + 4 <= m.count {
            let type = UInt16(m[i] & 3) << 8 | UInt16(m[i + 1])
            let length = Int(m[i + 2]) << 8 | Int(m[i + 3])
            guard length >= 4, i + length <= m.count else { return nil }
            if type == LLRPParameterType.keepaliveSpec, length >= 9 {
                guard m[i + 4] == 1 else { return 0 }
                return UInt32(m[i + 5]) << 24 | UInt32(m[i + 6]) << 16 | UInt32(m[i + 7]) << 8 | UInt32(m[i + 8])
            }
            i += length
        }
        return nil
    }
}
