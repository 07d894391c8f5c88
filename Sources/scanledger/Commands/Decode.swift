import Foundation
import GS1
import ScanModel

/// `scanledger decode [INPUT…]` and `scanledger decode --epc [HEX…]`: one
/// JSON object per input, in input order. Inputs come from the arguments or,
/// when there are none, from stdin one per line. `\x1d` in an input means GS.
/// Exit 0 when every input decoded, 1 when any failed, 2 on usage errors.
let decodeCommand = CommandSpec("decode", summary: "decode barcode scans or EPC hex to JSON",
                                positionals: [PositionalSpec("INPUT", .zeroOrMore, "barcode data, or EPC hex with --epc (default: stdin, one per line)")],
                                options: [.flag("--epc", "the inputs are EPC bank hex from RFID tags")],
                                notes: "In INPUT a GS byte or the escape \\x1d stands for FNC1/GS. Put -- before an input that starts with a dash.\n"
                                    + "Exit 1 when any input did not decode (its line has an \"error\").") { args in
    DecodeCommand.run(epcMode: args.flag("--epc"), inputs: args.positionals("INPUT"))
}

enum DecodeCommand {
    static func run(epcMode: Bool, inputs: [String]) -> Int32 {
        var failed = false
        let emit: (String) -> Void = { line in
            let ok = epcMode ? decodeEPC(line) : decodeScan(line)
            if !ok { failed = true }
        }
        if inputs.isEmpty {
            while let line = readLine(strippingNewline: true) {
                let trimmed = line.hasSuffix("\r") ? String(line.dropLast()) : line
                if trimmed.isEmpty { continue }
                emit(trimmed)
            }
        } else {
            inputs.forEach(emit)
        }
        return failed ? 1 : 0
    }

    /// Replaces the escape `\x1d` (either case) with the GS byte.
    static func unescape(_ s: String) -> [UInt8] {
        let u = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "\\"), i + 3 < u.count, u[i + 1] == UInt8(ascii: "x"),
               u[i + 2] == UInt8(ascii: "1"), u[i + 3] == UInt8(ascii: "d") || u[i + 3] == UInt8(ascii: "D") {
                out.append(0x1D); i += 4
            } else {
                out.append(u[i]); i += 1
            }
        }
        return out
    }

    static func decodeScan(_ input: String) -> Bool {
        let bytes = unescape(input)
        switch ScanDecoder.decode(bytes) {
        case .failure(let error):
            var obj: [String: Any] = ["input": input, "error": error.message]
            if let offset = error.offset { obj["offset"] = offset }
            if let ai = error.ai { obj["ai"] = ai }
            // A FedEx 12-digit number is seldom a valid UPC-A: the carrier
            // reading is shown, but the exit status stays the GS1 decode's.
            if let t = tracking(bytes) { obj["tracking"] = t }
            printJSON(obj)
            return false
        case .success(let scan):
            var obj: [String: Any] = [
                "input": input,
                "symbology": scan.symbology?.rawValue ?? NSNull(),
                "kind": scan.kind.rawValue,
                "ais": scan.ais.map { [$0.ai, $0.value] },
            ]
            if let v = scan.gtin { obj["gtin"] = v }
            if let v = scan.sscc { obj["sscc"] = v }
            if let v = scan.lot { obj["lot"] = v }
            if let v = scan.serial { obj["serial"] = v }
            if let v = scan.expiry() { obj["expiry"] = v }
            if let v = scan.quantity { obj["quantity"] = v }
            if let v = scan.addOn { obj["add_on"] = v }
            if let t = tracking(bytes) { obj["tracking"] = t }
            switch scan.kind {
            case .location, .document, .command, .epc: obj[scan.kind.rawValue] = scan.value ?? NSNull()
            default: break
            }
            printJSON(obj)
            return true
        }
    }

    /// The carrier tracking number in the scan, if it is one (docs/decoding.md).
    static func tracking(_ bytes: [UInt8]) -> [String: Any]? {
        guard case .success(let t) = TrackingNumber.recognize(bytes) else { return nil }
        var obj: [String: Any] = ["carrier": t.carrier.name, "number": t.trackingNumber, "rule": t.rule.name]
        if let v = t.service { obj["service"] = v }
        if let v = t.destinationZIP { obj["zip"] = v }
        return obj
    }

    static func decodeEPC(_ input: String) -> Bool {
        let hex = input.trimmingCharacters(in: .whitespaces)
        guard let epc = EPC(hex: hex) else {
            printJSON(["input": input, "error": "'\(input)' is not EPC hex (1 to 64 hex digits)"])
            return false
        }
        switch EPCDecoder.decode(epc) {
        case .failure(let error):
            printJSON(["input": input, "error": error.message])
            return false
        case .success(let d):
            printJSON([
                "input": input, "scheme": d.scheme, "filter": d.filter ?? NSNull(),
                "epc_uri": d.pureURI, "tag_uri": d.tagURI, "gs1": d.elementString ?? NSNull(),
            ])
            return true
        }
    }

    static func printJSON(_ obj: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            print("{\"error\":\"internal: could not encode JSON\"}")
            return
        }
        print(String(decoding: data, as: UTF8.self))
    }
}
