import Foundation
import Testing
@testable import Devices
import ScanModel

/// One key event record as the kernel writes it (x86-64).
func evdevInputEvent(type: UInt16 = 1, code: UInt16, value: Int32, sec: Int64 = 1_700_000_000, usec: Int64 = 0) -> [UInt8] {
    var r: [UInt8] = []
    withUnsafeBytes(of: sec.littleEndian) { r += $0 }
    withUnsafeBytes(of: usec.littleEndian) { r += $0 }
    withUnsafeBytes(of: type.littleEndian) { r += $0 }
    withUnsafeBytes(of: code.littleEndian) { r += $0 }
    withUnsafeBytes(of: value.littleEndian) { r += $0 }
    return r
}

func evdevKeyTap(_ code: UInt16, mods: [UInt16] = []) -> [UInt8] {
    mods.flatMap { evdevInputEvent(code: $0, value: 1) } + evdevInputEvent(code: code, value: 1) + evdevInputEvent(code: code, value: 0)
        + mods.reversed().flatMap { evdevInputEvent(code: $0, value: 0) }
}

func evdevDecode(_ bytes: [UInt8], _ options: EvdevDecoder.Options = .init()) -> (texts: [String], events: [DeviceEvent], counters: EvdevCounters) {
    var d = EvdevDecoder(options: options)
    var c = EventCollector<DeviceEvent>()
    d.feed(bytes, into: &c)
    d.finish(into: &c)
    let texts = c.events.compactMap { e -> String? in if case .scan(let s) = e { return String(decoding: s.data, as: UTF8.self) } else { return nil } }
    return (texts, c.events, d.counters)
}

@Suite struct EvdevTests {
    static let logs = Captures.logNames(where: { $0.value("Driver") == "evdev" })
    let shift: UInt16 = 42, ctrl: UInt16 = 29, alt: UInt16 = 56, altGr: UInt16 = 100

    @Test func recordIs24BytesAndTimeComesFromTheTerminator() throws {
        #expect(evdevInputEvent(code: 30, value: 1).count == 24)
        var d = EvdevDecoder()
        var c = EventCollector<DeviceEvent>()
        d.feed(evdevKeyTap(30) + evdevInputEvent(code: 28, value: 1, sec: 1_700_000_001, usec: 250), into: &c)
        guard case .scan(let s) = try #require(c.events.first) else { Issue.record("no scan"); return }
        #expect(s.data == [UInt8(ascii: "a")])
        #expect(s.time == Microseconds(1_700_000_001_000_250))
    }

    @Test func sameKeysGiveDifferentTextPerLayout() {
        // Key positions Q W Y 2 with and without Shift.
        let keys = evdevKeyTap(16) + evdevKeyTap(17) + evdevKeyTap(21) + evdevKeyTap(3) + evdevKeyTap(3, mods: [shift]) + evdevKeyTap(28)
        #expect(evdevDecode(keys, .init(layout: .us)).texts == ["qwy2@"])
        #expect(evdevDecode(keys, .init(layout: .german)).texts == ["qwz2\""])
        #expect(evdevDecode(keys, .init(layout: .french)).texts == ["azyé2"])
    }

    @Test func altGrAndNonASCIICharactersAreUTF8() {
        let de = evdevKeyTap(16, mods: [altGr]) + evdevKeyTap(26) + evdevKeyTap(12) + evdevKeyTap(28)   // @ ü ß
        #expect(evdevDecode(de, .init(layout: .german)).texts == ["@üß"])
        let fr = evdevKeyTap(11, mods: [altGr]) + evdevKeyTap(40) + evdevKeyTap(10) + evdevKeyTap(28)    // @ ù ç
        #expect(evdevDecode(fr, .init(layout: .french)).texts == ["@ùç"])
    }

    @Test func groupSeparatorFromCtrlBracketAltKeypadAndSubstitute() {
        let gs = "\u{1D}"
        #expect(evdevDecode(evdevKeyTap(30) + evdevKeyTap(27, mods: [ctrl]) + evdevKeyTap(48) + evdevKeyTap(28)).texts == ["a\(gs)b"])
        // German: Ctrl + the key that types ']' (AltGr+9).
        #expect(evdevDecode(evdevKeyTap(30) + evdevKeyTap(10, mods: [ctrl]) + evdevKeyTap(28), .init(layout: .german)).texts == ["a\(gs)"])
        // Alt held, keypad 0 0 2 9, Alt released.
        let altCode = evdevInputEvent(code: alt, value: 1) + evdevKeyTap(82) + evdevKeyTap(82) + evdevKeyTap(80) + evdevKeyTap(73) + evdevInputEvent(code: alt, value: 0)
        #expect(evdevDecode(evdevKeyTap(30) + altCode + evdevKeyTap(28)).texts == ["a\(gs)"])
        // A configured substitute: '|' becomes GS.
        let pipe = evdevKeyTap(43, mods: [shift])
        #expect(evdevDecode(pipe + evdevKeyTap(28), .init(layout: .us, gsSubstitute: UInt8(ascii: "|"))).texts == [gs])
        #expect(evdevDecode(pipe + evdevKeyTap(28), .init(layout: .us)).texts == ["|"])
    }

    @Test func enterTabAndKeypadEnterEndScansEmptyScansAreCounted() {
        let r = evdevDecode(evdevKeyTap(2) + evdevKeyTap(15) + evdevKeyTap(28) + evdevKeyTap(3) + evdevKeyTap(96))
        #expect(r.texts == ["1", "2"])
        #expect(r.counters.emptyScans == 1)
    }

    @Test func unknownCodesAreCountedWithOffsetsNeverFatal() {
        let bytes = evdevKeyTap(30) + evdevKeyTap(183) + evdevKeyTap(0xFFFF) + evdevKeyTap(31) + evdevKeyTap(28)
        let r = evdevDecode(bytes)
        #expect(r.texts == ["as"])
        #expect(r.counters.errors[.unknownKey] == 2)
        let offsets = r.events.compactMap { e -> Int? in if case .problem(let x) = e { return Int(x.offset) } else { return nil } }
        #expect(offsets == [48, 96])
    }

    @Test func truncatedRecordAndUnterminatedScanAtEndOfStream() {
        let r = evdevDecode(evdevKeyTap(30) + Array(evdevInputEvent(code: 31, value: 1).prefix(10)))
        #expect(r.texts.isEmpty)
        #expect(r.counters.errors[.truncatedRecord] == 1 && r.counters.errors[.unterminatedScan] == 1)
    }

    @Test func runawayInputWithoutTerminatorIsCapped() {
        var bytes: [UInt8] = []
        for _ in 0..<50 { bytes += evdevKeyTap(30) }
        let r = evdevDecode(bytes + evdevKeyTap(28), .init(maxScanLength: 20))
        #expect(r.counters.errors[.scanTooLong] == 2)
    }

    /// Layout and GS substitute come from the log's `# Options:`; a wrong
    /// layout must change what the driver makes of the same records.
    @Test(arguments: logs) func layoutOptionMatters(_ name: String) throws {
        let log = try Captures.load(name)
        let options = try DriverOptions(parsing: log.value("Options") ?? "")
        #expect(log.value("Options")?.contains("layout=") == true)
        let right = Replay.events(log, driver: EvdevDriver(options: options)).map(EventJSON.line)
        var other = options
        other.evdev.layout = options.evdev.layout.name == "us" ? .french : .us
        let wrong = Replay.events(log, driver: EvdevDriver(options: other)).map(EventJSON.line)
        #expect(right != wrong)
    }

    @Test func atLeastThreeCaptures() { #expect(Self.logs.count >= 3) }

    @Test func fuzzEntryNeverTraps() {
        var seed: UInt64 = 7
        for _ in 0..<1500 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(seed % 200) {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: seed >> 40))
            }
            seed &+= 3
            #expect(fuzzFeed(driver: "evdev", bytes: bytes) >= 0)
        }
    }

    /// No real keyboard here: opening a non-evdev node must fail with a typed
    /// error naming the path and the ioctl, and nothing may crash.
    @Test func grabOnANonEvdevNodeFailsWithTypedError() {
        do {
            _ = try EvdevInputDevice(path: "/dev/null")
            Issue.record("EVIOCGRAB on /dev/null succeeded")
        } catch let e as EvdevDeviceError {
            #expect(e.description.contains("/dev/null") && e.call == "ioctl(EVIOCGRAB)")
        } catch { Issue.record("untyped \(error)") }
        #expect(throws: EvdevDeviceError.self) { _ = try EvdevInputDevice(path: "/nonexistent/event-kbd") }
    }
}
