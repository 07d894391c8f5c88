import ScanModel

/// Decodes EPC bank contents (EPC Tag Data Standard 2.x) into scheme, filter,
/// EPC URIs and GS1 element string. Unknown headers and malformed values are
/// reported as `EPCError` with the raw hex; nothing is guessed.
public enum EPCDecoder {
    /// Full decode with all string representations.
    public static func decode(_ epc: EPC) -> Result<DecodedEPC, EPCError> {
        // 96-bit schemes: URIs straight from the integers (the common case).
        if case .identity(let id) = EPC96.decode(epc) {
            return .success(makeDecoded(fields(from: id), epc: epc, uris: (id.pureURI, id.tagURI)))
        }
        switch fields(epc) {
        case .success(let f): return .success(makeDecoded(f, epc: epc))
        case .failure(let e): return .failure(e)
        }
    }

    /// Decodes EPC-bank hex (whitespace and a leading "0x" tolerated).
    public static func decode(hex: String) -> Result<DecodedEPC, EPCError> {
        var trimmed = Substring(hex).drop { $0 == " " || $0 == "\t" }
        while let last = trimmed.last, last == " " || last == "\t" || last == "\r" || last == "\n" { trimmed = trimmed.dropLast() }
        if trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X") { trimmed = trimmed.dropFirst(2) }
        guard !trimmed.isEmpty else {
            return .failure(EPCError(.truncated, "empty EPC: expected hex digits", rawHex: hex))
        }
        guard let epc = EPC(hex: trimmed) else {
            let bad = trimmed.utf8.firstIndex { EPCText.hexValue($0) == nil }
            if let bad {
                let offset = trimmed.utf8.distance(from: trimmed.utf8.startIndex, to: bad)
                return .failure(EPCError(.invalidCharacter, "EPC hex has a non-hex character at position \(offset + 1)", rawHex: hex))
            }
            return .failure(EPCError(.notEncodable, "EPC hex is longer than \(EPC.maxBits / 4) digits (\(EPC.maxBits) bits)", rawHex: hex))
        }
        return decode(epc)
    }

    static func makeDecoded(_ f: EPCFields, epc: EPC, uris: (pure: String, tag: String)? = nil) -> DecodedEPC {
        // Each representation is built once from the same pieces.
        let key = f.gs1Key
        let elements = f.elements(key: key)
        let dl = EPCFields.digitalLinkURI(elements)
        let pure: String, tag: String
        if f.scheme.isPlus {
            (pure, tag) = (dl, dl)
        } else if let uris {
            (pure, tag) = uris
        } else {
            let body = f.uriBody
            (pure, tag) = (f.pureURI(body: body), f.tagURI(body: body))
        }
        return DecodedEPC(
            scheme: f.scheme.name, schemeKind: f.scheme, filter: f.filter,
            pureURI: pure, tagURI: tag,
            elementString: EPCFields.elementString(elements),
            elements: elements, digitalLinkURI: dl,
            companyPrefix: f.scheme.isPlus ? nil : f.companyPrefix,
            gs1Key: key, serial: f.serial, hasAIDCData: f.aidcToggle, rawHex: epc.hex)
    }

    /// Decodes to the string fields (shared by `decode` and the tests).
    static func fields(_ epc: EPC) -> Result<EPCFields, EPCError> {
        guard epc.bitCount >= 8 else {
            return .failure(EPCError(.truncated, "EPC has \(epc.bitCount) bits: too short to hold an 8-bit header", rawHex: epc.hex, bitOffset: 0))
        }
        let header = UInt8(truncatingIfNeeded: epc.w0 >> 56)
        guard let scheme = EPCScheme(rawValue: header) else {
            let known = EPCDecoder.knownUnsupportedHeaders[header]
            let hh = EPCText.hexByte(header)
            if let known {
                return .failure(EPCError(.unsupportedScheme, "EPC header 0x\(hh) is \(known), which this decoder does not support", rawHex: epc.hex, bitOffset: 0))
            }
            return .failure(EPCError(.unknownHeader, "unknown EPC header 0x\(hh): not a GS1 EPC binary encoding", rawHex: epc.hex, bitOffset: 0))
        }
        if scheme.fixedBitLength == 96 {
            switch EPC96.decode(epc) {
            case .identity(let id): return .success(fields(from: id))
            case .failure(let kind, let field, let offset):
                return .failure(error(kind, field: "\(field)", scheme: scheme, offset: offset, epc: epc))
            }
        }
        if scheme.isPlus { return EPCPlusDecoding.decode(epc, scheme: scheme) }
        return EPCStringSchemeDecoding.decode(epc, scheme: scheme)
    }

    static func fields(from id: EPCIdentity) -> EPCFields {
        var f = EPCFields(scheme: id.scheme, filter: Int(id.filter))
        f.companyPrefix = EPCText.zeroPadded(id.companyPrefix, width: Int(id.companyPrefixDigits))
        f.reference = EPCText.zeroPadded(id.reference, width: Int(id.referenceDigits))
        switch id.scheme.identityKind {
        case .sscc, .gsrn, .gsrnp: f.serial = nil
        default: f.serial = id.serialDigits > 0 ? EPCText.zeroPadded(id.serial, width: Int(id.serialDigits)) : String(id.serial)
        }
        return f
    }

    static func error(_ kind: EPCError.Kind, field: String, scheme: EPCScheme, offset: Int, epc: EPC) -> EPCError {
        let what: String
        switch kind {
        case .truncated: what = "EPC is \(epc.bitCount) bits, shorter than the \(scheme.fixedBitLength ?? 0) bits of \(scheme.name)"
        case .badPadding: what = "\(scheme.name): \(field) at bit \(offset) must be zero"
        case .invalidPartition: what = "\(scheme.name): partition value 7 at bit \(offset) is invalid (0-6 allowed)"
        case .valueOutOfRange: what = "\(scheme.name): \(field) at bit \(offset) is out of range for its digit count"
        default: what = "\(scheme.name): invalid \(field) at bit \(offset)"
        }
        return EPCError(kind, what, rawHex: epc.hex, bitOffset: offset)
    }

    /// Headers assigned by TDS that this decoder deliberately does not handle.
    static let knownUnsupportedHeaders: [UInt8: String] = [
        0x2F: "USDOD-96", 0x35: "GID-96", 0x3A: "GDTI-113", 0x3B: "ADI-var", 0x3C: "CPI-96",
        0x3D: "CPI-var", 0x40: "ITIP-110", 0x41: "ITIP-212", 0xF0: "CPI+", 0xF3: "ITIP+",
        0xF5: "GSRNP+", 0xF6: "GDTI+", 0xF8: "SGCN+", 0xFC: "DSGTIN++", 0xFD: "SGTIN++",
        0xE6: "CPI++", 0xE7: "GSRN++", 0xE8: "GSRNP++", 0xE9: "SGLN++", 0xEA: "GDTI++",
        0xEB: "GRAI++", 0xEC: "SGCN++", 0xED: "ITIP++", 0xEE: "GIAI++", 0xEF: "SSCC++",
    ]
}

extension EPCText {
    static func hexByte(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [digits[Int(b >> 4)], digits[Int(b & 0xF)]], as: UTF8.self)
    }
}

extension EPCDecoder {
    /// Like `decode`, but for the '+' schemes asks `companyPrefixLength`
    /// for the GS1 company prefix length of the key (GTIN-14, SSCC-18,
    /// GLN-13, GRAI, GIAI, GSRN-18) — e.g. from the site's own prefixes or
    /// GS1's prefix-length table — and, when it answers 6…12, sets
    /// `pureURI` to the `urn:epc:id:` form and fills `companyPrefix`.
    /// Without an answer the Digital Link is kept: the length is never guessed.
    public static func decode(_ epc: EPC, companyPrefixLength: (String) -> Int?) -> Result<DecodedEPC, EPCError> {
        let result = decode(epc)
        guard case .success(var decoded) = result else { return result }
        guard decoded.schemeKind.isPlus, let n = companyPrefixLength(decoded.gs1Key), (6...12).contains(n),
              case .success(let f) = fields(epc), let partitioned = f.partitioned(companyPrefixLength: n) else {
            return .success(decoded)
        }
        decoded.pureURI = partitioned.pureURI(body: partitioned.uriBody)
        decoded.companyPrefix = partitioned.companyPrefix
        return .success(decoded)
    }
}

extension EPCFields {
    /// A '+' scheme's key split into company prefix and reference as the
    /// partitioned schemes carry them; nil when the key cannot hold `n` prefix digits.
    func partitioned(companyPrefixLength n: Int) -> EPCFields? {
        let k = Array(key.utf8)
        func s(_ r: Range<Int>) -> String { String(decoding: k[r], as: UTF8.self) }
        var f = EPCFields(scheme: scheme, filter: filter)
        f.serial = serial
        switch kind {
        case .sgtin, .sscc:
            // Indicator / extension digit first, then the prefix; the check digit is dropped.
            let length = kind == .sgtin ? 14 : 18
            guard k.count == length, n <= length - 2 else { return nil }
            f.companyPrefix = s(1..<(1 + n))
            f.reference = s(0..<1) + s((1 + n)..<(length - 1))
        case .sgln, .gsrn, .gsrnp:
            let length = kind == .sgln ? 13 : 18
            guard k.count == length, n <= length - 1 else { return nil }
            f.companyPrefix = s(0..<n)
            f.reference = s(n..<(length - 1))
            // TDS: a GLN without extension is the SGLN with extension "0".
            if kind == .sgln, (serial ?? "").isEmpty { f.serial = "0" }
        case .grai:
            // Key holds AI 8003's filler 0 + GRAI-13.
            guard k.count == 14, n <= 12 else { return nil }
            f.companyPrefix = s(1..<(1 + n))
            f.reference = s((1 + n)..<13)
            guard !(serial ?? "").isEmpty else { return nil }  // the EPC GRAI needs a serial
        case .giai:
            guard k.count > n else { return nil }
            f.companyPrefix = s(0..<n)
            f.serial = s(n..<k.count)
        case .gdti, .sgcn:
            return nil
        }
        guard EPCText.allDigits(f.companyPrefix) else { return nil }
        return f
    }
}
