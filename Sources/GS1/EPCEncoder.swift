import ScanModel

/// Writes EPCs: what a site needs to commission tags, and what the tests
/// need for encode→decode round trips. Every value is range-checked; a value
/// a scheme cannot hold is an `EPCError`, never truncated.
public enum EPCEncoder {
    /// GTIN (8, 12, 13 or 14 digits, check digit verified) + numeric serial → SGTIN-96.
    public static func sgtin96(gtin: String, serial: UInt64, filter: Int, companyPrefixLength: Int) -> Result<EPC, EPCError> {
        let digits = Array(gtin.utf8)
        guard [8, 12, 13, 14].contains(digits.count), digits.allSatisfy(EPCText.isDigit) else {
            return .failure(EPCError(.notEncodable, "GTIN '\(gtin)' must be 8, 12, 13 or 14 digits"))
        }
        let gtin14 = [UInt8](repeating: 0x30, count: 14 - digits.count) + digits
        guard EPCText.hasValidCheckDigit(String(decoding: gtin14, as: UTF8.self)) else {
            return .failure(EPCError(.badCheckDigit, "GTIN '\(gtin)' has a wrong check digit"))
        }
        guard (6...12).contains(companyPrefixLength) else {
            return .failure(EPCError(.notEncodable, "company prefix length \(companyPrefixLength) must be 6 to 12"))
        }
        let cp = String(decoding: gtin14[1...companyPrefixLength], as: UTF8.self)
        let ref = String(decoding: [gtin14[0]] + gtin14[(companyPrefixLength + 1)..<13], as: UTF8.self)
        var f = EPCFields(scheme: .sgtin96, filter: filter)
        f.companyPrefix = cp; f.reference = ref; f.serial = String(serial)
        return encode(f)
    }

    /// A typed 96-bit identity → EPC (inverse of `EPCDecoder.identity`).
    public static func encode(_ id: EPCIdentity) -> Result<EPC, EPCError> {
        encode(EPCDecoder.fields(from: id))
    }

    /// A pure identity URI → the given legacy binary scheme and filter.
    public static func encode(pureURI: String, scheme: EPCScheme, filter: Int) -> Result<EPC, EPCError> {
        switch EPCURIParser.parse(pureURI) {
        case .failure(let e): return .failure(e)
        case .success(let id):
            guard id.kind == scheme.identityKind, !scheme.isPlus else {
                return .failure(EPCError(.notEncodable, "\(pureURI) cannot be encoded as \(scheme.name)"))
            }
            return encode(id.fields(scheme: scheme, filter: filter))
        }
    }

    /// A '+' scheme from its AI values: `key` is the GTIN-14 (SGTIN+,
    /// DSGTIN+), SSCC-18, GLN-13, the 14-digit GRAI part of AI 8003 (with its
    /// leading 0), the GIAI, or the GSRN-18; `serial` the AI 21 / 254 / GRAI
    /// serial; `date` the DSGTIN+ date AI; `additional` AIs go in +AIDC data.
    public static func encodePlus(_ scheme: EPCScheme, filter: Int, key: String, serial: String? = nil,
                                  date: EPCElement? = nil, additional: [EPCElement] = []) -> Result<EPC, EPCError> {
        var f = EPCFields(scheme: scheme, filter: filter)
        f.key = key; f.serial = serial; f.date = date
        f.additional = additional; f.aidcToggle = !additional.isEmpty
        return encode(f)
    }

    static func encode(_ f: EPCFields) -> Result<EPC, EPCError> {
        guard (0...7).contains(f.filter) else { return .failure(EPCError(.notEncodable, "filter value \(f.filter) must be 0 to 7")) }
        if f.scheme.isPlus { return EPCPlusEncoding.encode(f) }
        let name = f.scheme.name
        func fail(_ kind: EPCError.Kind, _ m: String) -> Result<EPC, EPCError> { .failure(EPCError(kind, "\(name): \(m)")) }
        let cpDigits = f.companyPrefix.utf8.count
        guard (6...12).contains(cpDigits), EPCText.allDigits(f.companyPrefix) else { return fail(.notEncodable, "company prefix must be 6 to 12 digits") }
        let partitionIndex = 12 - cpDigits
        let part = EPCPartitionTable.table(for: f.scheme)[partitionIndex]
        guard let cp = UInt64(f.companyPrefix) else { return fail(.notEncodable, "company prefix must be digits") }
        var w = EPCBitWriter()
        w.append(UInt64(f.scheme.rawValue), bits: 8)
        w.append(UInt64(f.filter), bits: 3)
        w.append(UInt64(partitionIndex), bits: 3)
        w.append(cp, bits: part.companyPrefixBits)
        let serial = f.serial ?? ""
        if f.scheme == .giai96 || f.scheme == .giai202 {
            guard !serial.isEmpty, serial.utf8.count <= part.referenceDigits else {
                return fail(.notEncodable, "asset reference must be 1 to \(part.referenceDigits) characters")
            }
            if f.scheme == .giai96 {
                guard let v = canonicalInteger(serial), v < 1 << UInt64(part.referenceBits) else {
                    return fail(.notEncodable, "GIAI-96 asset reference '\(serial)' must be an integer without leading zeros below 2^\(part.referenceBits)")
                }
                w.append(v, bits: part.referenceBits)
            } else {
                guard writeString(&w, serial, bits: part.referenceBits) else { return fail(.invalidCharacter, "asset reference outside GS1 character set 82") }
            }
            return finish(w, f.scheme)
        }
        guard f.reference.utf8.count == part.referenceDigits, f.reference.isEmpty || EPCText.allDigits(f.reference) else {
            return fail(.notEncodable, "reference must have \(part.referenceDigits) digits with a \(cpDigits)-digit company prefix")
        }
        w.append(UInt64(f.reference) ?? 0, bits: part.referenceBits)
        let tailBits = (f.scheme.fixedBitLength ?? 0) - w.count
        switch f.scheme {
        case .sscc96, .gsrn96, .gsrnp96:
            w.appendZeros(tailBits)
        case .sgcn96:
            guard serial.utf8.count >= 1, serial.utf8.count <= 12, EPCText.allDigits(serial), let v = UInt64("1" + serial) else {
                return fail(.notEncodable, "SGCN serial '\(serial)' must be 1 to 12 digits")
            }
            w.append(v, bits: tailBits)
        case .sgtin96, .sgln96, .grai96, .gdti96:
            guard let v = canonicalInteger(serial), v < 1 << UInt64(tailBits) else {
                return fail(.notEncodable, "serial '\(serial)' must be an integer without leading zeros below 2^\(tailBits) (use the variable-length scheme)")
            }
            w.append(v, bits: tailBits)
        default:
            let maxChars = EPCStringSchemeDecoding.stringChars(f.scheme)
            guard !serial.isEmpty, serial.utf8.count <= maxChars, writeString(&w, serial, bits: tailBits) else {
                return fail(.notEncodable, "serial '\(serial)' must be 1 to \(maxChars) characters of GS1 character set 82")
            }
        }
        return finish(w, f.scheme)
    }

    /// Pads to the scheme length, then to whole 16-bit words as tags store it.
    private static func finish(_ w: EPCBitWriter, _ scheme: EPCScheme) -> Result<EPC, EPCError> {
        var w = w
        w.pad(to: scheme.fixedBitLength ?? w.count)
        w.pad(to: (w.count + 15) / 16 * 16)
        guard let epc = w.epc() else { return .failure(EPCError(.notEncodable, "\(scheme.name): value longer than 256 bits")) }
        return .success(epc)
    }

    /// Digits with no leading zero (except "0" itself) that fit a UInt64.
    static func canonicalInteger(_ s: String) -> UInt64? {
        guard EPCText.allDigits(s), s == "0" || !s.hasPrefix("0") else { return nil }
        return UInt64(s)
    }

    /// 7-bit characters then zero fill to `bits`.
    static func writeString(_ w: inout EPCBitWriter, _ s: String, bits: Int) -> Bool {
        let b = Array(s.utf8)
        guard b.count * 7 <= bits, b.allSatisfy(EPCText.isCharacterSet82) else { return false }
        for c in b { w.append(UInt64(c), bits: 7) }
        w.appendZeros(bits - b.count * 7)
        return true
    }
}

/// Encoding side of the '+' schemes (layout as in `EPCPlusDecoding`).
enum EPCPlusEncoding {
    static func encode(_ f: EPCFields) -> Result<EPC, EPCError> {
        let name = f.scheme.name
        func fail(_ kind: EPCError.Kind, _ m: String) -> Result<EPC, EPCError> { .failure(EPCError(kind, "\(name): \(m)")) }
        var w = EPCBitWriter()
        w.append(UInt64(f.scheme.rawValue), bits: 8)
        w.append(f.aidcToggle ? 1 : 0, bits: 1)
        w.append(UInt64(f.filter), bits: 3)
        func key(_ digits: Int, _ what: String) -> Bool {
            guard f.key.utf8.count == digits, EPCText.hasValidCheckDigit(f.key) else { return false }
            EPCPlusCodec.writeDigits(&w, f.key)
            return true
        }
        let serial = f.serial ?? ""
        switch f.scheme {
        case .sgtinPlus, .dsgtinPlus:
            if f.scheme == .dsgtinPlus {
                guard let date = f.date, let type = EPCPlusDecoding.dsgtinDateAIs.firstIndex(of: date.ai) else {
                    return fail(.notEncodable, "DSGTIN+ needs a date AI (11, 13, 15, 16, 17, 7006 or 7007)")
                }
                w.append(UInt64(type), bits: 4)
                guard EPCPlusCodec.writeDate(&w, date.value) else { return fail(.notEncodable, "date '\(date.value)' is not YYMMDD") }
            }
            guard key(14, "GTIN") else { return fail(.badCheckDigit, "GTIN '\(f.key)' must be 14 digits with a valid check digit") }
            guard !serial.isEmpty, serial.utf8.count <= 20, EPCPlusCodec.writeAlphanumeric(&w, serial) else {
                return fail(.notEncodable, "serial '\(serial)' must be 1 to 20 characters of GS1 character set 82")
            }
        case .ssccPlus:
            guard key(18, "SSCC") else { return fail(.badCheckDigit, "SSCC '\(f.key)' must be 18 digits with a valid check digit") }
        case .gsrnPlus:
            guard key(18, "GSRN") else { return fail(.badCheckDigit, "GSRN '\(f.key)' must be 18 digits with a valid check digit") }
        case .sglnPlus:
            guard key(13, "GLN") else { return fail(.badCheckDigit, "GLN '\(f.key)' must be 13 digits with a valid check digit") }
            guard serial.utf8.count <= 20, EPCPlusCodec.writeAlphanumeric(&w, serial) else { return fail(.notEncodable, "extension '\(serial)' is not encodable") }
        case .graiPlus:
            guard f.key.utf8.count == 14, f.key.hasPrefix("0"), EPCText.hasValidCheckDigit(String(f.key.dropFirst())) else {
                return fail(.badCheckDigit, "GRAI part '\(f.key)' must be 0 + 13 digits with a valid check digit")
            }
            EPCPlusCodec.writeDigits(&w, f.key)
            guard serial.utf8.count <= 16, EPCPlusCodec.writeAlphanumeric(&w, serial) else { return fail(.notEncodable, "serial '\(serial)' is not encodable") }
        case .giaiPlus:
            guard !f.key.isEmpty, f.key.utf8.count <= 30, f.key.utf8.allSatisfy(EPCText.isCharacterSet82),
                  EPCPlusCodec.writeDelimitedNumeric(&w, f.key) else {
                return fail(.notEncodable, "GIAI '\(f.key)' must be 1 to 30 characters of GS1 character set 82")
            }
        default:
            return fail(.unsupportedScheme, "not a '+' scheme")
        }
        var own = f
        own.additional = []
        var seen = Set(own.elements.map(\.ai))
        for e in f.additional {
            guard seen.insert(e.ai).inserted else { return fail(.duplicateAI, "+AIDC data repeats AI (\(e.ai))") }
            guard let fmt = EPCAIDCData.format(e.ai), EPCText.allDigits(e.ai) else { return fail(.notEncodable, "+AIDC AI (\(e.ai)) is not supported") }
            EPCPlusCodec.writeDigits(&w, e.ai)
            let ok: Bool
            switch fmt {
            case .digits(let n): ok = e.value.utf8.count == n && EPCText.allDigits(e.value); if ok { EPCPlusCodec.writeDigits(&w, e.value) }
            case .date: ok = EPCPlusCodec.writeDate(&w, e.value)
            case .alphanumeric(let max): ok = e.value.utf8.count <= max && EPCPlusCodec.writeAlphanumeric(&w, e.value)
            case .fixedBitNumeric(let digits, let bits):
                ok = e.value.utf8.count == digits && EPCText.allDigits(e.value)
                if ok { w.append(UInt64(e.value) ?? 0, bits: bits) }
            case .variableInteger(let lengthBits, let max):
                let n = e.value.utf8.count
                ok = n >= 1 && n <= max && EPCText.allDigits(e.value)
                if ok {
                    w.append(UInt64(n), bits: lengthBits)
                    EPCPlusCodec.writeInteger(&w, digits: Array(e.value.utf8), bits: EPCPlusCodec.dataBits(n, .integer))
                }
            }
            guard ok else { return fail(.notEncodable, "+AIDC value '\(e.value)' for AI (\(e.ai)) is not encodable") }
        }
        w.pad(to: (w.count + 15) / 16 * 16)
        guard let epc = w.epc() else { return fail(.notEncodable, "value longer than 256 bits") }
        return .success(epc)
    }
}
