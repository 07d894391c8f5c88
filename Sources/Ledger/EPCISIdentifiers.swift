import Foundation
import ScanModel

/// URIs for the things an EPCIS 2.0 document names. GS1 keys become GS1
/// Digital Link URIs (accepted by EPCIS 2.0) or SGLN URNs; anything without a
/// GS1 key gets the private scheme documented in docs/ledger.md:
///   urn:scanledger:loc:<code>            a location without a GLN
///   urn:scanledger:item:<sku>[:lot:<lot>] a SKU-only item class
///   urn:scanledger:item:<sku>:serial:<s>  a SKU-only serialised instance
///   urn:scanledger:ref:<ref>              a document reference (ASN, PO, order)
public enum EPCISIdentifiers {
    /// SGLN URN when the company prefix length is known, else the GLN's Digital Link.
    public static func location(code: String, gln: GLN?, gcpLength: Int?) -> String {
        guard let gln else { return "urn:scanledger:loc:" + encode(code) }
        let digits = Array(gln.digits) // 13 digits: prefix + location reference + check digit
        if let length = gcpLength, (6...12).contains(length) {
            let prefix = String(digits[0..<length])
            let reference = String(digits[length..<12])
            return "urn:epc:id:sgln:\(prefix).\(reference).0"
        }
        return "https://id.gs1.org/414/\(gln.digits)"
    }

    /// One serialised instance.
    public static func instance(item: String, serial: String, epc: String?) -> String {
        if let gtin = GTIN(item) { return "https://id.gs1.org/01/\(gtin.digits)/21/\(encode(serial))" }
        if let hex = epc, let parsed = EPC(hex: hex) { return "urn:epc:raw:\(parsed.bitCount).x\(parsed.hex.uppercased())" }
        return "urn:scanledger:item:\(encode(item)):serial:\(encode(serial))"
    }

    /// A class of items (optionally one lot of it), for quantity lists.
    public static func itemClass(item: String, lot: String?) -> String {
        if let gtin = GTIN(item) {
            return "https://id.gs1.org/01/\(gtin.digits)" + (lot.map { "/10/\(encode($0))" } ?? "")
        }
        return "urn:scanledger:item:\(encode(item))" + (lot.map { ":lot:\(encode($0))" } ?? "")
    }

    public static func sscc(_ digits: String) -> String { "https://id.gs1.org/00/\(digits)" }

    public static func reference(_ ref: String) -> String { "urn:scanledger:ref:" + encode(ref) }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = String(b, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
