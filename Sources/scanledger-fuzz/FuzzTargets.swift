import Devices
import Forwarding
import Foundation
import GS1
import ScanModel

/// Fuzz drivers by name, chosen with SCANLEDGER_FUZZ_TARGET. Each gets raw
/// bytes and must return normally for every input: any trap, sanitizer
/// report or hang is a bug in the code under test.
///
/// To add a driver: add one entry here (name → closure over the bytes),
/// make this target depend on the module it exercises in Package.swift, and
/// put a few seed inputs in Tests/Fuzz/corpus/<name>/. `make fuzz` runs
/// every registered name.
enum FuzzTargets {
    static let all: [(name: String, run: @Sendable ([UInt8]) -> Void)] = [
        ("gs1", fuzzGS1),
        ("epc", fuzzEPC),
        ("tracking", fuzzTracking),
        ("line", fuzzDriver("line")),
        ("mercury", fuzzDriver("mercury")),
        ("tsl", fuzzDriver("tsl")),
        ("hidpos", fuzzDriver("hidpos")),
        ("evdev", fuzzDriver("evdev")),
        ("llrp", fuzzLLRP),
        ("ssi", fuzzDriver("ssi")),
        ("outbox-payload", fuzzOutboxPayload),
        ("outbox-payload-agreement", fuzzOutboxPayloadAgreement),
        ("text-json", fuzzTextJSON),
        ("text-csv", fuzzTextCSV),
        ("config", fuzzConfig),
        ("control-request", fuzzControlRequest),
        ("imports", fuzzImports),
        ("capture-log", fuzzCaptureLog),
    ]

    /// A device driver from `DriverRegistry`: the bytes split at shifting
    /// points must decode exactly like the bytes whole (`fuzzFeed` traps
    /// otherwise), and nothing may trap on the way.
    static func fuzzDriver(_ name: String) -> @Sendable ([UInt8]) -> Void {
        { bytes in
            if fuzzFeed(driver: name, bytes: bytes) < 0 { preconditionFailure("driver \(name) is not registered") }
        }
    }

    /// LLRP: the driver as above, then the session state machine must
    /// accept whatever the decoder made of the bytes.
    static func fuzzLLRP(_ bytes: [UInt8]) {
        fuzzDriver("llrp")(bytes)
        fuzzLLRPSession(bytes)
    }

    /// Barcode entry points: the scan decoder (AIM, EAN/UPC, Digital Link,
    /// plain data) and both element-string forms, plus the output forms of
    /// whatever parses (which must parse again to the same pairs).
    static func fuzzGS1(_ bytes: [UInt8]) {
        _ = ScanDecoder.decode(bytes)
        _ = DigitalLink.parse(bytes)
        for result in [ElementStringParser.parseRaw(bytes), ElementStringParser.parseBracketed(bytes)] {
            guard case .success(let es) = result else { continue }
            guard case .success(let again) = ElementStringParser.parseRaw(es.raw),
                  again.pairs.map(\.value) == es.pairs.map(\.value) else {
                preconditionFailure("raw form did not round-trip: \(es.humanReadable)")
            }
            _ = es.humanReadable
        }
    }

    /// Carrier tracking numbers: any bytes are recognised or refused with an
    /// offset inside the input; a recognised number's canonical form is
    /// recognised again as the same number (a site rule of any shape is
    /// present so the custom path runs too).
    static func fuzzTracking(_ bytes: [UInt8]) {
        let rules = [TrackingRule(carrier: "Site", pattern: "JJD*"), TrackingRule(carrier: "Site", pattern: "@##?")]
        switch TrackingNumber.recognize(bytes, extraRules: rules) {
        case .failure(let e):
            if let at = e.offset, at < 0 || at > bytes.count { preconditionFailure("offset \(at) outside \(bytes.count) bytes: \(e)") }
        case .success(let t):
            guard case .success(let again) = TrackingNumber.recognize(t.trackingNumber, extraRules: rules),
                  again.trackingNumber == t.trackingNumber else {
                preconditionFailure("\(t) is not recognised again from its canonical form")
            }
        }
    }

    /// EPC entry points: bytes as EPC bank contents, and as hex text.
    static func fuzzEPC(_ bytes: [UInt8]) {
        if let epc = EPC(bytes: bytes.prefix(32)) { _ = EPCDecoder.decode(epc) }
        if let epc = EPC(hex: String(decoding: bytes, as: UTF8.self)) { _ = EPCDecoder.decode(epc) }
    }

    /// The forwarder's outbox payload reader (a hand-written JSON reader on
    /// the COPY path): any bytes are read or refused, never a trap.
    static func fuzzOutboxPayload(_ bytes: [UInt8]) {
        OutboxPayloadFuzzing.exercise(bytes)
    }

    /// The forwarder's fast payload reader against the kernel JSON reader:
    /// on strictly valid JSON they must read the same fields (see
    /// `OutboxPayloadAgreement`); a disagreement traps so libFuzzer keeps it.
    static func fuzzOutboxPayloadAgreement(_ bytes: [UInt8]) {
        if let difference = OutboxPayloadAgreement.disagreement(bytes) { preconditionFailure(difference) }
    }

    /// The kernel JSON reader: any bytes are read or refused; what it reads,
    /// written back by `JSONText.encode`, reads again to the same text.
    static func fuzzTextJSON(_ bytes: [UInt8]) {
        guard let tree = try? JSONReader.parse(bytes, file: "fuzz") else { return }
        let written = JSONText.encode(tree.value)
        guard let again = try? JSONReader.parse(written, file: "fuzz"), JSONText.encode(again.value) == written else {
            preconditionFailure("JSON did not round-trip: \(written)")
        }
    }

    /// The kernel CSV reader: any bytes are read or refused; rows it reads,
    /// written back with `CSV.record`, read again to the same rows.
    static func fuzzTextCSV(_ bytes: [UInt8]) {
        guard let rows = try? CSV.rows(bytes, file: "fuzz") else { return }
        let values = rows.map { $0.map(\.value) }
        let written = values.map(CSV.record).joined()
        guard let again = try? CSV.rows(written, file: "fuzz"), again.map({ $0.map(\.value) }) == values else {
            preconditionFailure("CSV did not round-trip: \(values)")
        }
    }

    static func selected() -> [(name: String, run: @Sendable ([UInt8]) -> Void)] {
        guard let name = ProcessInfo.processInfo.environment["SCANLEDGER_FUZZ_TARGET"], !name.isEmpty else { return all }
        return all.filter { $0.name == name }
    }
}
