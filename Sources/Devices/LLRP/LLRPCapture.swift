import Foundation
import ScanModel

/// `scanledger capture --llrp HOST[:PORT]`: runs a real LLRP session on
/// `DeviceRunner` (the daemon's runner) through a `WireTapTransport` and
/// records every byte both ways in the capture log
/// format, so `scanledger replay` of the file gives the same reads and the
/// conversation replay can check the session's messages against it.
///
/// The log follows the LLRP captures in Tests/Captures: no `! connect`
/// (the reader's ConnectionAttempt event opens each connection), `! close`
/// when the reader hangs up, `! disconnect` when the connection fails,
/// `! stop` before the STOP_ROSPEC / CLOSE_CONNECTION of a clean shutdown.
/// Reconnects after the session was running are recorded like any traffic.
public final class LLRPCapture: @unchecked Sendable {
    // @unchecked Sendable: `summary`, `failure` and `wasRunning` are only touched under `lock`.
    /// Why a capture ended badly. `description` names the reader's host:port.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public struct Summary: Sendable, Equatable {
        /// Bytes the reader sent.
        public var bytesFromReader = 0
        /// Tag reads decoded live while recording.
        public var tagReads = 0
    }

    public let config: LLRPReaderConfig
    private let recorder: CaptureRecorder
    private let lock = NSLock()
    private var summary = Summary()
    private var failure: String? = nil
    private var wasRunning = false

    public init(config: LLRPReaderConfig, recorder: CaptureRecorder) {
        self.config = config
        self.recorder = recorder
    }

    /// The header fields for an LLRP capture (docs/capture-format.md).
    /// `options` is the `--options` text as given: `# Config:` must parse
    /// back to the same reader configuration, so the replayed session sends
    /// exactly the recorded messages.
    public static func header(config: LLRPReaderConfig, options: String, name: String?, firmware: String,
                              date: String) -> [(key: String, value: String)] {
        let words = options.split(separator: " ").joined(separator: " ")
        return [
            ("Name", name ?? "LLRP reader \(config.host):\(config.port)"),
            ("Interface", "TCP \(config.port) (LLRP 1.0.1)"),
            ("VID-PID", "n/a"),
            ("Firmware", firmware),
            ("Serial", "n/a"),
            ("Source", "recorded on hardware from \(config.host):\(config.port) by scanledger capture at \(date)"),
            ("Driver", "llrp"),
            ("Config", words.isEmpty ? "preset=\(LLRPInventoryPreset.presence.rawValue)" : words),
        ]
    }

    /// Records until `shouldStop` says so (polled every 50 ms on the
    /// caller's thread), then stops the session cleanly (CLOSE_CONNECTION,
    /// recorded too). Fails when the reader could not be reached or set up
    /// before it ever ran: the session would otherwise retry for ever, and
    /// the person capturing wants to know now. What was recorded stays.
    public func run(shouldStop: @escaping () -> Bool) throws(Failure) -> Summary {
        var options = DriverOptions()
        options.reader = config
        options.reconnect = config.backoff
        let device = DeviceConfig(name: DeviceID("capture"), driver: "llrp", port: .network(host: config.host, port: config.port), options: options)
        let runner: DeviceRunner
        do {
            runner = try DeviceRunner(config: device, logger: FailureWatch(capture: self), opener: { [self] (c) throws(DeviceError) in
                WireTapTransport(try TCPTransport.opener(c)) { [self] event in record(event) }
            }, handler: { [self] _, batch in
                let tags = batch.events.reduce(0) { n, e in if case .tag = e { n + 1 } else { n } }
                lock.lock(); summary.tagReads += tags; lock.unlock()
            })
        } catch {
            throw Failure(description: "\(error)")
        }
        runner.start()
        while !shouldStop() && !hasFailed { usleep(50_000) }
        runner.stop()
        lock.lock(); defer { lock.unlock() }
        if let failure { throw Failure(description: failure) }
        return summary
    }

    private var hasFailed: Bool { lock.lock(); defer { lock.unlock() }; return failure != nil }

    /// Runs on the runner's thread, in wire order.
    private func record(_ event: LLRPWireEvent) {
        switch event {
        case .received(let bytes):
            recorder.record(.fromDevice, Array(bytes))
            lock.lock(); summary.bytesFromReader += bytes.count; lock.unlock()
        case .sent(let bytes): recorder.record(.toDevice, bytes)
        case .readerClosed: recorder.event("close")
        case .connectionLost: recorder.event("disconnect")
        case .stopRequested: recorder.event("stop")
        }
    }

    /// Remembers the first failure before the session ever ran, from the
    /// runner's log: its connect errors and the session's warnings.
    fileprivate func noteLog(_ level: LogLevel, _ message: String) {
        lock.lock(); defer { lock.unlock() }
        if message.contains("configured and inventorying") { wasRunning = true }
        guard level == .warning, !wasRunning, failure == nil else { return }
        let text = message.range(of: "; retrying in").map { String(message[..<$0.lowerBound]) } ?? message
        let peer = "\(config.host):\(config.port)"
        failure = text.contains(peer) ? text : "LLRP reader \(peer): \(text)"
    }
}

/// The capture's logger: the runner's lines tell it whether the session ran.
private struct FailureWatch: DeviceLogger {
    let capture: LLRPCapture
    func log(_ level: LogLevel, device: String, _ message: String) { capture.noteLog(level, message) }
}
