import Foundation
import Testing
@testable import Devices
import ScanModel

/// Output reports for feedback, from report descriptors: the layout
/// Honeywell's HID POS manual documents (report 4: bit 5 error beep, bit 6
/// good-read beep; "04h, 20h initiates an error beep"), the umockdev
/// fixture's full descriptor, and layouts with LEDs and without report IDs.
@Suite struct HIDPOSFeedbackTests {
    static let honeywell = HIDPOSFeedback.documentedOutputReport
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/hidpos-zebra-ds4608.rdesc")

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = [], chars = Array(hex.filter(\.isHexDigit))
        while chars.count >= 2 { out.append(UInt8(String(chars[0...1]), radix: 16)!); chars.removeFirst(2) }
        return out
    }

    @Test func honeywellLayoutGivesTheDocumentedBytes() {
        let r = HIDReportDescriptor.outputReports(Self.honeywell)
        #expect(r.usesReportIDs && r.lengths == [4: 1])
        #expect(r.fields.map { [$0.usage & 0xFFFF, UInt32($0.bitOffset)] } == [[0x5F, 1], [0x60, 2], [0x85, 5], [0x86, 6]])
        #expect(HIDPOSFeedback.outputReport(for: .good, descriptor: Self.honeywell) == [0x04, 0x40])
        #expect(HIDPOSFeedback.outputReport(for: .error, descriptor: Self.honeywell) == [0x04, 0x20])
        #expect(HIDPOSFeedback.outputReport(for: .done, descriptor: Self.honeywell) == [0x04, 0x40])
        #expect(HIDPOSFeedback.outputReport(for: .warning, descriptor: Self.honeywell) == nil) // no "not on file" beep
    }

    /// The four outcomes stay distinguishable by count and spacing.
    @Test func plansTellTheFourOutcomesApart() throws {
        let r = HIDReportDescriptor.outputReports(Self.honeywell)
        let plans = FeedbackOutcome.allCases.map { HIDPOSFeedback.plan(for: $0, reports: r) }
        #expect(HIDPOSFeedback.plan(for: .good, reports: r) == .bytes([0x04, 0x40]))
        #expect(HIDPOSFeedback.plan(for: .warning, reports: r) == .repeated([0x04, 0x40], count: 2, gap: .milliseconds(150)))
        #expect(HIDPOSFeedback.plan(for: .done, reports: r) == .repeated([0x04, 0x40], count: 2, gap: .milliseconds(500)))
        #expect(HIDPOSFeedback.plan(for: .error, reports: r) == .bytes([0x04, 0x20]))
        #expect(Set(plans.compactMap { $0 }).count == 4)
    }

    /// The full descriptor of the umockdev fixture: input report 2 (scans)
    /// does not disturb the output layout.
    @Test func fullScannerDescriptorKeepsInputOutOfTheOutputReport() throws {
        let d = Self.bytes(hex: try String(contentsOf: Self.fixture, encoding: .utf8))
        #expect(HIDReportDescriptor.isBarCodeScanner(d))
        #expect(HIDReportDescriptor.outputReports(d) == HIDReportDescriptor.outputReports(Self.honeywell))
        #expect(HIDPOSFeedback.outputReport(for: .error, descriptor: d) == [0x04, 0x20])
    }

    /// No report IDs (the ID byte is 0 and not sent), a 2-byte report with
    /// Good Read LED at bit 3 and Sound Not On File Beep at bit 12, usage
    /// min/max, a 4-byte usage naming page 0x8C from a vendor page, and
    /// push/pop around a vendor field.
    @Test func ledsWithoutReportIDsAndExtendedUsages() {
        let d: [UInt8] = [
            0x06, 0x00, 0xFF, 0x09, 0x01, 0xA1, 0x01,              // vendor page application
            0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x03, 0x91, 0x01,   // bits 0-2 padding
            0x0B, 0x7D, 0x00, 0x8C, 0x00, 0x95, 0x01, 0x91, 0x02,  // bit 3: Good Read LED (4-byte usage)
            0xA4, 0x75, 0x04, 0x09, 0x10, 0x91, 0x02, 0xB4,        // push; bits 4-7 a vendor nibble; pop
            0x05, 0x8C, 0x19, 0x86, 0x29, 0x87, 0x95, 0x02, 0x91, 0x02,  // bits 8-9 good-read and not-on-file beeps
            0x95, 0x06, 0x91, 0x01, 0xC0,                          // padding to 2 bytes
        ]
        let r = HIDReportDescriptor.outputReports(d)
        #expect(!r.usesReportIDs && r.lengths == [0: 2])
        #expect(HIDPOSFeedback.outputReport(for: .good, descriptor: d) == [0x00, 0x08, 0x01])    // LED bit 3 and beep bit 8
        #expect(HIDPOSFeedback.outputReport(for: .warning, descriptor: d) == [0x00, 0x00, 0x02]) // bit 9
        #expect(HIDPOSFeedback.outputReport(for: .error, descriptor: d) == nil)
        #expect(HIDPOSFeedback.plan(for: .error, reports: r) == nil)
    }

    @Test func inputOnlyDescriptorHasNoFeedback() throws {
        let options = try DriverOptions(parsing: "report-descriptor=058C0902A1018502150026FF00750895408102C0")
        let driver = try #require(DriverRegistry.make("hidpos", options: options))
        #expect(FeedbackOutcome.allCases.allSatisfy { driver.feedbackPlan($0) == nil })
        #expect(try #require(DriverRegistry.make("hidpos")).feedbackPlan(.error) == .bytes([0x04, 0x20]))
    }

    /// Random and truncated descriptors: no trap, and every report built
    /// fits the length the descriptor declares.
    @Test func arbitraryDescriptorsNeverTrap() {
        var rng = SplitMix64(seed: 14)
        for _ in 0..<3000 {
            let n = Int(rng.next() % 96)
            let d = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let r = HIDReportDescriptor.outputReports(d)
            for outcome in FeedbackOutcome.allCases {
                if let report = HIDPOSFeedback.outputReport(for: outcome, reports: r) {
                    #expect(report.count == 1 + (r.lengths[report[0]] ?? -1))
                }
            }
        }
        for k in 0..<Self.honeywell.count { _ = HIDReportDescriptor.outputReports(Array(Self.honeywell.prefix(k))) }
    }
}
