import ScanModel

/// Fixed-length schemes whose last field is a 7-bit character string:
/// SGTIN-198, SGLN-195, GRAI-170, GIAI-202, GDTI-174.
enum EPCStringSchemeDecoding {
    /// Max characters of the string field (GIAI-202 depends on the partition).
    static func stringChars(_ scheme: EPCScheme) -> Int {
        switch scheme {
        case .sgtin198, .sgln195: return 20
        case .grai170: return 16
        case .gdti174: return 17
        default: return 0
        }
    }

    static func decode(_ epc: EPC, scheme: EPCScheme) -> Result<EPCFields, EPCError> {
        let total = scheme.fixedBitLength ?? 0
        func fail(_ kind: EPCError.Kind, _ field: String, _ offset: Int) -> Result<EPCFields, EPCError> {
            .failure(EPCDecoder.error(kind, field: field, scheme: scheme, offset: offset, epc: epc))
        }
        guard Int(epc.bitCount) >= total else { return fail(.truncated, "EPC", Int(epc.bitCount)) }
        var r = EPCBitReader(epc, at: 8)
        guard let filter = r.read(3), let partition = r.read(3) else { return fail(.truncated, "EPC", r.position) }
        guard partition < 7 else { return fail(.invalidPartition, "partition", 11) }
        let part = EPCPartitionTable.table(for: scheme)[Int(partition)]
        let cpOffset = r.position
        guard let cp = r.read(part.companyPrefixBits), cp < EPCText.pow10(part.companyPrefixDigits) else {
            return fail(.valueOutOfRange, "company prefix", cpOffset)
        }
        var f = EPCFields(scheme: scheme, filter: Int(filter))
        f.companyPrefix = EPCText.zeroPadded(cp, width: part.companyPrefixDigits)
        let stringBits: Int
        if scheme == .giai202 {
            stringBits = part.referenceBits
        } else {
            let refOffset = r.position
            guard let ref = r.read(part.referenceBits), ref < EPCText.pow10(part.referenceDigits) else {
                return fail(.valueOutOfRange, "reference", refOffset)
            }
            f.reference = EPCText.zeroPadded(ref, width: part.referenceDigits)
            stringBits = total - r.position
        }
        let stringOffset = r.position
        switch readString(&r, bits: stringBits) {
        case .success(let s):
            guard !s.isEmpty else { return fail(.valueOutOfRange, "empty serial", stringOffset) }
            // GIAI-202: company prefix + asset reference may not exceed 30 characters.
            if scheme == .giai202, s.utf8.count > part.referenceDigits {
                return fail(.valueOutOfRange, "asset reference longer than \(part.referenceDigits) characters", stringOffset)
            }
            f.serial = s
        case .failure(let bad):
            return .failure(EPCError(bad.kind, "\(scheme.name): serial/reference field at bit \(stringOffset): \(bad.message)",
                                     rawHex: epc.hex, bitOffset: bad.bitOffset))
        }
        // A reader may report a longer EPC bank (whole 16-bit words): the rest must be zero.
        guard r.restIsZero() else { return fail(.badPadding, "bits after bit \(total)", total) }
        return .success(f)
    }

    /// Reads a 7-bit string of `bits` bits: characters until a zero
    /// character, then zeros to the end of the field (TDS "String" encoding).
    static func readString(_ r: inout EPCBitReader, bits: Int) -> Result<String, EPCError> {
        let end = r.position + bits
        var out: [UInt8] = []
        out.reserveCapacity(bits / 7)
        while end - r.position >= 7 {
            let at = r.position
            guard let c = r.read(7) else { break }
            if c == 0 {
                // Terminated: every remaining bit of the field must be zero.
                while r.position < end {
                    let at2 = r.position
                    guard let z = r.read(min(64, end - r.position)), z == 0 else {
                        return .failure(EPCError(.badPadding, "non-zero bits after the string terminator", bitOffset: at2))
                    }
                }
                return .success(String(decoding: out, as: UTF8.self))
            }
            guard EPCText.isCharacterSet82(UInt8(c)) else {
                return .failure(EPCError(.invalidCharacter, "character 0x\(EPCText.hexByte(UInt8(c))) at bit \(at) is outside GS1 character set 82", bitOffset: at))
            }
            out.append(UInt8(c))
        }
        if r.position < end {
            let at = r.position
            guard let z = r.read(end - r.position), z == 0 else {
                return .failure(EPCError(.badPadding, "non-zero bits at the end of the string field", bitOffset: at))
            }
        }
        return .success(String(decoding: out, as: UTF8.self))
    }
}
