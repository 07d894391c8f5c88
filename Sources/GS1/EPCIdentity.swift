import ScanModel

/// The identity in a 96-bit EPC as plain integers: what the read pipeline
/// needs per tag, produced without touching the heap (no String, no Array).
///
/// Field meaning by scheme:
/// - `reference`: SGTIN indicator + item reference, SSCC extension digit +
///   serial reference, SGLN location reference, GRAI asset type, GDTI
///   document type, SGCN coupon reference, GSRN/GSRNP service reference;
///   0 for GIAI. Printed zero-padded to `referenceDigits`.
/// - `serial`: SGTIN/GRAI/GDTI serial, SGLN extension, GIAI individual asset
///   reference, SGCN serial (printed zero-padded to `serialDigits` when that
///   is non-zero, since SGCN serials keep leading zeros); 0 for SSCC/GSRN.
public struct EPCIdentity: Sendable, Hashable {
    public var scheme: EPCScheme
    public var filter: UInt8
    public var companyPrefixDigits: UInt8
    public var referenceDigits: UInt8
    public var serialDigits: UInt8
    public var companyPrefix: UInt64
    public var reference: UInt64
    public var serial: UInt64

    public init(scheme: EPCScheme, filter: UInt8, companyPrefixDigits: UInt8, companyPrefix: UInt64,
                referenceDigits: UInt8, reference: UInt64, serial: UInt64 = 0, serialDigits: UInt8 = 0) {
        self.scheme = scheme; self.filter = filter
        self.companyPrefixDigits = companyPrefixDigits; self.companyPrefix = companyPrefix
        self.referenceDigits = referenceDigits; self.reference = reference
        self.serial = serial; self.serialDigits = serialDigits
    }

    /// GTIN-14 with its check digit, for SGTIN-96.
    public var gtin: UInt64? { scheme == .sgtin96 ? keyWithLeadingDigit(body: 13) : nil }

    /// SSCC-18 with its check digit, for SSCC-96.
    public var sscc: UInt64? { scheme == .sscc96 ? keyWithLeadingDigit(body: 17) : nil }

    /// The GS1 key whose first digit (GTIN indicator, SSCC extension) leads
    /// the reference in the EPC: that digit, the company prefix, the rest of
    /// the reference (`body` digits in all), then the check digit.
    private func keyWithLeadingDigit(body digits: Int) -> UInt64? {
        guard referenceDigits >= 1 else { return nil }
        let rest = EPCText.pow10(Int(referenceDigits) - 1)
        let leading = reference / rest
        let body = leading &* EPCText.pow10(digits - 1) &+ companyPrefix &* rest &+ reference % rest
        return body &* 10 &+ EPCIdentity.checkDigit(body)
    }

    /// GS1 mod-10 check digit of a number's decimal digits.
    @inline(__always)
    static func checkDigit(_ body: UInt64) -> UInt64 {
        var n = body, sum: UInt64 = 0, weight3 = true
        while n > 0 {
            let d = n % 10
            sum &+= weight3 ? d &* 3 : d
            weight3.toggle()
            n /= 10
        }
        return (10 - sum % 10) % 10
    }
}

/// Outcome of the allocation-free 96-bit decode; the failure carries what
/// `EPCDecoder.decode` needs to build a message, without building one.
enum EPC96Outcome {
    case identity(EPCIdentity)
    case failure(EPCError.Kind, field: StaticString, bitOffset: Int)
}

enum EPC96 {
    /// Bits and digits of company prefix and reference for partition `p`
    /// (0…6) of `scheme`; a switch, not a table, so nothing is allocated.
    @inline(__always)
    static func layout(_ scheme: EPCScheme, _ p: Int) -> (cpBits: Int, cpDigits: Int, refBits: Int, refDigits: Int) {
        let cpBits: Int
        switch p { case 0: cpBits = 40; case 1: cpBits = 37; case 2: cpBits = 34; case 3: cpBits = 30
                   case 4: cpBits = 27; case 5: cpBits = 24; default: cpBits = 20 }
        let cpDigits = 12 - p
        switch scheme {
        case .sgtin96:
            return (cpBits, cpDigits, 44 - cpBits, 13 - cpDigits)
        case .sscc96, .gsrn96, .gsrnp96:
            return (cpBits, cpDigits, 58 - cpBits, 17 - cpDigits)
        case .giai96:
            return (cpBits, cpDigits, 82 - cpBits, 25 - cpDigits)
        case .grai96:
            return (cpBits, cpDigits, 44 - cpBits, 12 - cpDigits)
        default: // SGLN, GRAI, GDTI, SGCN: 41 bits, 12 digits together
            return (cpBits, cpDigits, 41 - cpBits, 12 - cpDigits)
        }
    }

    /// `count` (1…64) bits at `offset` of the first 96 bits: w0 holds bits
    /// 0–63, the top half of w1 bits 64–95. Plain shifts, no bounds switch.
    @inline(__always)
    static func field(_ hi: UInt64, _ lo: UInt64, _ offset: Int, _ count: Int) -> UInt64 {
        let shift = UInt64(64 - count)
        if offset >= 64 { return (lo << UInt64(offset - 64)) >> shift }
        let top = hi << UInt64(offset)
        let joined = offset == 0 ? top : top | (lo >> UInt64(64 - offset))
        return joined >> shift
    }

    /// Decodes any 96-bit scheme. Bits past 96 (a reader reporting a longer
    /// EPC bank) must be zero.
    @inline(__always)
    static func decode(_ epc: EPC) -> EPC96Outcome {
        guard epc.bitCount >= 96 else { return .failure(.truncated, field: "EPC", bitOffset: Int(epc.bitCount)) }
        guard epc.w1 & 0xFFFF_FFFF == 0, epc.w2 == 0, epc.w3 == 0 else {
            return .failure(.badPadding, field: "bits after bit 96", bitOffset: 96)
        }
        let scheme: EPCScheme
        switch epc.w0 >> 56 {
        case 0x30: scheme = .sgtin96
        case 0x31: scheme = .sscc96
        case 0x32: scheme = .sgln96
        case 0x33: scheme = .grai96
        case 0x34: scheme = .giai96
        case 0x2D: scheme = .gsrn96
        case 0x2E: scheme = .gsrnp96
        case 0x2C: scheme = .gdti96
        case 0x3F: scheme = .sgcn96
        default: return .failure(.unknownHeader, field: "header", bitOffset: 0)
        }
        let filter = UInt8(truncatingIfNeeded: (epc.w0 >> 53) & 7)
        let partition = Int((epc.w0 >> 50) & 7)
        guard partition < 7 else { return .failure(.invalidPartition, field: "partition", bitOffset: 11) }
        let l = layout(scheme, partition)
        let hi = epc.w0, lo = epc.w1
        let companyPrefix = field(hi, lo, 14, l.cpBits)
        guard companyPrefix < EPCText.pow10(l.cpDigits) else {
            return .failure(.valueOutOfRange, field: "company prefix", bitOffset: 14)
        }
        let refOffset = 14 + l.cpBits
        let ref = field(hi, lo, refOffset, l.refBits)
        let tailOffset = refOffset + l.refBits
        var id = EPCIdentity(scheme: scheme, filter: filter, companyPrefixDigits: UInt8(l.cpDigits),
                             companyPrefix: companyPrefix, referenceDigits: UInt8(l.refDigits), reference: ref)
        if scheme == .giai96 {
            // The second field is the asset reference itself, printed without padding.
            id.reference = 0; id.referenceDigits = 0; id.serial = ref
            return .identity(id)
        }
        guard ref < EPCText.pow10(l.refDigits) else {
            return .failure(.valueOutOfRange, field: "reference", bitOffset: refOffset)
        }
        let tailBits = 96 - tailOffset
        let tail = field(hi, lo, tailOffset, tailBits)
        switch scheme {
        case .sscc96, .gsrn96, .gsrnp96:
            // 24 reserved bits, zero by definition.
            guard tail == 0 else { return .failure(.badPadding, field: "reserved bits", bitOffset: tailOffset) }
        case .sgcn96:
            // Numeric string: the decimal digits after a leading '1' are the serial.
            guard let (digits, value) = numericString(tail) else {
                return .failure(.valueOutOfRange, field: "serial (numeric string)", bitOffset: tailOffset)
            }
            id.serial = value; id.serialDigits = UInt8(digits)
        default:
            id.serial = tail
        }
        return .identity(id)
    }

    /// Splits a TDS "numeric string" value `1ddd…` into (digit count, ddd…);
    /// nil unless it starts with 1 and has 1…12 serial digits.
    @inline(__always)
    static func numericString(_ v: UInt64) -> (Int, UInt64)? {
        var p: UInt64 = 1, digits = 0
        while digits < 13, v / p >= 10 { p &*= 10; digits += 1 }
        guard v / p == 1, digits >= 1, digits <= 12 else { return nil }
        return (digits, v - p)
    }
}

extension EPCDecoder {
    /// Hot path: decodes a 96-bit EPC (SGTIN-96, SSCC-96, SGLN-96, GRAI-96,
    /// GIAI-96, GSRN-96, GSRNP-96, GDTI-96, SGCN-96) to integers with no heap
    /// allocation. Nil for other schemes or malformed values; call `decode`
    /// for the reason and for variable-length schemes.
    @inline(__always)
    public static func identity(_ epc: EPC) -> EPCIdentity? {
        if case .identity(let id) = EPC96.decode(epc) { return id }
        return nil
    }
}

/// URI formatting straight from the integers: one byte buffer, one String,
/// for pipelines that keep `EPCIdentity` and only need the URI at the edge.
extension EPCIdentity {
    /// `urn:epc:id:…` (same text as `DecodedEPC.pureURI`).
    public var pureURI: String { formatURI(tag: false) }
    /// `urn:epc:tag:…` (same text as `DecodedEPC.tagURI`).
    public var tagURI: String { formatURI(tag: true) }

    private func formatURI(tag: Bool) -> String {
        var b: [UInt8] = []
        b.reserveCapacity(64)
        b.append(contentsOf: tag ? "urn:epc:tag:".utf8 : "urn:epc:id:".utf8)
        if tag {
            b.append(contentsOf: scheme.name.utf8)
            b.append(UInt8(ascii: ":")); b.append(0x30 + filter); b.append(UInt8(ascii: "."))
        } else {
            b.append(contentsOf: scheme.identityKind.rawValue.utf8)
            b.append(UInt8(ascii: ":"))
        }
        Self.appendDecimal(&b, companyPrefix, width: Int(companyPrefixDigits))
        b.append(UInt8(ascii: "."))
        switch scheme.identityKind {
        case .giai:
            Self.appendDecimal(&b, serial, width: 1)
        case .sscc, .gsrn, .gsrnp:
            Self.appendDecimal(&b, reference, width: Int(referenceDigits))
        default:
            Self.appendDecimal(&b, reference, width: Int(referenceDigits))
            b.append(UInt8(ascii: "."))
            Self.appendDecimal(&b, serial, width: max(1, Int(serialDigits)))
        }
        return String(decoding: b, as: UTF8.self)
    }

    /// Decimal digits of `value`, zero-padded to at least `width` (nothing for value 0, width 0).
    private static func appendDecimal(_ b: inout [UInt8], _ value: UInt64, width: Int) {
        var digits = 0, v = value
        while v > 0 { digits += 1; v /= 10 }
        b.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(digits, width)))
        v = value
        var i = b.count
        while v > 0 { i -= 1; b[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10); v /= 10 }
    }
}
