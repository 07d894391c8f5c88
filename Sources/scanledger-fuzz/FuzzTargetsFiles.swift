import Devices
import Foundation
import Service
import Stations

/// Fuzz drivers for what a stranger hands the daemon as files or requests:
/// the configuration, control-socket request lines, ASN/order/RMA imports
/// and capture logs. Each input is read or refused with an error; nothing
/// may trap.
extension FuzzTargets {
    /// The config loader: the positioned JSON reader, then every section's checks.
    static func fuzzConfig(_ bytes: [UInt8]) {
        guard let root = try? ConfigNode.parse(Data(bytes), file: "fuzz.json") else { return }
        _ = try? ServiceConfig.parse(root)
    }

    static func fuzzControlRequest(_ bytes: [UInt8]) {
        ControlRequestFuzzing.exercise(bytes)
    }

    /// ASN, order and RMA imports, as CSV and as JSON (the file name picks
    /// the reader, so both run on every input).
    static func fuzzImports(_ bytes: [UInt8]) {
        for file in ["fuzz.csv", "fuzz.json"] {
            _ = try? ExpectedImport.parseASNs(bytes, file: file)
            _ = try? ExpectedImport.parseOrders(bytes, file: file)
            _ = try? ExpectedImport.parseRMAs(bytes, file: file)
        }
    }

    /// The capture-log reader (`scanledger replay`, the driver tests).
    static func fuzzCaptureLog(_ bytes: [UInt8]) {
        _ = try? CaptureLog.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.log")
    }
}
