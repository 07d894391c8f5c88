import ScanModel

/// An AIM symbology identifier (ISO/IEC 15424): `]` + code character +
/// modifier character, prefixed by scanners configured to send it.
public struct AIMIdentifier: Hashable, Sendable, CustomStringConvertible {
    public let code: UInt8       // 'C', 'e', 'd', 'Q', 'J', 'E', …
    public let modifier: UInt8   // '0'…'9', 'A'…'Z'

    public var description: String { "]" + String(UnicodeScalar(code)) + String(UnicodeScalar(modifier)) }

    /// What the data after this identifier is.
    public enum Content: Sendable, Equatable {
        /// GS1 element strings (`]C1`, `]e0`, `]d2`, `]Q3`, `]J1`).
        case gs1ElementString
        /// EAN/UPC digits (`]E0` EAN-13/UPC-A/UPC-E, `]E4` EAN-8).
        case eanUPC
        /// EAN-13/UPC-A/UPC-E followed by its 2- or 5-digit add-on in one
        /// packet (`]E3`): magazines (issue number) and books (price).
        case eanUPCWithAddOn
        /// Plain data (`]d1`, `]Q1`, Code 128 `]C0`, …): may be a Digital Link URI.
        case plain
    }

    public var symbology: Symbology {
        switch (code, modifier) {
        case (UInt8(ascii: "C"), UInt8(ascii: "1")): return .gs1_128
        case (UInt8(ascii: "C"), _): return .code128
        case (UInt8(ascii: "e"), _): return .gs1DataBar
        case (UInt8(ascii: "d"), UInt8(ascii: "2")): return .gs1DataMatrix
        case (UInt8(ascii: "d"), _): return .dataMatrix
        case (UInt8(ascii: "Q"), UInt8(ascii: "3")): return .gs1QR
        case (UInt8(ascii: "Q"), _): return .qr
        case (UInt8(ascii: "J"), UInt8(ascii: "1")): return .gs1DotCode
        case (UInt8(ascii: "J"), _): return .dotCode
        case (UInt8(ascii: "E"), UInt8(ascii: "4")): return .ean8
        case (UInt8(ascii: "E"), _): return .ean13
        case (UInt8(ascii: "A"), _): return .code39
        case (UInt8(ascii: "I"), _): return .interleaved2of5
        case (UInt8(ascii: "L"), _): return .pdf417
        case (UInt8(ascii: "z"), _): return .aztec
        case (UInt8(ascii: "F"), _): return .codabar
        default: return .other
        }
    }

    public var content: Content {
        switch (code, modifier) {
        case (UInt8(ascii: "C"), UInt8(ascii: "1")), (UInt8(ascii: "e"), UInt8(ascii: "0")),
             (UInt8(ascii: "d"), UInt8(ascii: "2")), (UInt8(ascii: "Q"), UInt8(ascii: "3")),
             (UInt8(ascii: "J"), UInt8(ascii: "1")):
            return .gs1ElementString
        case (UInt8(ascii: "E"), UInt8(ascii: "0")), (UInt8(ascii: "E"), UInt8(ascii: "4")):
            return .eanUPC
        case (UInt8(ascii: "E"), UInt8(ascii: "3")):
            return .eanUPCWithAddOn
        default:
            return .plain
        }
    }

    /// Splits a leading AIM identifier off `data`. Returns nil identifier and
    /// offset 0 when the data does not start with a well-formed one.
    public static func split<C: RandomAccessCollection>(_ data: C) -> (identifier: AIMIdentifier?, payloadOffset: Int)
    where C.Element == UInt8, C.Index == Int {
        let s = data.startIndex
        guard data.count >= 3, data[s] == UInt8(ascii: "]") else { return (nil, 0) }
        let code = data[s + 1], modifier = data[s + 2]
        let isLetter = (code >= 0x41 && code <= 0x5A) || (code >= 0x61 && code <= 0x7A)
        let isModifier = (modifier >= 0x30 && modifier <= 0x39) || (modifier >= 0x41 && modifier <= 0x5A)
        guard isLetter, isModifier else { return (nil, 0) }
        return (AIMIdentifier(code: code, modifier: modifier), 3)
    }
}
