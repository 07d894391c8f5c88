import Foundation
import Testing
@testable import Devices
import GS1
import ScanModel

func hidposReport(aim: String = "]C1", data: [UInt8], more: Bool = false, vendor: UInt8 = 0) -> [UInt8] {
    var r = [UInt8](repeating: 0, count: 64)
    r[0] = 2
    r[1] = UInt8(data.count)
    for (i, b) in aim.utf8.prefix(3).enumerated() { r[2 + i] = b }
    for (i, b) in data.enumerated() where i < 56 { r[5 + i] = b }
    r[61] = vendor
    r[63] = more ? 1 : 0
    return r
}

@Suite struct HIDPOSTests {
    static let logs = Captures.logNames(where: { $0.value("Driver") == "hidpos" })

    @Test func singleReportScanKeepsTheAIMPrefix() throws {
        var d = HIDPOSDecoder()
        var c = EventCollector<DeviceEvent>()
        d.feed(report: hidposReport(aim: "]E0", data: Array("0416000336108".utf8), vendor: 0x0B), time: Microseconds(5), into: &c)
        guard case .scan(let s) = try #require(c.events.first) else { Issue.record("no scan"); return }
        #expect(String(decoding: s.data, as: UTF8.self) == "]E00416000336108") // UPC-A 416000336108 (FACTS)
        #expect(AIMIdentifier.split(s.data).0?.symbology == .ean13 && s.time == Microseconds(5))
    }

    @Test func multiReportScanIsJoinedInOrder() throws {
        let data = Array("01095011010209172112345".utf8) + [0x1D] + Array(repeating: UInt8(ascii: "7"), count: 100)
        var d = HIDPOSDecoder()
        var c = EventCollector<DeviceEvent>()
        d.feed(report: hidposReport(aim: "]d2", data: Array(data[0..<56]), more: true), time: .zero, into: &c)
        d.feed(report: hidposReport(aim: "]d2", data: Array(data[56..<112]), more: true), time: .zero, into: &c)
        #expect(c.events.isEmpty)
        d.feed(report: hidposReport(aim: "]d2", data: Array(data[112...])), time: .zero, into: &c)
        guard case .scan(let s) = try #require(c.events.first) else { Issue.record("no scan"); return }
        #expect(s.data == Array("]d2".utf8) + data)
        #expect(AIMIdentifier.split(s.data).0?.symbology == .gs1DataMatrix)
        #expect(d.counters.continuations == 2 && d.counters.scans == 1)
    }

    @Test func impossibleLengthsAreCountedAndTheirContinuationsDropped() {
        var d = HIDPOSDecoder()
        var c = EventCollector<DeviceEvent>()
        var bad = hidposReport(data: Array(repeating: 0x31, count: 56), more: true)
        bad[1] = 57
        d.feed(report: bad, time: .zero, into: &c)
        d.feed(report: hidposReport(data: Array("TAIL".utf8)), time: .zero, into: &c) // continuation of the broken scan
        d.feed(report: hidposReport(data: Array("GOOD".utf8)), time: .zero, into: &c)
        #expect(c.events.filter { if case .scan = $0 { true } else { false } }.count == 1)
        #expect(d.counters.errors[.impossibleLength] == 1 && d.counters.droppedContinuations == 1)
        // Length that fits in 56 but not in a short transfer.
        var short = Array(hidposReport(data: Array("ABCDEFGH".utf8)).prefix(10))
        short[1] = 8
        d.feed(report: short, time: .zero, into: &c)
        #expect(d.counters.errors[.impossibleLength] == 2)
        d.feed(report: [2, 0], time: .zero, into: &c)
        d.feed(report: [], time: .zero, into: &c)
        #expect(d.counters.errors[.shortReport] == 2)
    }

    /// Problems come out in the common vocabulary, located by report index
    /// times report size, at the time their report arrived.
    @Test func problemsAreDeviceProblemsAtTheirReportsOffset() throws {
        var d = HIDPOSDecoder(reportSize: 64)
        var c = EventCollector<DeviceEvent>()
        d.feed(report: hidposReport(data: Array("GOOD".utf8)), time: Microseconds(1), into: &c)
        d.feed(report: [2, 0], time: Microseconds(2), into: &c)
        guard case .problem(let p) = try #require(c.events.last) else { Issue.record("no problem"); return }
        #expect(p.kind == .truncated && p.offset == 64 && p.length == 2 && p.time == Microseconds(2))
        #expect(p.message == "HID POS: report 1 is only 2 bytes long")
    }

    @Test func endlessMoreDataChainIsCapped() {
        var d = HIDPOSDecoder(maxScanLength: 200)
        var c = EventCollector<DeviceEvent>()
        for _ in 0..<10 { d.feed(report: hidposReport(data: Array(repeating: 0x41, count: 56), more: true), time: .zero, into: &c) }
        #expect(d.counters.errors[.scanTooLong] == 1)
        #expect(c.events.count == 1)
    }

    @Test func honeywellGetsFeatureReport0xFE() {
        #expect(HIDPOSCommands.featureReportsAfterOpen(vendorID: 0x0C2E) == [[0xFE, 0x01]])
        #expect(HIDPOSCommands.featureReportsAfterOpen(vendorID: 0x05E0).isEmpty)
    }

    @Test func capturesDeclareTheFeatureReportsTheDriverSends() throws {
        #expect(Self.logs.count >= 3)
        for name in Self.logs {
            let c = try Captures.load(name)
            let vid = UInt16(c.value("VID-PID")?.split(separator: ":").first ?? "", radix: 16) ?? 0
            // Feature reports are sent on open, before any input; output
            // reports (feedback) later, each one a step of the driver's plans.
            let beforeInput = c.records.prefix { $0.direction != .fromDevice }
            #expect(beforeInput.filter { $0.direction == .toDevice }.map(\.bytes) == HIDPOSCommands.featureReportsAfterOpen(vendorID: vid), "\(name)")
            let driver = try #require(DriverRegistry.make("hidpos"))
            let steps = Set(FeedbackOutcome.allCases.compactMap { driver.feedbackPlan($0) }.flatMap(\.steps).map(\.bytes))
            for r in c.records.dropFirst(beforeInput.count) where r.direction == .toDevice {
                #expect(steps.contains(r.bytes), "\(name): \(r.bytes) is no output report of the hidpos driver")
            }
        }
    }

    @Test func fuzzEntryNeverTraps() {
        var seed: UInt64 = 42
        for _ in 0..<2000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(seed % 300) {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: seed >> 40))
            }
            seed = seed &+ 1
            #expect(fuzzFeed(driver: "hidpos", bytes: bytes) >= 0)
        }
    }

    /// The libusb path cannot run here (no USB bus): opening must fail with a
    /// typed error that names the device, never crash.
    @Test func libusbOpenWithoutDeviceFailsWithTypedError() {
        do {
            let port = try LibUSBHIDPOSPort(vendorID: 0x0C2E, productID: 0xFFFF)
            port.close()
            Issue.record("unexpectedly opened a device")
        } catch let e as HIDPOSUSBError {
            #expect(e.description.contains("0c2e:ffff"))
        } catch {
            Issue.record("untyped error \(error)")
        }
        _ = HIDPOSHotplugWatcher.platformHasHotplug
        #expect(!HIDPOSHotplugWatcher.isPresent(vendorID: 0x0C2E, productID: 0xFFFF))
    }

    /// The watcher's libusb event thread ends on stop (within one 200 ms
    /// event wait), and a second stop, like the one in deinit, does nothing.
    @Test func hotplugWatcherStopsItsEventThread() throws {
        guard let watcher = HIDPOSHotplugWatcher.make(vendorID: 0x0C2E, productID: 0xFFFF, onChange: { _ in }) else {
            return // no hotplug support (or no libusb context) on this machine: nothing runs
        }
        let started = Date()
        watcher.stop()
        watcher.stop()
        #expect(Date().timeIntervalSince(started) < 2)
    }
}

@Suite struct HIDPOSReportDescriptorTests {
    // Start of a HID POS scanner descriptor: Usage Page (Bar Code Scanner 0x8C),
    // Usage (0x02), Collection (Application), Report ID 2, Usage Page (Vendor 0xFF45, 2-byte).
    static let scanner: [UInt8] = [0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x02, 0x06, 0x45, 0xFF, 0xC0]
    // A plain boot keyboard: Generic Desktop (0x01), Keyboard, Key Codes page 0x07.
    static let keyboard: [UInt8] = [0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0xC0]

    @Test func findsTheBarCodeScannerUsagePage() {
        #expect(HIDReportDescriptor.usagePages(Self.scanner) == [0x8C, 0xFF45])
        #expect(HIDReportDescriptor.isBarCodeScanner(Self.scanner))
        #expect(!HIDReportDescriptor.isBarCodeScanner(Self.keyboard))
        // 4-byte item and a long item are walked over correctly.
        #expect(HIDReportDescriptor.usagePages([0xFE, 0x02, 0x10, 0xAA, 0xBB, 0x07, 0x8C, 0x00, 0x00, 0x00]) == [0x8C])
    }

    @Test func truncatedDescriptorsNeverTrap() {
        for cut in 0...Self.scanner.count { _ = HIDReportDescriptor.usagePages(Array(Self.scanner[..<cut])) }
        #expect(HIDReportDescriptor.usagePages([0x06, 0x8C]) == [])
        #expect(HIDReportDescriptor.usagePages([0xFE]) == [])
        _ = LibUSBHIDPOSPort.findBarCodeScanners() // enumerates whatever bus exists (none here) without trapping
    }
}
