import Foundation
import ScanModel

/// One LLRP reader on its own thread: `LLRPTCPClient.run()` with the session's
/// notes turned into log lines, started and stopped like a `DeviceRunner`
/// (same handler type, same counters), so the service runs both alike.
/// Reconnecting with backoff is the session's; a reader that is down only
/// ever blocks its own thread.
public final class LLRPReaderRunner: @unchecked Sendable {
    public let name: DeviceID
    public let client: LLRPTCPClient
    private let logger: any DeviceLogger
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var started = false
    private var finished = false

    public init(config: LLRPReaderConfig, name: DeviceID, device: DeviceIndex,
                logger: any DeviceLogger = StandardErrorLogger(),
                handler: @escaping DeviceRunner.Handler) {
        self.name = name
        self.logger = logger
        let label = name.name
        client = LLRPTCPClient(config: config, name: name, device: device, handler: handler) { output in
            guard case .note(let note) = output, let (level, text) = LLRPReaderRunner.logLine(note, config: config) else { return }
            logger.log(level, device: label, text)
        }
    }

    public var status: LLRPClientStatus { client.status }
    public var counters: DriverCounters { client.status.driverCounters }
    /// True while the reader is configured and inventorying.
    public var isConnected: Bool { client.status.isRunning }

    public func start() {
        lock.lock(); let first = !started; started = true; lock.unlock()
        guard first else { return }
        let t = Thread { [self] in
            client.run()
            lock.lock(); finished = true; lock.unlock()
            done.signal()
        }
        t.name = "llrp \(name)"
        t.start()
    }

    /// Asks for STOP_ROSPEC + CLOSE_CONNECTION and waits for the thread. The
    /// wait is bounded by the session's own timeouts (a connect in progress,
    /// then the CLOSE_CONNECTION_RESPONSE wait); `limit` is a backstop.
    public func stop(limit: TimeInterval = 15) {
        lock.lock(); let running = started && !finished; lock.unlock()
        guard running else { return }
        client.requestStop()
        if done.wait(timeout: .now() + limit) == .timedOut {
            logger.log(.error, device: name.name, "did not stop within \(Int(limit)) s")
        } else {
            done.signal() // a later stop() returns at once too
        }
    }

    /// The log line for a session note; nil for the ones that are noise.
    static func logLine(_ note: LLRPSessionNote, config: LLRPReaderConfig) -> (DeviceLogLevel, String)? {
        let peer = "\(config.host):\(config.port)"
        switch note {
        case .state(.running): return (.info, "LLRP reader \(peer) configured and inventorying")
        case .state(.stopped): return (.info, "LLRP session with \(peer) closed")
        case .state: return nil
        case .connectionRefused(let s): return (.warning, "reader \(peer) refused the connection: \(s.name)")
        case .setupFailed(let type, let code, let text):
            return (.warning, "\(LLRPMessageType.name(type)) failed with \(LLRPStatusCode.name(code))\(text.isEmpty ? "" : ": \(text)")")
        case .timeout(let what): return (.warning, "timed out waiting for \(what) from \(peer)")
        case .keepaliveMissed(let n): return n > 1 ? (.warning, "\(n) keepalive periods without a word from \(peer)") : nil
        case .linkDead: return (.warning, "link to \(peer) declared dead (no keepalive)")
        case .framingLost: return (.warning, "lost LLRP framing with \(peer)")
        case .transportFailed(let reason): return (.warning, reason)
        case .transportClosed: return (.warning, "reader \(peer) closed the connection")
        case .reconnectScheduled(let attempt, let delay): return (.info, "reconnect attempt \(attempt) in \(delay) ms")
        }
    }
}
