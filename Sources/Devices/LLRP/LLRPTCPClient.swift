#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import ScanModel

/// Drives an `LLRPSession` over a real TCP socket (POSIX, non-blocking
/// connect with timeout, poll loop). The clock is injected so tests can run
/// a loopback conversation in virtual time; by default it is monotonic ms.
///
/// This is the LLRP counterpart of `DeviceRunner`: the reader's setup is a
/// conversation with timeouts, so the session (not a fixed list of init
/// commands) decides what to send. Decoded events reach the same kind of
/// handler as the runner's, `(DeviceID, EventBatch)`, in the common
/// vocabulary (`LLRPDriver.deviceEvent`), framed by `connected` and
/// `disconnected` like the runner's.
///
/// Threading: `run()` blocks its caller's thread until the session stops;
/// `requestStop()` may be called from any thread (it writes to a wake pipe).
/// Callbacks run on the `run()` thread; the batch is reused after the
/// handler returns.
public final class LLRPTCPClient: @unchecked Sendable {
    public typealias Clock = @Sendable () -> Int64
    public typealias Handler = DeviceRunner.Handler

    public let config: LLRPReaderConfig
    private var session: LLRPSession
    private var decoder: LLRPDecoder
    private let clock: Clock
    private let stamp: @Sendable () -> Microseconds
    private let name: DeviceID
    private let handler: Handler
    private var batch = EventBatch()
    private let onOutput: (LLRPSessionOutput) -> Void
    /// Longest poll sleep; the session's own deadlines shorten it.
    public var pollIntervalMilliseconds: Int = 250
    /// Sees every byte on the wire as it happens, for `scanledger capture`
    /// (`LLRPCapture`). Set before `run()`; called on the `run()` thread.
    /// Unset, it costs one nil check per read and send.
    public var wireTap: ((LLRPWireEvent) -> Void)? = nil

    private var socketFD: Int32 = -1
    private var wakeRead: Int32 = -1, wakeWrite: Int32 = -1
    private let lock = NSLock()
    private var stopRequested = false
    private var published = LLRPClientStatus()
    private var working = LLRPClientStatus()
    private var everConnected = false
    private var readBuffer = [UInt8](repeating: 0, count: 65_536)

    public static let monotonicMilliseconds: Clock = { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }

    /// - clock: drives the session's timers (monotonic milliseconds).
    /// - stamp: the time put on events the reader did not time-stamp itself.
    /// - handler: every decoded event (tag reads included), in stream order.
    /// - onOutput: every session output (state changes, sent messages, notes).
    public init(config: LLRPReaderConfig, name: DeviceID, device: DeviceIndex,
                clock: @escaping Clock = LLRPTCPClient.monotonicMilliseconds,
                stamp: @escaping @Sendable () -> Microseconds = DeviceRunner.wallClock,
                handler: @escaping Handler, onOutput: @escaping (LLRPSessionOutput) -> Void = { _ in }) {
        self.config = config
        session = LLRPSession(config: config)
        decoder = LLRPDecoder(device: device)
        self.clock = clock
        self.stamp = stamp
        self.name = name
        self.handler = handler
        self.onOutput = onOutput
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            wakeRead = fds[0]; wakeWrite = fds[1]
            _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        }
    }

    deinit {
        closeSocket()
        if wakeRead >= 0 { close(wakeRead) }
        if wakeWrite >= 0 { close(wakeWrite) }
    }

    /// A copy taken on the `run()` thread after every read, connect and
    /// state change; safe to read from any thread (control socket, metrics).
    public var status: LLRPClientStatus { lock.lock(); defer { lock.unlock() }; return published }
    public var counters: LLRPCounters { status.decoder }
    public var state: LLRPSession.State { status.state }

    /// Asks for CLOSE_CONNECTION and a clean stop; `run()` returns once done.
    public func requestStop() {
        lock.lock(); stopRequested = true; lock.unlock()
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
    }

    /// Connects, configures, reads, reconnects, until stopped.
    public func run() {
        var out: [LLRPSessionOutput] = []
        session.start(now: clock(), into: &out)
        perform(&out)
        while session.state != .stopped {
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            if socketFD >= 0 { fds.append(pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)) }
            var timeout = pollIntervalMilliseconds
            if let d = session.nextDeadline { timeout = Int(max(0, min(Int64(timeout), d - clock()))) }
            _ = poll(&fds, nfds_t(fds.count), Int32(timeout))
            // The clock is read after poll reported readiness, so bytes that
            // arrived are never older than `now` (virtual clocks in tests rely on it).
            let now = clock()
            if fds[0].revents != 0 {
                var sink = [UInt8](repeating: 0, count: 64)
                _ = read(wakeRead, &sink, sink.count)
                lock.lock(); let stop = stopRequested; stopRequested = false; lock.unlock()
                if stop {
                    if socketFD >= 0 { wireTap?(.stopRequested) }
                    session.stop(now: now, into: &out)
                    perform(&out)
                }
            }
            session.tick(now: now, into: &out)
            perform(&out)
            if fds.count > 1, fds[1].revents != 0, socketFD >= 0, fds[1].fd == socketFD {
                readSocket(now: now, out: &out)
            }
            publish()
        }
        closeSocket()
        publish()
    }

    /// Copies the run thread's counters where other threads can read them.
    private func publish() {
        working.decoder = decoder.counters
        working.state = session.state
        lock.lock(); published = working; lock.unlock()
    }

    private func readSocket(now: Int64, out: inout [LLRPSessionOutput]) {
        let n = readBuffer.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
        if n > 0 {
            if let tap = wireTap { tap(.received(readBuffer[0..<n])) }
            working.lastSeen = stamp()
            var sink = LLRPDriver.BatchSink(time: working.lastSeen ?? .zero, batch: takeBatch(), answersKeepalives: false)
            readBuffer.withUnsafeBytes { decoder.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n]), into: &sink) }
            working.failedResponses &+= sink.failedResponses
            deliver(&sink.batch)
            for e in sink.forSession {
                session.handle(e, now: now, into: &out)
                perform(&out)
            }
        } else if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            let reason = n == 0 ? "reader closed the connection" : String(cString: strerror(errno))
            wireTap?(n == 0 ? .readerClosed : .connectionLost)
            finishStream()
            if n == 0 { session.transportClosed(now: now, into: &out) } else { session.transportFailed(now: now, reason: reason, into: &out) }
            perform(&out)
        }
    }

    /// Carries out the session's outputs in order.
    private func perform(_ out: inout [LLRPSessionOutput]) {
        var i = 0
        while i < out.count {
            let o = out[i]
            i += 1
            onOutput(o)
            switch o {
            case .connect(let host, let port, let timeout):
                let now = clock()
                switch LLRPTCPClient.connect(host: host, port: port, timeoutMilliseconds: timeout) {
                case .success(let fd):
                    socketFD = fd
                    decoder.reset()
                    if everConnected { working.reconnects &+= 1 }
                    everConnected = true
                    var b = takeBatch()
                    b.append(.connected(time: stamp()))
                    deliver(&b)
                    session.transportConnected(now: now, into: &out)
                case .failure(let error):
                    working.connectFailures &+= 1
                    session.transportFailed(now: now, reason: error.description, into: &out)
                }
            case .send(let bytes, _, _):
                if sendAll(bytes) {
                    wireTap?(.sent(bytes))
                } else {
                    let reason = String(cString: strerror(errno))
                    wireTap?(.connectionLost)
                    closeSocket()
                    session.transportFailed(now: clock(), reason: "send: \(reason)", into: &out)
                }
            case .disconnect:
                if socketFD >= 0 { finishStream() }
            case .note(let note):
                switch note {
                case .connectionRefused, .setupFailed, .timeout, .linkDead, .framingLost: working.sessionFailures &+= 1
                default: break
                }
            }
        }
        out.removeAll(keepingCapacity: true)
    }

    /// The connection ended: report a partial message, close, say so.
    private func finishStream() {
        var sink = LLRPDriver.BatchSink(time: stamp(), batch: takeBatch(), answersKeepalives: false)
        decoder.finish(into: &sink)
        closeSocket()
        sink.batch.append(.disconnected(time: stamp()))
        deliver(&sink.batch)
    }

    /// The reusable batch, moved out so a sink can own it while decoding.
    private func takeBatch() -> EventBatch {
        var b = EventBatch(capacity: 0)
        swap(&b, &batch)
        return b
    }

    /// Hands events to the handler and keeps the storage for next time.
    private func deliver(_ b: inout EventBatch) {
        if !b.events.isEmpty { handler(name, b) }
        b.removeAll()
        swap(&b, &batch)
    }

    private func sendAll(_ bytes: [UInt8]) -> Bool {
        guard socketFD >= 0, !bytes.isEmpty else { errno = ENOTCONN; return bytes.isEmpty }
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return send(socketFD, base + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { sent += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                var p = pollfd(fd: socketFD, events: Int16(POLLOUT), revents: 0)
                guard poll(&p, 1, 5_000) > 0 else { errno = ETIMEDOUT; return false }
                continue
            }
            return false
        }
        return true
    }

    private func closeSocket() {
        if socketFD >= 0 { close(socketFD); socketFD = -1 }
    }

    /// A connect failure: what failed and why, in the runtime kit's words.
    public struct ConnectError: Error, CustomStringConvertible {
        public var host: String
        public var port: UInt16
        public var reason: String
        public var description: String { "LLRP connect to \(host):\(port): \(reason)" }
    }

    /// Non-blocking connect with a timeout (`TCPTransport.connectSocket`).
    public static func connect(host: String, port: UInt16, timeoutMilliseconds: Int) -> Result<Int32, ConnectError> {
        do throws(DeviceError) {
            return .success(try TCPTransport.connectSocket(host: host, port: port, timeoutMs: timeoutMilliseconds).rawValue)
        } catch {
            return .failure(ConnectError(host: host, port: port, reason: error.description))
        }
    }
}

/// What `LLRPTCPClient.wireTap` sees, in wire order.
public enum LLRPWireEvent {
    /// Bytes read from the reader, one `recv` (valid during the call only).
    case received(ArraySlice<UInt8>)
    /// One whole message sent to the reader.
    case sent([UInt8])
    /// The reader closed the TCP connection.
    case readerClosed
    /// The connection failed (a read or send error).
    case connectionLost
    /// `requestStop()` took effect on an open connection: STOP_ROSPEC and
    /// CLOSE_CONNECTION follow. (Between connections there is nothing to
    /// close, and a `! stop` would replay as a second `disconnected`.)
    case stopRequested
}


