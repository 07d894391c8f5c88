/// DECODE_DATA's bar code type byte as an AIM symbology identifier (ISO/IEC
/// 15424), so an SSI scan carries the same `]C1…` prefix a line scanner set
/// to send AIM IDs puts in front of its data, and the pipeline reads both
/// the same way. Code types are the guide's code-type table (the same
/// numbers as Zebra's scanner SDK symbology types); modifiers follow the
/// AIM rules for what the type byte tells: GS1 variants get their GS1
/// modifier, the rest the plain one (the scanner does not say whether it
/// checked or stripped a check digit).
public enum SSISymbology {
    public struct Entry: Sendable {
        public let name: String
        /// Three bytes: `]`, code character, modifier.
        public let aim: [UInt8]
    }

    /// The entry for a code type, or nil when the table does not know it
    /// (the driver then emits the data without an identifier and counts it).
    @inline(__always)
    public static func entry(_ type: UInt8) -> Entry? { table[Int(type)] }

    private static let table: [Entry?] = {
        var t = [Entry?](repeating: nil, count: 256)
        for (type, name, aim) in known {
            t[Int(type)] = Entry(name: name, aim: Array(aim.utf8))
        }
        return t
    }()

    /// (type, name, AIM identifier).
    static let known: [(UInt8, String, String)] = [
        (0x01, "Code 39", "]A0"),
        (0x02, "Codabar", "]F0"),
        (0x03, "Code 128", "]C0"),
        (0x04, "Discrete 2 of 5", "]S0"),
        (0x05, "IATA 2 of 5", "]R0"),
        (0x06, "Interleaved 2 of 5", "]I0"),
        (0x07, "Code 93", "]G0"),
        (0x08, "UPC-A", "]E0"),
        (0x09, "UPC-E0", "]E0"),
        (0x0A, "EAN-8", "]E4"),
        (0x0B, "EAN-13", "]E0"),
        (0x0C, "Code 11", "]H0"),
        (0x0D, "Code 49", "]T0"),
        (0x0E, "MSI", "]M0"),
        (0x0F, "GS1-128", "]C1"),
        (0x10, "UPC-E1", "]E0"),
        (0x11, "PDF417", "]L0"),
        (0x12, "Code 16K", "]K0"),
        (0x13, "Code 39 Full ASCII", "]A4"),
        (0x15, "Trioptic Code 39", "]X0"),
        (0x16, "Bookland EAN", "]E0"),
        (0x17, "Coupon Code", "]E3"),
        (0x18, "NW-7", "]F0"),
        (0x19, "ISBT-128", "]C4"),
        (0x1A, "MicroPDF417", "]L0"),
        (0x1B, "Data Matrix", "]d1"),
        (0x1C, "QR Code", "]Q1"),
        (0x1E, "US Postnet", "]X0"),
        (0x1F, "US Planet", "]X0"),
        (0x20, "Code 32", "]X0"),
        (0x21, "ISBT-128 concatenated", "]C4"),
        (0x22, "Japan Postal", "]X0"),
        (0x23, "Australia Post", "]X0"),
        (0x24, "Netherlands KIX", "]X0"),
        (0x25, "MaxiCode", "]U0"),
        (0x26, "Canada Post", "]X0"),
        (0x27, "UK Postal", "]X0"),
        (0x28, "Macro PDF417", "]L0"),
        (0x2C, "Micro QR", "]Q1"),
        (0x2D, "Aztec", "]z0"),
        (0x30, "GS1 DataBar", "]e0"),
        (0x31, "GS1 DataBar Limited", "]e0"),
        (0x32, "GS1 DataBar Expanded", "]e0"),
        // Add-ons travel in the same packet as their main symbol: ]E3.
        (0x48, "UPC-A + 2", "]E3"),
        (0x49, "UPC-E0 + 2", "]E3"),
        (0x4A, "EAN-8 + 2", "]E3"),
        (0x4B, "EAN-13 + 2", "]E3"),
        (0x50, "UPC-E1 + 2", "]E3"),
        (0x71, "Matrix 2 of 5", "]X0"),
        (0x72, "Chinese 2 of 5", "]X0"),
        (0x88, "UPC-A + 5", "]E3"),
        (0x89, "UPC-E0 + 5", "]E3"),
        (0x8A, "EAN-8 + 5", "]E3"),
        (0x8B, "EAN-13 + 5", "]E3"),
        (0x90, "UPC-E1 + 5", "]E3"),
        (0xB7, "Han Xin", "]h0"),
        (0xC1, "GS1 DataMatrix", "]d2"),
        (0xC2, "GS1 QR", "]Q3"),
        (0xC4, "DotCode", "]J0"),
        (0xC8, "Grid Matrix", "]g0"),
    ]
}
