import Foundation
import ScanModel

/// What `scanledger top` reads from scanledgerd: `status`, `devices` and
/// `stations` once per refresh, and the `watch` stream on its own thread
/// for the recent scans and outcomes. Answers are read with the kernel's
/// strict JSON reader (ScanModel/Text), errors naming the request they
/// answered.
final class TopSource: @unchecked Sendable {  // `recent` and `streamError` are guarded by `lock`
    let socket: String
    private let lock = NSLock()
    private var recent: [TopRecent] = []
    private var streamError: String?
    private var watching = false
    static let keptRecent = 200

    init(socket: String) { self.socket = socket }

    /// One request, one answer line, read strictly; an `ok: false` answer is
    /// a failure carrying the daemon's sentence.
    func request(_ cmd: String) throws -> JSONNode {
        var answer: JSONNode? = nil
        try lines(JSONText.object([("cmd", JSONText.quote(cmd))]), what: cmd) { answer = $0; return false }
        guard let answer else { throw ControlClient.Failure(description: "scanledgerd closed the connection without answering '\(cmd)'") }
        guard answer["ok"]?.value == .bool(true) else {
            throw ControlClient.Failure(description: "scanledgerd refused '\(cmd)': \(answer["error"]?.text ?? "no reason given")")
        }
        return answer
    }

    /// Sends `request` and hands each answer line to `body` until it returns
    /// false or the daemon closes the connection.
    func lines(_ request: String, what: String, _ body: (JSONNode) -> Bool) throws {
        let fd = FileDescriptor(rawValue: try ControlClient.connect(socket))
        defer { fd.close() }
        // A daemon that stops answering must not freeze the screen (watch sends a heartbeat every second).
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd.rawValue, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try fd.writeAll(Array((request + "\n").utf8), timeoutMs: 5_000, socket: true, what: socket)
        var buffer: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65_536), number = 0
        while true {
            while let nl = buffer.firstIndex(of: 0x0A) {
                number += 1
                let line = Array(buffer[..<nl])
                buffer.removeSubrange(...nl)
                let node: JSONNode
                do { node = try JSONReader.parse(line, file: "scanledgerd's answer to '\(what)' line \(number)") } catch {
                    throw ControlClient.Failure(description: "\(error)")
                }
                if !body(node) { return }
            }
            let n: Int
            do { n = try chunk.withUnsafeMutableBytes { raw in try fd.read(into: raw, what: socket) } } catch let e as Errno where e.wouldBlock {
                throw ControlClient.Failure(description: "scanledgerd at \(socket) did not answer '\(what)' within 5 s")
            }
            if n == 0 { return }
            buffer += chunk[..<n]
        }
    }

    /// Follows `watch` on a thread of its own, reconnecting after a second
    /// when the daemon goes away (a restart), until the process ends.
    func startWatching() {
        lock.withLock { watching = true }
        let thread = Thread { [self] in
            while true {
                do {
                    try lines(JSONText.object([("cmd", "\"watch\"")]), what: "watch") { event in
                        lock.withLock { streamError = nil }
                        if let item = TopRecent(event) { remember(item) }
                        return true
                    }
                    lock.withLock { streamError = "the watch stream ended (scanledgerd stopped?)" }
                } catch {
                    lock.withLock { streamError = "\(error)" }
                }
                Thread.sleep(forTimeInterval: 1)
            }
        }
        thread.name = "top watch"
        thread.start()
    }

    private func remember(_ item: TopRecent) {
        lock.withLock {
            recent.append(item)
            if recent.count > Self.keptRecent { recent.removeFirst(recent.count - Self.keptRecent) }
        }
    }

    /// Newest first; nil while the stream is not being followed (`--once`).
    var recentEvents: (events: [TopRecent], error: String?)? {
        lock.withLock { watching ? (recent.reversed(), streamError) : nil }
    }
}

/// One line of the recent activity: a scan, or a station's answer to one.
struct TopRecent {
    var time: Int64
    var text: String
    var severity: String?

    init?(_ event: JSONNode) {
        time = event["time"]?.int ?? 0
        switch event["type"]?.text {
        case "scan":
            text = "scan \(event["device"]?.text ?? "-") → \(event["station"]?.text ?? "-"): \(event["kind"]?.text ?? "") \(event["data"]?.text ?? "")"
        case "station":
            severity = event["severity"]?.text
            let who = event["operator"]?.text.map { " [\($0)]" } ?? ""
            text = "\(event["station"]?.text ?? "-")\(who) \((severity ?? "").uppercased()) \(event["code"]?.text ?? ""): \(event["message"]?.text ?? "")"
        case "device":
            severity = event["event"]?.text == "connected" ? "ok" : "warning"
            text = "device \(event["device"]?.text ?? "-") \(event["event"]?.text ?? "")\(event["message"]?.text.map { ": \($0)" } ?? "")"
        case "alarm":
            severity = "warning"
            text = "alarm \(event["zone"]?.text ?? "-") \(event["kind"]?.text ?? ""): \(event["message"]?.text ?? "")"
        case "dropped":
            severity = "warning"
            text = "\(event["count"]?.int ?? 0) events dropped (this view read too slowly)"
        default:
            return nil
        }
    }
}

/// Reading answers the way `top` needs them: absent, null or another type is nil.
extension JSONNode {
    var text: String? {
        switch value {
        case .string(let s): return s
        case .number(let n): return n.text
        case .bool(let b): return b ? "yes" : "no"
        default: return nil
        }
    }
    var int: Int64? { if case .number(let n) = value { return n.int64 ?? n.double.map { Int64($0) } } else { return nil } }
    var double: Double? { if case .number(let n) = value { return n.double } else { return nil } }
    var bool: Bool? { if case .bool(let b) = value { return b } else { return nil } }
    var items: [JSONNode] { if case .array(let a) = value { return a } else { return [] } }
}
