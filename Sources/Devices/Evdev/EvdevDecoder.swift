import ScanModel

/// Turns raw `struct input_event` records from a keyboard-wedge scanner into
/// scans. A record is 24 bytes on 64-bit Linux, little-endian:
/// `timeval` (tv_sec i64, tv_usec i64), type u16, code u16, value i32.
///
/// Only key events matter (EV_KEY, value 1 press, 0 release, 2 autorepeat).
/// Characters come from the configured layout with Shift/AltGr; GS (0x1D)
/// comes from Ctrl+] or from Alt + keypad 0 0 2 9 (any Alt+keypad decimal
/// code, in fact); the configured suffix keys (Enter, Tab) end a scan.
public struct EvdevDecoder: Sendable {
    public static let recordSize = 24
    static let evKey: UInt16 = 1

    public struct Options: Sendable {
        public var layout: EvdevLayout
        /// A printable character the scanner sends instead of GS (e.g. `|`), mapped back to 0x1D.
        public var gsSubstitute: UInt8?
        /// Keys that end a scan: Enter, keypad Enter, Tab by default.
        public var terminators: Set<UInt16>
        /// Longest scan kept; longer input without a terminator is dropped.
        public var maxScanLength: Int
        public init(layout: EvdevLayout = .us, gsSubstitute: UInt8? = nil,
                    terminators: Set<UInt16> = [EvdevKey.enter, EvdevKey.keypadEnter, EvdevKey.tab], maxScanLength: Int = 4096) {
            self.layout = layout; self.gsSubstitute = gsSubstitute
            self.terminators = terminators; self.maxScanLength = maxScanLength
        }
    }

    public var options: Options
    public var device: DeviceIndex
    public var counters = EvdevCounters()

    var partial: [UInt8] = []
    var offset = 0 // stream offset of the next record
    var scan: [UInt8] = []
    var leftShift = false, rightShift = false, ctrl = false, alt = false, altGr = false, capsLock = false
    var altCode: Int = -1 // Alt+keypad decimal being entered, -1 when none
    /// When the bytes being decoded arrived: the time of a problem (scans
    /// keep the kernel's time stamp of their terminating key).
    var arrival = Microseconds.zero

    public init(options: Options = Options(), device: DeviceIndex = DeviceIndex(0)) {
        self.options = options
        self.device = device
    }

    public mutating func feed<S: DeviceEventSink>(_ bytes: [UInt8], time: Microseconds = .zero, into sink: inout S) {
        bytes.withUnsafeBytes { feed($0, time: time, into: &sink) }
    }

    /// Decodes `input` (split anywhere) into scans and problems, straight
    /// into the caller's sink (the runner's `EventBatch`).
    public mutating func feed<S: DeviceEventSink>(_ input: UnsafeRawBufferPointer, time: Microseconds = .zero, into sink: inout S) {
        arrival = time
        counters.bytes &+= input.count
        var i = 0
        if !partial.isEmpty {
            let take = min(EvdevDecoder.recordSize - partial.count, input.count)
            partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[0..<take]))
            i = take
            guard partial.count == EvdevDecoder.recordSize else { return }
            let record = partial
            partial.removeAll(keepingCapacity: true)
            record.withUnsafeBytes { handle(record: $0, into: &sink) }
        }
        while input.count - i >= EvdevDecoder.recordSize {
            handle(record: UnsafeRawBufferPointer(rebasing: input[i..<(i + EvdevDecoder.recordSize)]), into: &sink)
            i += EvdevDecoder.recordSize
        }
        if i < input.count { partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i...])) }
    }

    /// End of stream: a partial record or an unterminated scan is reported.
    public mutating func finish<S: DeviceEventSink>(time: Microseconds = .zero, into sink: inout S) {
        arrival = time
        if !partial.isEmpty { report(.truncatedRecord, detail: partial.count, into: &sink) }
        if !scan.isEmpty { report(.unterminatedScan, detail: scan.count, into: &sink) }
        partial.removeAll(keepingCapacity: true)
        scan.removeAll(keepingCapacity: true)
        leftShift = false; rightShift = false; ctrl = false; alt = false; altGr = false; altCode = -1
    }

    mutating func handle<S: DeviceEventSink>(record r: UnsafeRawBufferPointer, into sink: inout S) {
        defer { offset &+= EvdevDecoder.recordSize; counters.records &+= 1 }
        let sec = Int64(littleEndian: r.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        let usec = Int64(littleEndian: r.loadUnaligned(fromByteOffset: 8, as: Int64.self))
        let type = UInt16(littleEndian: r.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
        let code = UInt16(littleEndian: r.loadUnaligned(fromByteOffset: 18, as: UInt16.self))
        let value = Int32(littleEndian: r.loadUnaligned(fromByteOffset: 20, as: Int32.self))
        guard type == EvdevDecoder.evKey else { counters.otherEvents &+= 1; return }
        let pressed = value != 0
        switch code {
        case EvdevKey.leftShift: leftShift = pressed; return
        case EvdevKey.rightShift: rightShift = pressed; return
        case EvdevKey.leftCtrl, EvdevKey.rightCtrl: ctrl = pressed; return
        case EvdevKey.rightAlt: altGr = pressed; return
        case EvdevKey.leftAlt:
            alt = pressed
            if pressed { altCode = -1 } else if altCode >= 0 {
                append(UInt8(truncatingIfNeeded: altCode & 0xFF), into: &sink)
                altCode = -1
            }
            return
        default: break
        }
        guard value == 1 else {
            if value == 2 { counters.autorepeats &+= 1 } // scanners never hold keys; a repeat is noise
            return
        }
        counters.keyPresses &+= 1
        if code == EvdevKey.capsLock { capsLock.toggle(); return }
        if options.terminators.contains(code) {
            let time = Microseconds(sec &* 1_000_000 &+ usec)
            if scan.isEmpty { counters.emptyScans &+= 1; return }
            counters.scans &+= 1
            sink.receive(.scan(Scan(data: scan, device: device, time: time)))
            scan.removeAll(keepingCapacity: true)
            return
        }
        if alt && !altGr, let digit = EvdevKey.keypadDigit(code) {
            altCode = altCode < 0 ? digit : min(altCode * 10 + digit, 0xFFFF)
            return
        }
        if ctrl {
            // Ctrl+] is GS on every layout: the US position (KEY_RIGHTBRACE) or
            // the key that types ']' in the configured layout.
            if code == EvdevKey.rightBrace || options.layout.keyTypes("]", code: code) { append(0x1D, into: &sink); return }
            if let c = options.layout.character(code: code, shift: false, altGr: false), c.value >= 0x61, c.value <= 0x7A {
                append(UInt8(c.value - 0x60), into: &sink)
                return
            }
        }
        let shift = leftShift || rightShift
        guard var c = options.layout.character(code: code, shift: shift, altGr: altGr) else {
            report(.unknownKey, detail: Int(code), into: &sink)
            return
        }
        if capsLock, !altGr, c.properties.isAlphabetic, let other = options.layout.character(code: code, shift: !shift, altGr: false) {
            c = other
        }
        if c.isASCII {
            let b = UInt8(c.value)
            append(b == options.gsSubstitute ? 0x1D : b, into: &sink)
        } else {
            for b in String(Character(c)).utf8 { append(b, into: &sink) }
        }
    }

    mutating func append<S: DeviceEventSink>(_ b: UInt8, into sink: inout S) {
        guard scan.count < options.maxScanLength else {
            report(.scanTooLong, detail: options.maxScanLength, into: &sink)
            scan.removeAll(keepingCapacity: true)
            return
        }
        scan.append(b)
    }

    mutating func report<S: DeviceEventSink>(_ kind: EvdevError.Kind, detail: Int, into sink: inout S) {
        counters.errors[kind, default: 0] += 1
        let error = EvdevError(kind: kind, offset: offset, detail: detail)
        sink.receive(.problem(DeviceProblem(kind: kind.problemKind, offset: Int64(offset), length: error.problemLength,
                                            message: error.description, time: arrival)))
    }
}

/// Linux key codes used by the decoder (input-event-codes.h).
public enum EvdevKey {
    public static let tab: UInt16 = 15
    public static let enter: UInt16 = 28
    public static let leftCtrl: UInt16 = 29
    public static let rightBrace: UInt16 = 27
    public static let leftShift: UInt16 = 42
    public static let rightShift: UInt16 = 54
    public static let leftAlt: UInt16 = 56
    public static let capsLock: UInt16 = 58
    public static let keypadEnter: UInt16 = 96
    public static let rightCtrl: UInt16 = 97
    public static let rightAlt: UInt16 = 100

    static func keypadDigit(_ code: UInt16) -> Int? {
        switch code {
        case 82: return 0
        case 79: return 1
        case 80: return 2
        case 81: return 3
        case 75: return 4
        case 76: return 5
        case 77: return 6
        case 71: return 7
        case 72: return 8
        case 73: return 9
        default: return nil
        }
    }
}

public struct EvdevError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, DecoderErrorKind {
        case unknownKey, truncatedRecord, unterminatedScan, scanTooLong

        public var problemKind: DeviceProblem.Kind {
            switch self {
            case .unknownKey: return .unknown
            case .truncatedRecord, .unterminatedScan: return .truncated
            case .scanTooLong: return .lineTooLong
            }
        }
    }
    public var kind: Kind
    /// Byte offset of the record in the event stream.
    public var offset: Int
    public var detail: Int
    /// How many bytes the problem covers, for its `DeviceProblem`.
    var problemLength: Int {
        switch kind {
        case .unknownKey: return EvdevDecoder.recordSize
        case .truncatedRecord: return detail
        case .unterminatedScan, .scanTooLong: return 0
        }
    }
    public var description: String {
        switch kind {
        case .unknownKey: return "evdev: key code \(detail) at byte \(offset) has no character in this layout; skipped"
        case .truncatedRecord: return "evdev: stream ended \(detail) bytes into an input_event at byte \(offset)"
        case .unterminatedScan: return "evdev: \(detail) characters without Enter/Tab at end of stream (byte \(offset)); dropped"
        case .scanTooLong: return "evdev: more than \(detail) characters without Enter/Tab at byte \(offset); dropped"
        }
    }
}

public struct EvdevCounters: Hashable, Sendable {
    public var bytes = 0
    public var records = 0
    public var keyPresses = 0
    public var autorepeats = 0
    public var otherEvents = 0
    public var scans = 0
    public var emptyScans = 0
    public var errors: [EvdevError.Kind: Int] = [:]
    public init() {}
}
