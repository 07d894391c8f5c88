import ScanModel

/// The host's side of SSI's ACK/NAK handshake for its own commands: one
/// command in flight at a time; the next goes when the scanner ACKs. A NAK
/// RESEND, or no answer within the response timeout, sends the same packet
/// again with the retransmit bit set, at most `retries` times (the guide:
/// the host "should limit the number of retries"). A scanner that never
/// answers is not speaking SSI at this baud rate: the connection is dropped
/// so the runner reconnects with its backoff and the operator sees why.
struct SSIConversation {
    struct Command: Equatable {
        let name: String
        let packet: [UInt8]
    }

    let timeout: Microseconds
    let retries: Int
    private var queue: [Command] = []
    private(set) var outstanding: Command? = nil
    private var attempts = 0
    private var sentAt = Microseconds.zero
    private(set) var isClosing = false
    private(set) var retransmissions: UInt64 = 0
    var log: [(LogLevel, String)] = []

    init(timeout: Microseconds, retries: Int) {
        self.timeout = timeout; self.retries = retries
    }

    /// The wall clock stepped: the command in flight keeps its full wait.
    mutating func shiftTimers(by delta: Microseconds) { sentAt = sentAt + delta }

    /// Sends the first of `commands`; the rest follow as each is ACKed.
    mutating func begin(_ commands: [Command], now: Microseconds, into out: inout [[UInt8]]) {
        queue = commands
        outstanding = nil
        isClosing = false
        sendNext(now: now, into: &out)
    }

    /// Stop: whatever was still queued is moot; the goodbye goes next.
    mutating func close(with commands: [Command], now: Microseconds, into out: inout [[UInt8]]) {
        queue = commands
        outstanding = nil
        isClosing = true
        sendNext(now: now, into: &out)
    }

    /// The goodbye was answered (or given up on).
    var isDone: Bool { outstanding == nil && queue.isEmpty }

    var deadline: Microseconds? { outstanding == nil ? nil : sentAt + timeout }

    /// CMD_ACK: the command in flight is done. Returns its name (nil: the
    /// ACK answers something sent outside the conversation, such as a beep).
    mutating func acknowledged(now: Microseconds, into out: inout [[UInt8]]) -> String? {
        guard let done = outstanding else { return nil }
        outstanding = nil
        sendNext(now: now, into: &out)
        return done.name
    }

    /// CMD_NAK with `cause`. RESEND: the packet was damaged, send it again.
    /// DENIED and BAD_CONTEXT: this scanner will not take it; resending
    /// cannot help, so it is logged and the next command goes.
    mutating func refused(cause: UInt8, now: Microseconds, into out: inout [[UInt8]]) throws(DeviceError) {
        guard let command = outstanding else { return }
        if cause == SSIProtocol.NakCause.resend {
            try resend(command, why: "NAK RESEND", now: now, into: &out)
        } else {
            log.append((.warning, "scanner refused \(command.name) (\(SSIProtocol.NakCause.name(cause))); continuing without it"))
            outstanding = nil
            sendNext(now: now, into: &out)
        }
    }

    mutating func tick(now: Microseconds, into out: inout [[UInt8]]) throws(DeviceError) {
        guard let command = outstanding, now >= sentAt + timeout else { return }
        try resend(command, why: "no ACK within \(timeout.value / 1000) ms", now: now, into: &out)
    }

    /// The connection is gone: nothing is in flight on the next one.
    mutating func reset() {
        queue.removeAll(); outstanding = nil; attempts = 0
    }

    private mutating func resend(_ command: Command, why: String, now: Microseconds, into out: inout [[UInt8]]) throws(DeviceError) {
        guard attempts < retries else {
            outstanding = nil
            let message = "\(command.name) not acknowledged after \(attempts + 1) tries (\(why)): is the scanner in SSI mode at this baud rate?"
            if isClosing {
                // Stopping anyway: say so and close.
                queue.removeAll()
                log.append((.warning, message))
                return
            }
            log.append((.error, message))
            throw .connection(message)
        }
        attempts += 1
        retransmissions &+= 1
        sentAt = now
        log.append((.info, "\(command.name): \(why), retransmitting (\(attempts) of \(retries))"))
        out.append(SSIProtocol.retransmission(of: command.packet))
    }

    private mutating func sendNext(now: Microseconds, into out: inout [[UInt8]]) {
        guard !queue.isEmpty else { return }
        let command = queue.removeFirst()
        outstanding = command
        attempts = 0
        sentAt = now
        out.append(command.packet)
    }
}
