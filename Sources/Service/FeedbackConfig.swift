import Devices
import ScanModel

/// A device's `feedback` key: what it does for each outcome instead of its
/// driver's default (docs/config.md, "feedback"). Three forms:
///
/// - `"honeywell"`: a built-in profile (`FeedbackProfile`);
/// - `{"profile": "honeywell", "error": …}`: a profile with some outcomes
///   replaced, or just the outcomes (`good`, `warning`, `error`, `done`),
///   each a string of bytes (`"\u0007"`) or a list of steps, a step being a
///   string or `{"bytes": "…"}` / `{"hex": "1B372C"}` with `"pause_ms"`;
/// - `{"gpo": {"good": {"port": 1, "ms": 200}, …}}` for an LLRP reader:
///   GPO pulses per outcome (`count`, `gap_ms` for several).
///
/// Errors name the key path: `devices[2].feedback.error: …`.
enum FeedbackConfig {
    static let outcomeKeys = FeedbackOutcome.allCases.map(\.rawValue)

    /// What `driver`'s devices can do with feedback bytes.
    enum Channel { case bytes, gpo, none }

    static func channel(_ driver: String) -> Channel {
        switch DriverRegistry.entry(driver)?.transport {
        case .serial: return .bytes
        case .tcp: return .gpo
        case .evdev, .hidpos, nil: return .none
        }
    }

    static func parse(_ node: ConfigNode, driver: String) throws -> [FeedbackOutcome: FeedbackPlan] {
        switch channel(driver) {
        case .none:
            throw node.error("driver '\(driver)' has no way back to the device (a keyboard wedge or HID POS scanner); "
                             + "name an \"indicator\" device in the station instead")
        case .gpo:
            guard case .object = node.value else {
                throw node.error("an llrp reader signals through its outputs: give {\"gpo\": {\"good\": {\"port\": 1, \"ms\": 200}, …}}")
            }
            try node.rejectUnknownKeys(allowed: ["_comment", "gpo"])
            return try parseGPO(node.required("gpo"))
        case .bytes:
            if case .string = node.value { return try profile(node, driver: driver).plans }
            try node.rejectUnknownKeys(allowed: Set(["_comment", "profile"] + outcomeKeys))
            var plans = try node.optional("profile").map { try profile($0, driver: driver).plans } ?? [:]
            var any = !plans.isEmpty
            for outcome in FeedbackOutcome.allCases {
                guard let entry = try node.optional(outcome.rawValue) else { continue }
                plans[outcome] = try parsePlan(entry)
                any = true
            }
            guard any else { throw node.error("give a \"profile\" or at least one of \(outcomeKeys.joined(separator: ", "))") }
            return plans
        }
    }

    static func profile(_ node: ConfigNode, driver: String) throws -> FeedbackProfile {
        let name = try node.nonEmptyString()
        guard let profile = FeedbackProfile.named(name) else {
            throw node.error("unknown feedback profile '\(name)' (known: \(FeedbackProfile.names.joined(separator: ", ")))")
        }
        guard profile.drivers.contains(driver) else {
            throw node.error("profile '\(name)' is for \(profile.drivers.sorted().joined(separator: ", ")) devices, not driver '\(driver)'")
        }
        return profile
    }

    /// One outcome's bytes: a string (one write) or a list of steps.
    static func parsePlan(_ node: ConfigNode) throws -> FeedbackPlan {
        if case .string = node.value { return .bytes(try bytes(node)) }
        guard case .array = node.value else {
            throw node.error("expected a string of bytes or a list of steps ({\"bytes\": \"\\u0007\", \"pause_ms\": 250})")
        }
        var steps: [FeedbackPlan.Step] = []
        for item in try node.array() {
            if case .string = item.value { steps.append(.init(try bytes(item))); continue }
            try item.rejectUnknownKeys(allowed: ["_comment", "bytes", "hex", "pause_ms"])
            let text = try item.optional("bytes"), hex = try item.optional("hex")
            guard (text == nil) != (hex == nil) else { throw item.error("give exactly one of \"bytes\" or \"hex\"") }
            let data = try text.map(bytes) ?? hexBytes(hex!)
            let pause = try item.optional("pause_ms")?.int(in: 0...60_000) ?? 0
            steps.append(.init(data, pauseAfter: .milliseconds(Int64(pause))))
        }
        guard !steps.isEmpty else { throw node.error("an empty plan signals nothing; leave the outcome out to keep the default") }
        return FeedbackPlan(steps)
    }

    /// A string's bytes. JSON escapes give control bytes (`\u0007`, `\u001b`);
    /// anything beyond ASCII would be sent as UTF-8, which no scanner means,
    /// so it is an error pointing at `hex`.
    static func bytes(_ node: ConfigNode) throws -> [UInt8] {
        let s = try node.string()
        guard !s.isEmpty else { throw node.error("must not be empty") }
        guard s.unicodeScalars.allSatisfy(\.isASCII) else {
            throw node.error("only ASCII characters (with \\u00XX escapes for control bytes); write other bytes as {\"hex\": \"…\"}")
        }
        return Array(s.utf8)
    }

    static func hexBytes(_ node: ConfigNode) throws -> [UInt8] {
        let text = try node.string().filter { $0 != " " }
        var out: [UInt8] = []
        var i = text.startIndex
        while i < text.endIndex {
            guard let j = text.index(i, offsetBy: 2, limitedBy: text.endIndex), let b = UInt8(text[i..<j], radix: 16) else {
                throw node.error("'\(text)' is not pairs of hex digits such as \"1B372C\"")
            }
            out.append(b)
            i = j
        }
        guard !out.isEmpty else { throw node.error("must not be empty") }
        return out
    }

    /// `gpo`: per outcome the port, how long it stays on, how many pulses.
    static func parseGPO(_ node: ConfigNode) throws -> [FeedbackOutcome: FeedbackPlan] {
        try node.rejectUnknownKeys(allowed: Set(["_comment"] + outcomeKeys))
        var plans: [FeedbackOutcome: FeedbackPlan] = [:]
        for outcome in FeedbackOutcome.allCases {
            guard let entry = try node.optional(outcome.rawValue) else { continue }
            try entry.rejectUnknownKeys(allowed: ["_comment", "port", "ms", "count", "gap_ms"])
            // GPO ports are numbered from 1 (LLRP GPOPortNumber; 0 is not a port).
            let port = try entry.required("port").int(in: 1...Int(UInt16.max))
            let ms = try entry.required("ms").int(in: 1...60_000)
            let count = try entry.optional("count")?.int(in: 1...10) ?? 1
            let gap = try entry.optional("gap_ms")?.int(in: 1...60_000) ?? 150
            plans[outcome] = LLRPGPOStep.pulses(port: UInt16(port), length: .milliseconds(Int64(ms)), count: count,
                                                gap: .milliseconds(Int64(gap)))
        }
        guard !plans.isEmpty else { throw node.error("map at least one of \(outcomeKeys.joined(separator: ", ")) to a port") }
        return plans
    }
}

extension FeedbackConfig {
    /// A station's `indicator` names a configured device that can signal
    /// every outcome the station gives, and is not one of the station's own
    /// devices (those get the feedback anyway; it would play twice).
    static func checkIndicator(_ station: StationSpec, at node: ConfigNode, devices: [DeviceSpec]) throws {
        guard let name = station.indicator else { return }
        guard let device = devices.first(where: { $0.name == name }) else {
            throw node.error("unknown device '\(name)' (defined: \(devices.map(\.name).joined(separator: ", ")))")
        }
        if station.devices.contains(name) {
            throw node.error("device '\(name)' is one of the station's devices: it gets the feedback anyway")
        }
        switch channel(device.driver) {
        case .none:
            throw node.error("device '\(name)' (driver \(device.driver)) has no output to signal with")
        case .gpo where device.feedback.isEmpty:
            throw node.error("llrp reader '\(name)' has no \"feedback\": {\"gpo\": …} mapping, so it cannot signal")
        case .gpo, .bytes:
            break
        }
    }
}
