import Devices
import Forwarding
import Foundation
import GS1
import Ledger
import Pipeline
import ScanModel
import Stations

/// `scanledgerd --config FILE`, parsed and checked as a whole before anything
/// starts: every error names its key path, unknown keys are errors, and
/// cross-references (a station naming an unknown device or zone) are checked.
/// docs/config.md describes every key. `_comment` is allowed in every object.
public struct ServiceConfig: Sendable {
    public var boxID: String
    public var logLevel: LogLevel
    public var ledgerPath: String
    public var synchronous: LedgerOptions.Synchronous
    /// Station journal entries older than this are deleted (once forwarded
    /// when a central store is configured).
    public var journalRetentionDays = 730
    /// SQLite's check of the ledger file before the daemon opens it
    /// (`ledger.startup_check`: quick, full or off); nil is off.
    public var startupCheck: IntegrityCheck? = .quick
    public var controlSocket: String
    public var controlGroup: String?
    public var controlMode: UInt32
    public var patterns: [ScanPattern]
    public var devices: [DeviceSpec]
    public var zones: [ZoneConfig]
    public var stations: [StationSpec]
    /// Forwarding to a central PostgreSQL; nil keeps every posting local.
    public var central: ForwarderConfig?
    /// The command barcodes' values (`commands` in the file; CLOSE, CONFIRM… by default).
    public var commands = CommandNames()
    /// `metrics.textfile`: the Prometheus text written for node_exporter; nil writes none.
    public var metricsTextfile: MetricsTextfileConfig?

    /// The keys the top level of the file may have (docs/config.md, scanledger.json(5)).
    public static let topLevelKeys = ["site", "log_level", "ledger", "control", "patterns", "devices", "zones", "stations", "central", "commands", "metrics"]

    public static let defaultSocket = "/run/scanledger/control.sock"

    /// The pipeline configuration: zones plus one debounce-free scanner entry per device.
    public var pipeline: PipelineConfig {
        PipelineConfig(zones: zones, scanners: devices.map { ScannerConfig(device: $0.index, debounce: $0.debounce) })
    }

    public var scanDecoder: ScanDecoder { scanDecoder(bareGS1: .guess) }

    /// The decoder for a device with the given `gs1_without_aim` setting.
    public func scanDecoder(bareGS1: BareGS1Mode) -> ScanDecoder {
        // A kind the config gives patterns for replaces that kind's defaults; other kinds keep theirs.
        let configured = Set(patterns.map(\.kind))
        return ScanDecoder(classifier: ScanClassifier(patterns: patterns + ScanClassifier.defaultPatterns.filter { !configured.contains($0.kind) }),
                           bareGS1: bareGS1)
    }

    /// The decoder with the default patterns only (LOC:*, CMD:*, DOC:*, PO:*, ASN:*).
    public static var defaultDecoder: ScanDecoder { ScanDecoder() }

    /// Gives each device the index `index(name)` returns, in `devices` and in
    /// the zones' readers alike. The daemon numbers devices for the life of
    /// the process (a reload or `device-add` never reuses a number), while a
    /// parsed file numbers them by position.
    public mutating func renumberDevices(_ index: (String) -> DeviceIndex) {
        var map: [UInt16: DeviceIndex] = [:]
        for i in devices.indices {
            let new = index(devices[i].name)
            map[devices[i].index.value] = new
            devices[i].index = new
        }
        for z in zones.indices {
            for r in zones[z].readers.indices {
                if let new = map[zones[z].readers[r].device.value] { zones[z].readers[r].device = new }
            }
        }
    }

    public static func load(path: String) throws -> ServiceConfig {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigError(path: path, message: "cannot read: \((error as NSError).localizedDescription)")
        }
        return try parse(try ConfigNode.parse(data, file: path))
    }

    public static func parse(_ root: ConfigNode) throws -> ServiceConfig {
        try root.rejectUnknownKeys(allowed: Set(["_comment"] + topLevelKeys))
        let site = try root.required("site")
        try site.rejectUnknownKeys(allowed: ["_comment", "box_id"])
        let boxID = try site.required("box_id").string()
        var logLevel = LogLevel.info
        if let node = try root.optional("log_level") {
            let name = try node.oneOf(["error", "warning", "notice", "info", "debug"])
            logLevel = LogLevel(name: name) ?? .info
        }
        let ledger = try root.required("ledger")
        try ledger.rejectUnknownKeys(allowed: ["_comment", "path", "synchronous", "journal_retention_days", "startup_check"])
        let journalRetentionDays = try ledger.optional("journal_retention_days")?.int(in: 1...36_500) ?? 730
        let ledgerPath = try ledger.required("path").nonEmptyString()
        let startupCheck = try ledger.optional("startup_check").map { try $0.oneOf(["quick", "full", "off"]) } ?? "quick"
        let synchronous: LedgerOptions.Synchronous = try ledger.optional("synchronous").map { try $0.oneOf(["full", "normal"]) == "full" ? .full : .normal } ?? .full

        var socket = defaultSocket, group: String? = nil, mode: UInt32 = 0o660
        if let control = try root.optional("control") {
            try control.rejectUnknownKeys(allowed: ["_comment", "socket", "group", "mode"])
            if let s = try control.optional("socket") { socket = try s.nonEmptyString() }
            group = try control.optional("group")?.nonEmptyString()
            if let m = try control.optional("mode") {
                let text = try m.string()
                guard let v = UInt32(text, radix: 8), v <= 0o777 else { throw m.error("'\(text)' is not an octal file mode such as \"0660\"") }
                mode = v
            }
        }

        var patterns: [ScanPattern] = []
        if let p = try root.optional("patterns") {
            try p.rejectUnknownKeys(allowed: ["_comment", "location", "command", "document", "operator", "reason"])
            for (key, kind) in [("location", ScanKind.location), ("command", .command), ("document", .document),
                                ("operator", .operatorBadge), ("reason", .reason)] {
                for node in try p.optional(key)?.array() ?? [] {
                    let text = try node.nonEmptyString()
                    guard text.filter({ $0 == "*" }).count <= 1 else { throw node.error("at most one '*' per pattern") }
                    patterns.append(ScanPattern(kind, text))
                }
            }
        }

        var devices: [DeviceSpec] = []
        for (i, node) in try root.optional("devices")?.array().enumerated().map({ ($0, $1) }) ?? [] {
            let d = try DeviceSpec.parse(node, index: UInt16(clamping: i + 1))
            if devices.contains(where: { $0.name == d.name }) { throw node.error(key: "name", "device '\(d.name)' is defined twice") }
            devices.append(d)
        }
        let deviceIndex = Dictionary(devices.map { ($0.name, $0.index) }, uniquingKeysWith: { a, _ in a })

        var zones: [ZoneConfig] = []
        let zonesNode = try root.optional("zones")
        for node in try zonesNode?.array() ?? [] {
            let z = try parseZone(node, devices: deviceIndex)
            if zones.contains(where: { $0.name == z.name }) { throw node.error(key: "name", "zone '\(z.name)' is defined twice") }
            zones.append(z)
        }
        // The pipeline checks what it owns (antenna overlaps, limits); its key names the zone.
        do { _ = try Pipeline(config: PipelineConfig(zones: zones)) } catch {
            throw ConfigError(path: "zones.\(error.key)", message: error.message, location: zonesNode?.location)
        }

        var stations: [StationSpec] = []
        var deviceOwner: [String: String] = [:], zoneOwner: [String: String] = [:]
        for node in try root.optional("stations")?.array() ?? [] {
            let s = try StationSpec.parse(node)
            if stations.contains(where: { $0.name == s.name }) { throw node.error(key: "name", "station '\(s.name)' is defined twice") }
            let deviceNodes = try node.optional("devices")?.array() ?? [], zoneNodes = try node.optional("zones")?.array() ?? []
            for (d, at) in zip(s.devices, deviceNodes) {
                guard deviceIndex[d] != nil else { throw at.error("unknown device '\(d)' (defined: \(devices.map(\.name).joined(separator: ", ")))") }
                if let other = deviceOwner[d] { throw at.error("device '\(d)' already belongs to station '\(other)'") }
                deviceOwner[d] = s.name
            }
            for (z, at) in zip(s.zones, zoneNodes) {
                guard zones.contains(where: { $0.name == z }) else { throw at.error("unknown zone '\(z)' (defined: \(zones.map(\.name).joined(separator: ", ")))") }
                if let other = zoneOwner[z] { throw at.error("zone '\(z)' already belongs to station '\(other)'") }
                zoneOwner[z] = s.name
            }
            if let at = try node.optional("indicator") { try FeedbackConfig.checkIndicator(s, at: at, devices: devices) }
            stations.append(s)
        }
        let central = try root.optional("central").map { try parseCentral($0, origin: boxID, originNode: try site.required("box_id")) }
        var config = ServiceConfig(boxID: boxID, logLevel: logLevel, ledgerPath: ledgerPath, synchronous: synchronous,
                                   controlSocket: socket, controlGroup: group, controlMode: mode, patterns: patterns,
                                   devices: devices, zones: zones, stations: stations, central: central,
                                   commands: try parseCommands(root.optional("commands")))
        config.journalRetentionDays = journalRetentionDays
        config.startupCheck = IntegrityCheck(rawValue: startupCheck)
        config.metricsTextfile = try root.optional("metrics").map { try MetricsTextfileConfig.parse($0) }
        return config
    }

    /// `central`: where this box forwards its postings. The origin is the
    /// box id, so it cannot drift from what `status` and the logs say.
    static func parseCentral(_ node: ConfigNode, origin: String, originNode: ConfigNode) throws -> ForwarderConfig {
        try node.rejectUnknownKeys(allowed: ["_comment", "conninfo", "password_file", "site", "batch_size",
                                             "backlog_alarm_postings", "backlog_alarm_megabytes", "poll_interval_ms"])
        let conninfo = try node.required("conninfo")
        let passwordFile = try node.optional("password_file")
        let settings: CentralConnectionSettings
        do {
            settings = try CentralConnectionSettings(conninfo: try conninfo.nonEmptyString(), passwordFile: try passwordFile?.nonEmptyString())
        } catch let error as CentralError {
            // The message is already redacted; name the key it is about.
            let about = passwordFile.flatMap { error.message.contains("password file") ? $0 : nil } ?? conninfo
            throw about.error(error.message)
        }
        do {
            return try ForwarderConfig(
                connection: settings, origin: origin,
                site: try node.optional("site")?.nonEmptyString() ?? "default",
                batchSize: try node.optional("batch_size")?.int(in: 1...50_000) ?? 5_000,
                // Commits wake the forwarder; polling only catches other writers (a CLI post).
                pollIntervalSeconds: Double(try node.optional("poll_interval_ms")?.int(in: 10...600_000) ?? 2_000) / 1000,
                backlogAlarmBytes: Int64(try node.optional("backlog_alarm_megabytes")?.int(in: 1...1_000_000) ?? 512) << 20,
                backlogAlarmPostings: Int64(try node.optional("backlog_alarm_postings")?.int(in: 1...1_000_000_000) ?? 1_000_000))
        } catch let error as CentralError {
            throw originNode.error(error.message)
        }
    }

    static func parseZone(_ node: ConfigNode, devices: [String: DeviceIndex]) throws -> ZoneConfig {
        try node.rejectUnknownKeys(allowed: ["_comment", "name", "readers", "smoothing", "max_tags", "cycle"])
        let name = try node.required("name").nonEmptyString()
        var readers: [ZoneReader] = []
        for r in try node.required("readers").array() {
            try r.rejectUnknownKeys(allowed: ["_comment", "device", "antennas", "rssi_floor"])
            let deviceNode = try r.required("device")
            let device = try deviceNode.string()
            guard let index = devices[device] else { throw deviceNode.error("unknown device '\(device)'") }
            let antennas = try r.optional("antennas")?.array().map { UInt16(try $0.int(in: 1...64)) } ?? []
            let floor = try r.optional("rssi_floor").map { Float(try $0.double(in: -150...0)) }
            readers.append(ZoneReader(device: index, antennas: antennas, rssiFloor: floor))
        }
        var smoothing = SmoothingConfig()
        if let s = try node.optional("smoothing") {
            try s.rejectUnknownKeys(allowed: ["_comment", "observed_count", "glimpsed_timeout_ms", "lost_timeout_ms", "retention_ms"])
            if let v = try s.optional("observed_count") { smoothing.observedCount = UInt32(try v.int(in: 1...1_000)) }
            if let v = try s.optional("glimpsed_timeout_ms") { smoothing.glimpsedTimeout = .milliseconds(Int64(try v.int(in: 1...3_600_000))) }
            if let v = try s.optional("lost_timeout_ms") { smoothing.lostTimeout = .milliseconds(Int64(try v.int(in: 1...3_600_000))) }
            if let v = try s.optional("retention_ms") { smoothing.retention = .milliseconds(Int64(try v.int(in: 1...86_400_000))) }
        }
        let maxTags = try node.optional("max_tags")?.int(in: 1...10_000_000) ?? 100_000
        var cycle: CycleConfig? = nil
        if let c = try node.optional("cycle") {
            try c.rejectUnknownKeys(allowed: ["_comment", "start", "duration_ms", "stable_ms", "min_reads"])
            var cc = CycleConfig()
            if let v = try c.optional("start") {
                switch try v.oneOf(["command", "first-read", "continuous"]) {
                case "first-read": cc.start = .firstRead
                case "continuous": cc.start = .continuous
                default: cc.start = .command
                }
            }
            cc.duration = try c.optional("duration_ms").map { .milliseconds(Int64(try $0.int(in: 1...86_400_000))) }
            cc.stableFor = try c.optional("stable_ms").map { .milliseconds(Int64(try $0.int(in: 1...86_400_000))) }
            if let v = try c.optional("min_reads") { cc.minReads = UInt32(try v.int(in: 1...1_000_000)) }
            cycle = cc
        }
        return ZoneConfig(name: name, readers: readers, smoothing: smoothing, maxTags: maxTags, cycle: cycle)
    }
}

/// One configured device.
public struct DeviceSpec: Sendable, Equatable {
    public var name: String
    public var driver: String
    /// Position in the config (1-based): the pipeline's DeviceIndex.
    public var index: DeviceIndex
    public var port: String?
    public var host: String?
    public var serial: String
    public var options: String
    public var debounce: Microseconds?
    /// `gs1_without_aim`: whether bare scans (no AIM identifier) are tried as
    /// GS1. "off" for a device whose plain text could pass for GS1 by chance.
    public var bareGS1: BareGS1Mode = .guess
    /// `feedback`: per-outcome plans replacing the driver's (FeedbackConfig.swift).
    public var feedback: [FeedbackOutcome: FeedbackPlan] = [:]

    static func parse(_ node: ConfigNode, index: UInt16) throws -> DeviceSpec {
        try node.rejectUnknownKeys(allowed: ["_comment", "name", "driver", "port", "host", "serial", "options", "debounce_ms", "gs1_without_aim",
                                            "feedback"])
        let name = try node.required("name").nonEmptyString()
        let driverNode = try node.required("driver")
        let driver = try driverNode.string()
        guard DriverRegistry.names.contains(driver) else {
            throw driverNode.error("unknown driver '\(driver)' (known: \(DriverRegistry.names.joined(separator: ", ")))")
        }
        let port = try node.optional("port")?.nonEmptyString()
        let host = try node.optional("host")?.nonEmptyString()
        guard (port == nil) != (host == nil) else {
            throw node.error("give exactly one of \"port\" (serial/USB) or \"host\" (network reader)")
        }
        if driver == "llrp", host == nil {
            throw node.error(key: "host", "an llrp reader is reached over the network: give \"host\" instead of \"port\"")
        }
        if driver != "llrp", let h = try node.optional("host") {
            throw h.error("only llrp readers take \"host\"; driver '\(driver)' needs \"port\"")
        }
        if let host, let h = try node.optional("host"), LLRPReaderConfig.parseAddress(host) == nil {
            throw h.error("'\(host)' is not HOST or HOST:PORT (IPv6: [ADDRESS]:PORT); the LLRP port defaults to 5084")
        }
        if let port, let p = try node.optional("port") {
            do { _ = try PortSelector(parsing: port) } catch { throw p.error("\(error)") }
        }
        let serialNode = try node.optional("serial")
        let serial = try serialNode?.string() ?? "115200 8N1"
        do { _ = try SerialSettings(parsing: serial) } catch { throw serialNode?.error("\(error)") ?? node.error(key: "serial", "\(error)") }
        var options = ""
        if let o = try node.optional("options") {
            if case .string(let words) = o.value { options = words } else {
                // An object {"stx-etx": true, "max-line": 512} as option words.
                var words: [String] = []
                for key in try o.members().map(\.key).sorted() where key != "_comment" {
                    let child = try o.required(key)
                    if case .bool(let b) = child.value { if b { words.append(key) } } else if case .string(let s) = child.value { words.append("\(key)=\(s)") }
                    else if case .array = child.value {
                        // {"antennas": [1, 2]} → antennas=1,2
                        words.append("\(key)=\(try child.array().map { String(try $0.int(in: 0...Int(Int32.max))) }.joined(separator: ","))")
                    } else {
                        words.append("\(key)=\(try child.int(in: 0...Int(Int32.max)))")
                    }
                }
                options = words.joined(separator: " ")
            }
            do { _ = try DriverOptions(parsing: options, driver: driver) } catch { throw o.error("\(error)") }
        }
        let debounce = try node.optional("debounce_ms").map { Microseconds.milliseconds(Int64(try $0.int(in: 1...60_000))) }
        let bareGS1 = try node.optional("gs1_without_aim").map { BareGS1Mode(rawValue: try $0.oneOf(BareGS1Mode.allCases.map(\.rawValue))) ?? .guess } ?? .guess
        let feedback = try node.optional("feedback").map { try FeedbackConfig.parse($0, driver: driver) } ?? [:]
        return DeviceSpec(name: name, driver: driver, index: DeviceIndex(index), port: port, host: host, serial: serial, options: options,
                          debounce: debounce, bareGS1: bareGS1, feedback: feedback)
    }

    /// The Devices module's configuration: a serial/USB/evdev `port`, or a
    /// network reader's `host` (its options then carry the address too).
    public func deviceConfig() throws -> DeviceConfig {
        var driverOptions = DriverOptions(device: index)
        let selector: PortSelector
        if let port {
            selector = try PortSelector(parsing: port)
        } else {
            guard let host, let address = LLRPReaderConfig.parseAddress(host) else {
                throw ConfigError(path: "devices.\(name).host", message: "a network reader needs \"host\": HOST or HOST:PORT")
            }
            selector = .network(host: address.host, port: address.port)
            driverOptions.reader = LLRPReaderConfig(host: address.host)
            driverOptions.reader.port = address.port
        }
        guard let entry = DriverRegistry.entry(driver) else { throw ConfigError(path: "devices.\(name).driver", message: "unknown driver '\(driver)'") }
        do { try entry.parse(options, into: &driverOptions) } catch { throw ConfigError(path: "devices.\(name).options", message: "\(error)") }
        var config = DeviceConfig(name: DeviceID(name), driver: driver, port: selector, serial: try SerialSettings(parsing: serial), options: driverOptions)
        config.feedback = feedback
        return config
    }
}

extension DeviceSpec {
    /// The LLRP session settings for a network reader (`host`).
    public func readerConfig() throws -> LLRPReaderConfig {
        guard let host, let address = LLRPReaderConfig.parseAddress(host) else {
            throw ConfigError(path: "devices.\(name).host", message: "an llrp reader needs \"host\": HOST or HOST:PORT")
        }
        do { return try LLRPReaderConfig.parsing(options: options, host: address.host, port: address.port) } catch {
            throw ConfigError(path: "devices.\(name).options", message: error.description)
        }
    }
}

extension ConfigNode {
    func nonEmptyString() throws -> String {
        let s = try string()
        guard !s.isEmpty else { throw error("must not be empty") }
        return s
    }
}
