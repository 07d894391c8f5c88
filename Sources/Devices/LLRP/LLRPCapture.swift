import Foundation
import ScanModel

/// `scanledger capture --llrp HOST[:PORT]`: runs a real LLRP session with
/// `LLRPTCPClient` and records every byte both ways in the capture log
/// format, so `scanledger replay` of the file gives the same reads and the
/// conversation replay can check the session's messages against it.
///
/// The log follows the LLRP captures in Tests/Captures: no `! connect`
/// (the reader's ConnectionAttempt event opens each connection), `! close`
/// when the reader hangs up, `! disconnect` when the connection fails,
/// `! stop` before the STOP_ROSPEC / CLOSE_CONNECTION of a clean shutdown.
/// Reconnects after the session was running are recorded like any traffic.
public final class LLRPCapture: @unchecked Sendable {
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
        let client = LLRPTCPClient(config: config, name: DeviceID("capture"), device: DeviceIndex(0),
                                   handler: { [self] _, batch in
                                       let tags = batch.events.reduce(0) { n, e in if case .tag = e { n + 1 } else { n } }
                                       lock.lock(); summary.tagReads += tags; lock.unlock()
                                   },
                                   onOutput: { [self] output in noteOutput(output) })
        client.wireTap = { [self] event in record(event) }
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { client.run(); done.signal() }
        thread.name = "llrp capture"
        thread.start()
        var stopRequested = false
        while done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            if !stopRequested && (shouldStop() || hasFailed) {
                stopRequested = true
                client.requestStop()
            }
        }
        lock.lock(); defer { lock.unlock() }
        if let failure { throw Failure(description: failure) }
        return summary
    }

    private var hasFailed: Bool { lock.lock(); defer { lock.unlock() }; return failure != nil }

    /// Runs on the client's thread, in wire order.
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

    /// Remembers the first failure before the session ever ran.
    private func noteOutput(_ output: LLRPSessionOutput) {
        guard case .note(let note) = output else { return }
        lock.lock(); defer { lock.unlock() }
        switch note {
        case .state(.running):
            wasRunning = true
        case .connectionRefused, .setupFailed, .timeout, .linkDead, .framingLost, .transportFailed, .transportClosed:
            guard !wasRunning, failure == nil else { return }
            let text = LLRPDriver.logLine(note, config: config)?.1 ?? "\(note)"
            let peer = "\(config.host):\(config.port)"
            failure = text.contains(peer) ? text : "LLRP reader \(peer): \(text)"
        default:
            break
        }
    }
}
