import ScanModel

/// Built-in feedback for serial/CDC barcode scanners (`line` driver), by
/// vendor family: what the host writes so the scanner itself beeps or
/// lights differently per outcome. A device's `feedback` names one
/// (`"feedback": "honeywell"`) or starts from one and overrides outcomes.
/// docs/devices.md ("Feedback") has the same table for people.
///
/// Every profile tells all four outcomes apart by what the operator hears
/// (tone and count), because a packer at a station looks at the goods, not
/// at a screen.
public struct FeedbackProfile: Sendable, Equatable {
    public let name: String
    /// The drivers whose devices understand these bytes.
    public let drivers: Set<String>
    public let plans: [FeedbackOutcome: FeedbackPlan]

    public static let all: [FeedbackProfile] = [honeywell, datalogic, zebra, generic]

    public static func named(_ name: String) -> FeedbackProfile? { all.first { $0.name == name } }
    public static var names: [String] { all.map(\.name) }

    /// Honeywell Host ACK escape commands. Checked against: Xenon/Granit
    /// User Guide, "Host ACK" (the [ESC] x, command form, comma required;
    /// revision not shown in the copy read), 1900g/1900GHD User Guide
    /// "Host ACK Responses" (p. 3-38), and the 2020 User Manual "Host Escape
    /// Commands" (p. 2-13). Families: Xenon 1900/1902, Granit 1910i/1911i,
    /// Voyager 1200g/1250g in RS-232 or USB serial (CDC). The scanner must
    /// have Host ACK On: it then waits for one of these after every read
    /// (10 s timeout, error tone) instead of beeping on its own, so the
    /// daemon's answer is the only beep the operator hears.
    /// [ESC]7 = good-read tone, [ESC]8 = razz/error tone, [ESC]5 = one
    /// medium-pitch beep, [ESC]6 = one high beep, [ESC]2 = green LED 2 s.
    public static let honeywell = FeedbackProfile(name: "honeywell", drivers: ["line"], plans: [
        .good: .bytes(escapes("7")),
        .warning: .bytes(escapes("55")),
        .error: .bytes(escapes("8")),
        .done: .bytes(escapes("762")),
    ])

    /// Datalogic RS-232 / USB-COM single-character host commands. Checked
    /// against: Magellan 800i Product Reference Guide Appendix F "Host
    /// Commands", Magellan 9300i/9800i PRG Appendix E "Host Commands",
    /// PowerScan PRG Appendix E "Host Commands Characters" (RS232, USB-COM),
    /// QuickScan QD2300 PRG Appendix G "RS-232 Host Commands". Families:
    /// QuickScan QD2xxx, Gryphon GD4xxx, PowerScan, Magellan. 0x01 (SOH,
    /// "Force Good Read Tone") beeps whatever the beeper setting; outcomes
    /// differ by count and spacing. 'F' ("Not on File") is not used: it
    /// disables the scanner until the host sends 'E', so a lost 'E' would
    /// leave a station dead.
    public static let datalogic = FeedbackProfile(name: "datalogic", drivers: ["line"], plans: counted(0x01))

    /// Zebra (Symbol) scanners in RS-232 mode with "Beep on <BEL>" enabled
    /// sound a high beep for each BEL the host sends. Checked against:
    /// DS9208 / DS9808 Product Reference Guides, table "Beeper Definitions"
    /// ("High beep: the digital scanner detected a <BEL> character over
    /// RS-232"; DS9208 PRG 72E-139635-06 Rev A). In USB CDC (COM port
    /// emulation) the guides document no host-commanded beep; the host
    /// beeper commands exist only in SSI (a separate driver). So this is the
    /// generic BEL pattern, named so a config says what it expects.
    public static let zebra = FeedbackProfile(name: "zebra", drivers: ["line"], plans: counted(0x07))

    /// Any scanner that beeps on BEL, or a light tower/relay box that
    /// counts bytes: one BEL good, two warning, three spaced BELs error, two
    /// slow ones done. The line driver's default.
    public static let generic = FeedbackProfile(name: "generic", drivers: ["line"], plans: counted(0x07))

    /// One byte written 1, 2, 3 or 2 times with different gaps: outcomes
    /// told apart by ear on a scanner that has one tone.
    public static func counted(_ byte: UInt8) -> [FeedbackOutcome: FeedbackPlan] {
        [.good: .bytes([byte]),
         .warning: .repeated([byte], count: 2, gap: .milliseconds(150)),
         .error: .repeated([byte], count: 3, gap: .milliseconds(250)),
         .done: .repeated([byte], count: 4, gap: .milliseconds(100))]
    }

    /// Honeywell's `[ESC]c,` for each command character, in one write.
    static func escapes(_ commands: String) -> [UInt8] {
        commands.utf8.flatMap { [0x1B, $0, UInt8(ascii: ",")] }
    }
}

/// LLRP readers signal through their general-purpose outputs (a stack
/// light, a buzzer on a GPO). In a plan for an `llrp` device each step's
/// bytes are one GPO write in this small form, which the driver turns into
/// SET_READER_CONFIG / GPOWriteData with the session's next message ID (the
/// ID is only known when the step is written).
public enum LLRPGPOStep {
    static let marker: UInt8 = 0x47 // 'G'

    public static func encode(port: UInt16, high: Bool) -> [UInt8] {
        [marker, UInt8(port >> 8), UInt8(truncatingIfNeeded: port), high ? 1 : 0]
    }

    public static func decode(_ bytes: [UInt8]) -> (port: UInt16, high: Bool)? {
        guard bytes.count == 4, bytes[0] == marker, bytes[3] <= 1 else { return nil }
        return (UInt16(bytes[1]) << 8 | UInt16(bytes[2]), bytes[3] == 1)
    }

    /// `count` pulses of `port`: on for `length`, off, `gap` before the next.
    public static func pulses(port: UInt16, length: Microseconds, count: Int = 1, gap: Microseconds) -> FeedbackPlan {
        FeedbackPlan.pulses(on: encode(port: port, high: true), off: encode(port: port, high: false),
                            count: count, length: length, gap: gap)
    }
}

extension FeedbackPlan {
    /// An output switched on for `length` and off again, `count` times,
    /// `gap` apart (a GPO-driven buzzer or lamp).
    public static func pulses(on: [UInt8], off: [UInt8], count: Int, length: Microseconds, gap: Microseconds) -> FeedbackPlan {
        precondition(count > 0)
        return FeedbackPlan((0..<count).flatMap { i in
            [Step(on, pauseAfter: length), Step(off, pauseAfter: i == count - 1 ? .zero : gap)]
        })
    }
}
