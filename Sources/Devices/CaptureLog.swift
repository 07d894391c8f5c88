import ScanModel

/// A device's raw traffic as a text file (docs/capture-format.md):
/// `# Key: value` header lines, then one record per line:
/// `SECONDS.MICROS DIR PAYLOAD` where DIR is `<` (device → host),
/// `>` (host → device) or `!` (a connection event: `connect`, `disconnect`;
/// `close` = the device closed the connection, `stop` = the host shut the
/// device down), and PAYLOAD is hex bytes, spaced (`FF 00 22`) or contiguous
/// (`FF0022`), or a quoted string with C escapes (`"EP: 3034\r\n"`).
public struct CaptureLog: Sendable, Equatable {
    public enum Direction: Character, Sendable { case fromDevice = "<", toDevice = ">", event = "!" }

    public struct Record: Sendable, Equatable {
        public var time: Microseconds
        public var direction: Direction
        public var bytes: [UInt8]
        /// For `!` records: one of `CaptureLog.eventNames`.
        public var event: String

        public init(time: Microseconds, direction: Direction, bytes: [UInt8] = [], event: String = "") {
            self.time = time; self.direction = direction; self.bytes = bytes; self.event = event
        }
    }

    /// Header fields in file order (`Name`, `Interface`, `VID-PID`, `Firmware`, `Serial`, `Source`, …).
    public var header: [(key: String, value: String)]
    public var records: [Record]

    public static let requiredKeys = ["Name", "Interface", "VID-PID", "Firmware", "Serial", "Source"]
    /// `!` record words. `close` and `stop` end a connection like `disconnect`
    /// but say who ended it (the LLRP conversation replay needs to know).
    public static let eventNames = ["connect", "disconnect", "close", "stop"]

    /// A serial line (USB CDC-ACM, USB-serial, RS-232, Bluetooth rfcomm):
    /// these captures are also replayed through a real pseudo-terminal.
    public var isSerialInterface: Bool {
        let i = (value("Interface") ?? "").lowercased()
        return i.contains("serial") || i.contains("cdc-acm") || i.contains("rs-232")
    }

    /// A TCP conversation (LLRP): replayed against a loopback TCP peer instead.
    public var isTCPInterface: Bool { (value("Interface") ?? "").hasPrefix("TCP") }

    public init(header: [(key: String, value: String)] = [], records: [Record] = []) {
        self.header = header; self.records = records
    }

    public static func == (a: CaptureLog, b: CaptureLog) -> Bool {
        a.records == b.records && a.header.map { "\($0.key)=\($0.value)" } == b.header.map { "\($0.key)=\($0.value)" }
    }

    public func value(_ key: String) -> String? { header.first(where: { $0.key == key })?.value }

    /// All device → host bytes in order (what `replay --raw` would take).
    public var deviceBytes: [UInt8] { records.filter { $0.direction == .fromDevice }.flatMap(\.bytes) }

    public static func parse(_ text: String, file: String = "<input>") throws(DeviceError) -> CaptureLog {
        var log = CaptureLog()
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if line.hasPrefix("#") {
                let body = line.dropFirst().drop(while: { $0 == " " })
                if let colon = body.firstIndex(of: ":"), !body[..<colon].contains(" ") || body[..<colon] == "VID-PID" {
                    let key = String(body[..<colon])
                    let value = body[body.index(after: colon)...].trimmingSpaces()
                    if !key.isEmpty, key.first!.isUppercase { log.header.append((key, value)) }
                }
                continue
            }
            log.records.append(try parseRecord(line, file: file, line: lineNumber))
        }
        return log
    }

    static func parseRecord(_ line: Substring, file: String, line n: Int) throws(DeviceError) -> Record {
        let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard fields.count >= 2 else {
            throw .captureFormat(file: file, line: n, message: "expected 'SECONDS.MICROS DIR PAYLOAD', got '\(line.prefix(60))'")
        }
        guard let time = parseTime(fields[0]) else {
            throw .captureFormat(file: file, line: n, message: "timestamp '\(fields[0])' is not SECONDS.MICROS (e.g. 1763830000.250000)")
        }
        guard fields[1].count == 1, let dir = Direction(rawValue: fields[1].first!) else {
            throw .captureFormat(file: file, line: n, message: "direction '\(fields[1])' must be '<' (from device), '>' (to device) or '!' (event)")
        }
        let payload = fields.count > 2 ? fields[2] : ""
        if dir == .event {
            let name = payload.trimmingSpaces()
            guard eventNames.contains(name) || Record.parseGPO(name) != nil else {
                throw .captureFormat(file: file, line: n, message: "event '\(name)' must be one of \(eventNames.joined(separator: ", ")) or 'gpo PORT on|off'")
            }
            return Record(time: time, direction: dir, event: name)
        }
        guard let bytes = parsePayload(payload) else {
            throw .captureFormat(file: file, line: n, message: "payload must be hex bytes ('FF 00 22' or 'FF0022') or a quoted string with \\r \\n \\t \\\\ \\\" \\xHH escapes")
        }
        return Record(time: time, direction: dir, bytes: bytes)
    }

    static func parseTime(_ s: Substring) -> Microseconds? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let secs = Int64(parts[0]), secs >= 0, secs < 100_000_000_000 else { return nil }
        var micros: Int64 = 0
        if parts.count == 2 {
            let frac = parts[1]
            guard !frac.isEmpty, frac.count <= 6, frac.allSatisfy({ $0.isASCII && $0.isNumber }), let f = Int64(frac) else { return nil }
            micros = f
            for _ in frac.count..<6 { micros *= 10 }
        }
        return Microseconds(secs * 1_000_000 + micros)
    }

    static func parsePayload(_ p: Substring) -> [UInt8]? {
        let s = p.trimmingSpaces()
        if s.hasPrefix("\"") { return parseQuoted(Array(s.utf8)) }
        var out: [UInt8] = []
        for token in s.split(separator: " ") {
            if token.hasPrefix("#") { break }        // trailing comment
            guard let bytes = hexBytes(token) else { return nil }
            out += bytes
        }
        return out
    }

    /// An even number of hex digits (`FF0022`) as bytes, or nil.
    static func hexBytes(_ token: Substring) -> [UInt8]? {
        let u = Array(token.utf8)
        guard !u.isEmpty, u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = hexValue(u[i]), let lo = hexValue(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func parseQuoted(_ u: [UInt8]) -> [UInt8]? {
        guard u.count >= 2, u.first == 0x22, u.last == 0x22 else { return nil }
        var out: [UInt8] = []
        var i = 1
        while i < u.count - 1 {
            let c = u[i]
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            guard i + 1 < u.count - 1 else { return nil }
            switch u[i + 1] {
            case UInt8(ascii: "r"): out.append(0x0D); i += 2
            case UInt8(ascii: "n"): out.append(0x0A); i += 2
            case UInt8(ascii: "t"): out.append(0x09); i += 2
            case UInt8(ascii: "\\"): out.append(0x5C); i += 2
            case UInt8(ascii: "\""): out.append(0x22); i += 2
            case UInt8(ascii: "x"):
                guard i + 3 < u.count - 1,
                      let b = UInt8(String(decoding: u[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) else { return nil }
                out.append(b); i += 4
            default: return nil
            }
        }
        return out
    }

    // MARK: writing

    public static func formatTime(_ t: Microseconds) -> String {
        let v = max(0, t.value)
        let frac = String(v % 1_000_000)
        return "\(v / 1_000_000)." + String(repeating: "0", count: 6 - frac.count) + frac
    }

    /// One record as a log line: quoted when the bytes are text, hex otherwise.
    public static func formatRecord(_ r: Record) -> String {
        let head = formatTime(r.time) + " " + String(r.direction.rawValue) + " "
        if r.direction == .event { return head + r.event }
        let isText = !r.bytes.isEmpty && r.bytes.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0D || $0 == 0x0A || $0 == 0x09 }
        if isText {
            var s = "\""
            for b in r.bytes {
                switch b {
                case 0x0D: s += "\\r"
                case 0x0A: s += "\\n"
                case 0x09: s += "\\t"
                case 0x5C: s += "\\\\"
                case 0x22: s += "\\\""
                default: s.unicodeScalars.append(UnicodeScalar(b))
                }
            }
            return head + s + "\""
        }
        return head + r.bytes.map(hex2).joined(separator: " ")
    }

    public func render() -> String {
        var out = header.map { "# \($0.key): \($0.value)\n" }.joined()
        for r in records { out += Self.formatRecord(r) + "\n" }
        return out
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

extension CaptureLog.Record {
    /// `gpo N on|off`: the host wrote general-purpose output N (operator
    /// feedback on an LLRP reader). Not a connection event: replay that only
    /// decodes the reader's bytes passes over it.
    public var gpoWrite: (port: UInt16, high: Bool)? { direction == .event ? Self.parseGPO(event) : nil }

    static func parseGPO(_ event: String) -> (port: UInt16, high: Bool)? {
        let words = event.split(separator: " ")
        guard words.count == 3, words[0] == "gpo", let port = UInt16(words[1]), port > 0, words[2] == "on" || words[2] == "off" else { return nil }
        return (port, words[2] == "on")
    }
}
