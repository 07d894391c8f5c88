import Foundation
import ScanModel

/// A scripted session for simulated devices, one step per line:
///
///     device NAME line|mercury|tsl      declare a device (a new pty)
///     device NAME llrp [PORT]           declare an LLRP reader on 127.0.0.1:PORT (0/none: any free port)
///     open NAME [SECONDS]               wait until the daemon has opened it
///     scan NAME DATA                    a barcode (`\x1d` = GS, `\r` etc.)
///     tags NAME EPC[,EPC…] [antenna=N] [rssi=DBM] [count=N] [repeat=N]
///     trigger NAME press|release        a handheld's trigger
///     keepalive NAME                    a streaming reader's "no tags" status
///     sleep SECONDS
///     say TEXT                          print a line (narration for demos)
///
/// `#` starts a comment. Errors name the file and line.
public struct Scenario: Sendable {
    public enum Step: Sendable, Equatable {
        case device(String, SimulatedDevice.Kind, port: UInt16 = 0)
        case open(String, seconds: Double)
        case scan(String, [UInt8])
        case tags(String, [EPC], antenna: UInt8, rssi: Int8, count: UInt8, repeats: Int)
        case trigger(String, pressed: Bool)
        case keepalive(String)
        case sleep(Double)
        case say(String)
    }

    public struct Line: Sendable, Equatable {
        public let number: Int
        public let step: Step
    }

    public let file: String
    public let lines: [Line]

    public static func parse(_ text: String, file: String) throws -> Scenario {
        var lines: [Line] = []
        var declared: Set<String> = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let line = try parseLine(String(raw), number: index + 1, file: file, declared: &declared) {
                lines.append(line)
            }
        }
        return Scenario(file: file, lines: lines)
    }

    /// One step; nil for a blank or comment line. `declared` collects device
    /// names so later steps can be checked against them.
    public static func parseLine(_ raw: String, number: Int, file: String, declared: inout Set<String>) throws -> Line? {
        func fail(_ message: String) -> SimulationError { SimulationError("\(file):\(number): \(message)") }
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.hasPrefix("#") { return nil }
        let words = trimmed.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let verb = words[0]
        func name() throws -> String {
            guard words.count >= 2 else { throw fail("\(verb) needs a device name") }
            if verb != "device", !declared.contains(words[1]) { throw fail("device '\(words[1])' is not declared above") }
            return words[1]
        }
        func seconds(_ word: String) throws -> Double {
            guard let s = Double(word), s >= 0, s <= 3600 else { throw fail("'\(word)' is not a number of seconds (0…3600)") }
            return s
        }
        let step: Step
        switch verb {
        case "device":
            let n = try name()
            guard words.count == 3 || words.count == 4, let kind = SimulatedDevice.Kind(rawValue: words[2]) else {
                throw fail("device NAME line|mercury|tsl, or device NAME llrp [PORT]")
            }
            var port: UInt16 = 0
            if words.count == 4 {
                guard kind == .llrp, let p = UInt16(words[3]) else { throw fail("only an llrp device takes a port (1…65535)") }
                port = p
            }
            guard declared.insert(n).inserted else { throw fail("device '\(n)' declared twice") }
            step = .device(n, kind, port: port)
        case "open":
            step = .open(try name(), seconds: words.count > 2 ? try seconds(words[2]) : 10)
        case "scan":
            let n = try name()
            guard let range = trimmed.range(of: n) else { throw fail("scan NAME DATA") }
            let data = trimmed[range.upperBound...].trimmingCharacters(in: .whitespaces)
            guard !data.isEmpty else { throw fail("scan needs data") }
            step = .scan(n, try unescape(data, fail: fail))
        case "tags":
            let n = try name()
            guard words.count >= 3 else { throw fail("tags NAME EPC[,EPC…] [antenna=N] [rssi=DBM] [count=N] [repeat=N]") }
            var epcs: [EPC] = []
            for hex in words[2].split(separator: ",") {
                guard let epc = EPC(hex: hex), hex.count % 2 == 0 else { throw fail("'\(hex)' is not an EPC in whole hex bytes") }
                epcs.append(epc)
            }
            var antenna: UInt8 = 1, rssi: Int8 = -55, count: UInt8 = 1, repeats = 1
            for option in words.dropFirst(3) {
                let kv = option.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw fail("'\(option)' is not KEY=VALUE") }
                switch kv[0] {
                case "antenna": guard let v = UInt8(kv[1]), (1...15).contains(v) else { throw fail("antenna is 1…15") }; antenna = v
                case "rssi": guard let v = Int8(kv[1]) else { throw fail("rssi is a dBm value such as -55") }; rssi = v
                case "count": guard let v = UInt8(kv[1]), v > 0 else { throw fail("count is 1…255") }; count = v
                case "repeat": guard let v = Int(kv[1]), (1...100_000).contains(v) else { throw fail("repeat is 1…100000") }; repeats = v
                default: throw fail("unknown option '\(kv[0])' (antenna, rssi, count, repeat)")
                }
            }
            step = .tags(n, epcs, antenna: antenna, rssi: rssi, count: count, repeats: repeats)
        case "trigger":
            let n = try name()
            guard words.count == 3, ["press", "release"].contains(words[2]) else { throw fail("trigger NAME press|release") }
            step = .trigger(n, pressed: words[2] == "press")
        case "keepalive":
            step = .keepalive(try name())
        case "sleep":
            guard words.count == 2 else { throw fail("sleep SECONDS") }
            step = .sleep(try seconds(words[1]))
        case "say":
            step = .say(String(trimmed.dropFirst(3)).trimmingCharacters(in: .whitespaces))
        default:
            throw fail("unknown step '\(verb)' (device, open, scan, tags, trigger, keepalive, sleep, say)")
        }
        return Line(number: number, step: step)
    }

    /// `\x1d`, `\r`, `\n`, `\t`, `\\` in scan data; a real GS byte also passes.
    static func unescape(_ text: String, fail: (String) -> SimulationError) throws -> [UInt8] {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let b = bytes.popFirst() {
            guard b == UInt8(ascii: "\\") else { out.append(b); continue }
            guard let e = bytes.popFirst() else { throw fail("scan data ends with a lone backslash") }
            switch e {
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "x"):
                guard bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) else {
                    throw fail("\\x needs two hex digits")
                }
                out.append(v)
                bytes = bytes.dropFirst(2)
            default: throw fail("unknown escape \\\(Character(UnicodeScalar(e)))")
            }
        }
        return out
    }

    /// Plays the scenario. `created` is told each device's pty path as soon
    /// as it exists (to write a config or a symlink); `say` receives narration.
    public func run(created: @escaping (SimulatedDevice) throws -> Void, say: @escaping (String) -> Void) throws {
        let player = ScenarioPlayer(file: file, created: created, say: say)
        for line in lines { try player.perform(line) }
    }
}

/// Performs steps one at a time and owns the devices they declared, so a
/// scenario can also be typed in interactively.
public final class ScenarioPlayer {
    private let file: String
    private let created: (SimulatedDevice) throws -> Void
    private let say: (String) -> Void
    private var devices: [String: SimulatedDevice] = [:]

    public init(file: String, created: @escaping (SimulatedDevice) throws -> Void, say: @escaping (String) -> Void) {
        self.file = file; self.created = created; self.say = say
    }

    public func perform(_ line: Scenario.Line) throws {
        func fail(_ message: String) -> SimulationError { SimulationError("\(file):\(line.number): \(message)") }
        func device(_ name: String) throws -> SimulatedDevice {
            guard let d = devices[name] else { throw fail("device '\(name)' is not declared") }
            return d
        }
        do {
            switch line.step {
            case .device(let name, let kind, let port):
                let d = try SimulatedDevice(name: name, kind: kind, port: port)
                devices[name] = d
                try created(d)
            case .open(let name, let seconds):
                let d = try device(name)
                guard d.waitUntilOpened(timeout: .milliseconds(Int64(seconds * 1000))) else {
                    throw fail("nobody opened \(name) (\(d.path)) within \(seconds) s")
                }
            case .scan(let name, let data):
                try device(name).scan(data)
            case .tags(let name, let epcs, let antenna, let rssi, let count, let repeats):
                let d = try device(name)
                for _ in 0..<repeats { try d.tags(epcs, antenna: antenna, rssi: rssi, count: count) }
            case .trigger(let name, let pressed):
                try device(name).trigger(pressed: pressed)
            case .keepalive(let name):
                try device(name).keepalive()
            case .sleep(let seconds):
                let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
                while ContinuousClock.now < deadline {
                    for d in devices.values { d.drainCommands() }
                    usleep(10_000)
                }
            case .say(let text):
                say(text)
            }
        } catch let error as SimulationError where !error.description.hasPrefix(file) {
            throw fail(error.description)
        }
    }
}
