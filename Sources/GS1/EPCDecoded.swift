/// One GS1 Application Identifier and its value, in element-string order.
public struct EPCElement: Sendable, Equatable, Hashable {
    public var ai: String
    public var value: String
    public init(_ ai: String, _ value: String) { self.ai = ai; self.value = value }
}

/// A fully decoded EPC: every representation a user or another system asks for.
public struct DecodedEPC: Sendable, Equatable {
    /// Scheme name as in tag URIs: "sgtin-96", "sgtin-198", "sgtin+", …
    public var scheme: String
    public var schemeKind: EPCScheme
    /// Filter value (0…7).
    public var filter: Int?
    /// `urn:epc:id:…`. For the TDS 2.x '+' schemes the binary carries no
    /// company prefix length, so no EPC URN can be derived without guessing;
    /// this holds the GS1 Digital Link URI instead (id.gs1.org), which is the
    /// identity representation TDS 2.x defines for those schemes.
    public var pureURI: String
    /// `urn:epc:tag:…` (filter + scheme + identity). For '+' schemes: the
    /// Digital Link URI, as for `pureURI`.
    public var tagURI: String
    /// Human-readable GS1 element string, e.g. "(01)80614141123458(21)6789".
    public var elementString: String?
    /// The element string as ordered AI/value pairs (same content as `elementString`).
    public var elements: [EPCElement]
    /// GS1 Digital Link URI on id.gs1.org for the identity (+ dates for DSGTIN+).
    public var digitalLinkURI: String?
    /// GS1 company prefix digits (nil for '+' schemes: not encoded there).
    public var companyPrefix: String?
    /// The primary GS1 key: GTIN-14, SSCC-18, GLN-13, GRAI, GIAI, GSRN, GDTI, SGCN.
    public var gs1Key: String
    /// Serial / GLN extension / asset reference, unescaped (nil when the scheme has none).
    public var serial: String?
    /// '+' schemes: whether the +AIDC data toggle was set (extra AIs follow the EPC).
    public var hasAIDCData: Bool
    /// The EPC as read, uppercase hex.
    public var rawHex: String
}

/// Why an EPC could not be decoded or encoded. The raw hex is always kept so
/// the read can be logged and looked at later; nothing is guessed.
public struct EPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case unknownHeader = "unknown_header"
        case unsupportedScheme = "unsupported_scheme"
        case truncated
        case invalidPartition = "invalid_partition"
        case valueOutOfRange = "value_out_of_range"
        case invalidCharacter = "invalid_character"
        case badPadding = "bad_padding"
        case badCheckDigit = "bad_check_digit"
        case notEncodable = "not_encodable"
        case invalidURI = "invalid_uri"
        case duplicateAI = "duplicate_ai"
    }
    public var kind: Kind
    /// A sentence naming the field and bit offset (or URI part) at fault.
    public var message: String
    /// The EPC hex as read ("" when encoding from fields).
    public var rawHex: String
    /// Bit offset of the offending field, when decoding.
    public var bitOffset: Int?

    public init(_ kind: Kind, _ message: String, rawHex: String = "", bitOffset: Int? = nil) {
        self.kind = kind; self.message = message; self.rawHex = rawHex; self.bitOffset = bitOffset
    }

    public var description: String {
        rawHex.isEmpty ? message : "\(message) (EPC \(rawHex))"
    }
}
