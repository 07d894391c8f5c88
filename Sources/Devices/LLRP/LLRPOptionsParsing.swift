import ScanModel

/// A bad LLRP reader option: which option (`antennas`, `report`, …, or the
/// whole word when it is not `KEY=VALUE`), the value, and what is allowed.
public struct LLRPOptionError: Error, Equatable, Sendable, CustomStringConvertible {
    public let option: String
    public let value: String
    public let message: String
    public init(option: String, value: String, message: String) {
        self.option = option; self.value = value; self.message = message
    }
    public var description: String {
        value.isEmpty ? "LLRP option '\(option)': \(message)" : "LLRP option \(option)=\(value): \(message)"
    }
}

extension LLRPReaderConfig {
    /// The option words a config's `options` (or a capture log's `# Config:`
    /// header) gives an LLRP reader, space separated, each `KEY=VALUE`:
    ///
    ///     preset=presence|cycle-count     Gen2 session/target preset (default presence)
    ///     antennas=1,2                    antenna ports to use (default and `antennas=`: all)
    ///     report=tags:N|sweep:MS          report every N tags, or once per sweep of MS
    ///     keepalive=MS                    KEEPALIVE period forced on the reader (default 5000; 0 = off)
    ///     tag-population=N                expected tags in the field (default 32)
    ///     reconnect-max=MS                longest wait between reconnect attempts (default 60000)
    ///
    /// Unknown keys and bad values are errors naming the option.
    public static func parsing(options text: String, host: String, port: UInt16 = 5084) throws(LLRPOptionError) -> LLRPReaderConfig {
        var fields: [(key: String, value: String)] = []
        for word in text.split(separator: " ") {
            let kv = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard kv.count == 2, !kv[0].isEmpty else {
                throw LLRPOptionError(option: String(word), value: "", message: "expected KEY=VALUE with KEY one of \(knownOptions)")
            }
            if fields.contains(where: { $0.key == kv[0] }) { throw LLRPOptionError(option: kv[0], value: kv[1], message: "given twice") }
            fields.append((kv[0], kv[1]))
        }
        var preset = LLRPInventoryPreset.presence
        if let v = fields.first(where: { $0.key == "preset" })?.value {
            guard let p = LLRPInventoryPreset(rawValue: v) else {
                throw LLRPOptionError(option: "preset", value: v, message: "not one of \(LLRPInventoryPreset.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            preset = p
        }
        var config = LLRPReaderConfig(host: host, preset: preset)
        config.port = port
        for (key, value) in fields {
            func number<T: FixedWidthInteger>(_ range: ClosedRange<T>, _ what: String) throws(LLRPOptionError) -> T {
                guard let n = T(value), range.contains(n) else {
                    throw LLRPOptionError(option: key, value: value, message: "expected \(what) \(range.lowerBound)…\(range.upperBound)")
                }
                return n
            }
            switch key {
            case "preset":
                break
            case "antennas":
                var ports: [UInt16] = []  // "antennas=" (empty) = all antennas
                for part in value.split(separator: ",", omittingEmptySubsequences: false) where !value.isEmpty {
                    guard let a = UInt16(part), a >= 1 else {
                        throw LLRPOptionError(option: key, value: value, message: "'\(part)' is not an antenna port 1…65535 (write antennas=1,2)")
                    }
                    if ports.contains(a) { throw LLRPOptionError(option: key, value: value, message: "antenna \(a) is listed twice") }
                    ports.append(a)
                }
                config.antennas = ports
            case "report":
                let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2 else {
                    throw LLRPOptionError(option: key, value: value, message: "expected tags:N (every N tag reads) or sweep:MS (once per sweep)")
                }
                if parts[0] == "tags", let n = UInt16(parts[1]), n >= 1 {
                    config.reportTrigger = .everyNTags(n)
                } else if parts[0] == "sweep", let ms = UInt32(parts[1]), (1...3_600_000).contains(ms) {
                    config.reportTrigger = .endOfSweep(milliseconds: ms)
                } else {
                    throw LLRPOptionError(option: key, value: value, message: "expected tags:N with N 1…65535, or sweep:MS with MS 1…3600000")
                }
            case "keepalive":
                config.keepaliveMilliseconds = try number(0...3_600_000, "milliseconds")
            case "tag-population":
                config.gen2.tagPopulation = try number(1...65_535, "a tag count")
            case "reconnect-max":
                let ms: Int64 = try number(100...3_600_000, "milliseconds")
                config.backoff = Backoff(initial: min(config.backoff.initial, .milliseconds(ms)), maximum: .milliseconds(ms))
            default:
                throw LLRPOptionError(option: key, value: value, message: "unknown option (known: \(knownOptions))")
            }
        }
        return config
    }

    static let knownOptions = "preset, antennas, report, keepalive, tag-population, reconnect-max"

    /// `HOST` or `HOST:PORT` (`[v6]:PORT` for IPv6 literals); the LLRP port defaults to 5084.
    public static func parseAddress(_ text: String) -> (host: String, port: UInt16)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return host.isEmpty ? nil : (host, 5084) }
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()), port > 0, !host.isEmpty else { return nil }
            return (host, port)
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return text.isEmpty || text.contains(" ") ? nil : (text, 5084)
        case 2:
            guard !parts[0].isEmpty, !parts[0].contains(" "), let port = UInt16(parts[1]), port > 0 else { return nil }
            return (String(parts[0]), port)
        default:
            return text.contains(" ") ? nil : (text, 5084) // a bare IPv6 literal
        }
    }
}
