/// The EPC binary encoding schemes this module decodes and encodes
/// (EPC Tag Data Standard 2.x, Table 14-1). The raw value is the 8-bit header.
public enum EPCScheme: UInt8, Sendable, CaseIterable, Hashable {
    case gdti96 = 0x2C
    case gsrn96 = 0x2D
    case gsrnp96 = 0x2E
    case sgtin96 = 0x30
    case sscc96 = 0x31
    case sgln96 = 0x32
    case grai96 = 0x33
    case giai96 = 0x34
    case sgtin198 = 0x36
    case grai170 = 0x37
    case giai202 = 0x38
    case sgln195 = 0x39
    case gdti174 = 0x3E
    case sgcn96 = 0x3F
    // TDS 2.x '+' schemes: no partition; GS1 keys as digits, AI values self-delimiting.
    case graiPlus = 0xF1
    case sglnPlus = 0xF2
    case gsrnPlus = 0xF4
    case sgtinPlus = 0xF7
    case ssccPlus = 0xF9
    case giaiPlus = 0xFA
    case dsgtinPlus = 0xFB

    /// Lowercase name as used in EPC tag URIs and JSON ("sgtin-96", "sgtin+").
    public var name: String {
        switch self {
        case .gdti96: return "gdti-96"
        case .gsrn96: return "gsrn-96"
        case .gsrnp96: return "gsrnp-96"
        case .sgtin96: return "sgtin-96"
        case .sscc96: return "sscc-96"
        case .sgln96: return "sgln-96"
        case .grai96: return "grai-96"
        case .giai96: return "giai-96"
        case .sgtin198: return "sgtin-198"
        case .grai170: return "grai-170"
        case .giai202: return "giai-202"
        case .sgln195: return "sgln-195"
        case .gdti174: return "gdti-174"
        case .sgcn96: return "sgcn-96"
        case .graiPlus: return "grai+"
        case .sglnPlus: return "sgln+"
        case .gsrnPlus: return "gsrn+"
        case .sgtinPlus: return "sgtin+"
        case .ssccPlus: return "sscc+"
        case .giaiPlus: return "giai+"
        case .dsgtinPlus: return "dsgtin+"
        }
    }

    /// The pure-identity namespace ("sgtin" in `urn:epc:id:sgtin:…`).
    public var identityKind: EPCIdentityKind {
        switch self {
        case .sgtin96, .sgtin198, .sgtinPlus, .dsgtinPlus: return .sgtin
        case .sscc96, .ssccPlus: return .sscc
        case .sgln96, .sgln195, .sglnPlus: return .sgln
        case .grai96, .grai170, .graiPlus: return .grai
        case .giai96, .giai202, .giaiPlus: return .giai
        case .gsrn96, .gsrnPlus: return .gsrn
        case .gsrnp96: return .gsrnp
        case .gdti96, .gdti174: return .gdti
        case .sgcn96: return .sgcn
        }
    }

    /// True for the TDS 2.x '+' schemes.
    public var isPlus: Bool { rawValue >= 0xF0 }

    /// Total bits of a fixed-length scheme, nil for '+' schemes.
    public var fixedBitLength: Int? {
        switch self {
        case .gdti96, .gsrn96, .gsrnp96, .sgtin96, .sscc96, .sgln96, .grai96, .giai96, .sgcn96: return 96
        case .sgtin198: return 198
        case .grai170: return 170
        case .giai202: return 202
        case .sgln195: return 195
        case .gdti174: return 174
        default: return nil
        }
    }

    /// Looks a header byte up without a dictionary (hot path).
    @inline(__always)
    public static func from(header: UInt8) -> EPCScheme? { EPCScheme(rawValue: header) }

    /// Scheme by tag-URI name ("sgtin-96"), case-insensitive.
    public static func named(_ name: some StringProtocol) -> EPCScheme? {
        let lower = name.lowercased()
        return allCases.first { $0.name == lower }
    }
}

/// The identity types behind the schemes (`urn:epc:id:<kind>:…`).
public enum EPCIdentityKind: String, Sendable, CaseIterable {
    case sgtin, sscc, sgln, grai, giai, gsrn, gsrnp, gdti, sgcn
}

/// Partition tables (TDS 14.5.x): for each partition value 0…6 the bit
/// width and digit count of the company prefix and of the second field.
struct EPCPartition: Sendable {
    let companyPrefixBits: Int
    let companyPrefixDigits: Int
    let referenceBits: Int
    let referenceDigits: Int
}

enum EPCPartitionTable {
    /// Company prefix bits/digits are the same in every table.
    static let prefixBits = [40, 37, 34, 30, 27, 24, 20]
    static let prefixDigits = [12, 11, 10, 9, 8, 7, 6]

    private static func table(_ refBits: [Int], _ refDigits: [Int]) -> [EPCPartition] {
        (0..<7).map { EPCPartition(companyPrefixBits: prefixBits[$0], companyPrefixDigits: prefixDigits[$0],
                                   referenceBits: refBits[$0], referenceDigits: refDigits[$0]) }
    }

    /// SGTIN: indicator digit + item reference (13 digits with the prefix).
    static let sgtin = table([4, 7, 10, 14, 17, 20, 24], [1, 2, 3, 4, 5, 6, 7])
    /// SSCC: extension digit + serial reference (17 digits with the prefix).
    static let sscc = table([18, 21, 24, 28, 31, 34, 38], [5, 6, 7, 8, 9, 10, 11])
    /// SGLN location ref, GDTI document type, SGCN coupon ref (12 digits in 41 bits).
    static let twelveDigit = table([1, 4, 7, 11, 14, 17, 21], [0, 1, 2, 3, 4, 5, 6])
    /// GRAI asset type (12 digits in 44 bits).
    static let grai = table([4, 7, 10, 14, 17, 20, 24], [0, 1, 2, 3, 4, 5, 6])
    /// GSRN/GSRNP service reference (17 digits with the prefix).
    static let gsrn = table([18, 21, 24, 28, 31, 34, 38], [5, 6, 7, 8, 9, 10, 11])
    /// GIAI-96: integer asset reference; digits are the maximum.
    static let giai96 = table([42, 45, 48, 52, 55, 58, 62], [13, 14, 15, 16, 17, 18, 19])
    /// GIAI-202: 7-bit string asset reference; digits are max characters.
    static let giai202 = table([148, 151, 154, 158, 161, 164, 168], [18, 19, 20, 21, 22, 23, 24])

    static func table(for scheme: EPCScheme) -> [EPCPartition] {
        switch scheme {
        case .sgtin96, .sgtin198: return sgtin
        case .sscc96: return sscc
        case .sgln96, .sgln195, .gdti96, .gdti174, .sgcn96: return twelveDigit
        case .grai96, .grai170: return grai
        case .gsrn96, .gsrnp96: return gsrn
        case .giai96: return giai96
        case .giai202: return giai202
        default: return []
        }
    }
}
