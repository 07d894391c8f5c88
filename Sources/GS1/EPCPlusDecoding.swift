import ScanModel

/// TDS 2.x '+' schemes: header, +AIDC data toggle (1 bit), filter (3 bits),
/// then the scheme's AIs in their Table F encodings, then (toggle set) more
/// AIs, then zero padding to a 16-bit word boundary.
enum EPCPlusDecoding {
    typealias Failure = EPCPlusCodec.Failure

    /// DSGTIN+ date type indicator → the date AI it stands for.
    static let dsgtinDateAIs = ["11", "13", "15", "16", "17", "7006", "7007"]

    static func decode(_ epc: EPC, scheme: EPCScheme) -> Result<EPCFields, EPCError> {
        var r = EPCBitReader(epc, at: 8)
        switch decodeBody(&r, scheme: scheme) {
        case .success(let f): return .success(f)
        case .failure(let e):
            return .failure(EPCError(e.kind, "\(scheme.name): \(e.message)", rawHex: epc.hex, bitOffset: e.bitOffset))
        }
    }

    private static func decodeBody(_ r: inout EPCBitReader, scheme: EPCScheme) -> Result<EPCFields, Failure> {
        guard let toggle = r.read(1), let filter = r.read(3) else {
            return .failure(Failure(kind: .truncated, message: "EPC ends before the filter value", bitOffset: r.position))
        }
        var f = EPCFields(scheme: scheme, filter: Int(filter))
        f.aidcToggle = toggle == 1
        do {
            switch scheme {
            case .sgtinPlus, .dsgtinPlus:
                if scheme == .dsgtinPlus {
                    let at = r.position
                    guard let type = r.read(4) else { throw Failure(kind: .truncated, message: "EPC ends before the date type", bitOffset: at) }
                    guard Int(type) < dsgtinDateAIs.count else {
                        throw Failure(kind: .notEncodable, message: "date type \(type) at bit \(at) is reserved", bitOffset: at)
                    }
                    f.date = EPCElement(dsgtinDateAIs[Int(type)], try EPCPlusCodec.readDate(&r).get())
                }
                f.key = try checkedKey(&r, digits: 14, name: "GTIN")
                f.serial = try nonEmpty(EPCPlusCodec.readAlphanumeric(&r, maxLength: 20).get(), "serial", r.position)
            case .ssccPlus:
                f.key = try checkedKey(&r, digits: 18, name: "SSCC")
            case .sglnPlus:
                f.key = try checkedKey(&r, digits: 13, name: "GLN")
                f.serial = try EPCPlusCodec.readAlphanumeric(&r, maxLength: 20).get()
            case .graiPlus:
                let at = r.position
                let key = try EPCPlusCodec.readDigits(&r, count: 14).get()
                guard key.hasPrefix("0") else { throw Failure(kind: .valueOutOfRange, message: "AI 8003 must start with the filler digit 0 (bit \(at))", bitOffset: at) }
                guard EPCText.hasValidCheckDigit(String(key.dropFirst())) else {
                    throw Failure(kind: .badCheckDigit, message: "GRAI \(key.dropFirst()) at bit \(at) has a wrong check digit", bitOffset: at)
                }
                f.key = key
                f.serial = try EPCPlusCodec.readAlphanumeric(&r, maxLength: 16).get()
            case .giaiPlus:
                f.key = try EPCPlusCodec.readDelimitedNumeric(&r, maxLength: 30).get()
                guard !f.key.isEmpty else { throw Failure(kind: .valueOutOfRange, message: "empty GIAI", bitOffset: r.position) }
                f.serial = nil
            case .gsrnPlus:
                f.key = try checkedKey(&r, digits: 18, name: "GSRN")
            default:
                throw Failure(kind: .unsupportedScheme, message: "not a '+' scheme", bitOffset: 0)
            }
            if f.aidcToggle {
                let at = r.position
                let extra = try EPCAIDCData.read(&r).get()
                // +AIDC data may not restate an AI the EPC already carries (e.g. a second serial).
                let own = Set(f.elements.map(\.ai))
                var seen = own
                for e in extra where !seen.insert(e.ai).inserted {
                    throw Failure(kind: .duplicateAI, message: "+AIDC data repeats AI (\(e.ai)) (data from bit \(at))", bitOffset: at)
                }
                f.additional = extra
            }
            guard r.restIsZero() else {
                throw Failure(kind: .badPadding, message: "bits after the last field (bit \(r.position)) must be zero padding", bitOffset: r.position)
            }
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure(kind: .notEncodable, message: "\(error)", bitOffset: r.position))
        }
        return .success(f)
    }

    private static func checkedKey(_ r: inout EPCBitReader, digits: Int, name: String) throws -> String {
        let at = r.position
        let key = try EPCPlusCodec.readDigits(&r, count: digits).get()
        guard EPCText.hasValidCheckDigit(key) else {
            throw Failure(kind: .badCheckDigit, message: "\(name) \(key) at bit \(at) has a wrong check digit", bitOffset: at)
        }
        return key
    }

    private static func nonEmpty(_ s: String, _ what: String, _ at: Int) throws -> String {
        guard !s.isEmpty else { throw Failure(kind: .valueOutOfRange, message: "empty \(what)", bitOffset: at) }
        return s
    }
}

/// +AIDC data (TDS 2.x §15.3): a sequence of AIs, each as its digits in
/// 4-bit BCD followed by its value in the Table F encoding. Only AIs with a
/// known encoding are decoded; any other AI is an error rather than a guess.
enum EPCAIDCData {
    enum Format { case digits(Int), date, alphanumeric(Int), fixedBitNumeric(digits: Int, bits: Int), variableInteger(lengthBits: Int, max: Int) }

    /// Number of AI digits from its first two digits (GS1 GenSpecs AI prefixes).
    static func aiLength(_ firstTwo: Int) -> Int? {
        switch firstTwo {
        case 0...2, 10...22, 30, 37, 90...99: return 2
        case 23...25, 40...42: return 3
        case 31...36, 39, 70...72, 80...82: return 4
        default: return nil
        }
    }

    static func format(_ ai: String) -> Format? {
        switch ai {
        case "00", "8017", "8018": return .digits(18)
        case "01", "02": return .digits(14)
        case "414", "417": return .digits(13)
        case "11", "12", "13", "15", "16", "17", "7006": return .date
        case "10", "21", "22", "243", "254": return .alphanumeric(20)
        case "235": return .alphanumeric(28)
        case "240", "241", "250", "251": return .alphanumeric(30)
        case "20": return .fixedBitNumeric(digits: 2, bits: 7)
        case "30": return .variableInteger(lengthBits: 4, max: 8)
        case "242": return .variableInteger(lengthBits: 3, max: 6)
        default:
            // Trade measures 310n…369n: six digits in 20 bits.
            let b = Array(ai.utf8)
            if b.count == 4, b[0] == 0x33, (0x31...0x36).contains(b[1]), b[3] <= 0x35 { return .fixedBitNumeric(digits: 6, bits: 20) }
            return nil
        }
    }

    static func read(_ r: inout EPCBitReader) -> Result<[EPCElement], EPCPlusCodec.Failure> {
        var out: [EPCElement] = []
        while r.remaining >= 8, !r.restIsZero() {
            let at = r.position
            guard let d1 = r.read(4), let d2 = r.read(4), d1 <= 9, d2 <= 9, let len = aiLength(Int(d1 * 10 + d2)) else {
                return .failure(.init(kind: .notEncodable, message: "+AIDC data at bit \(at) does not start with a known AI", bitOffset: at))
            }
            var ai = String(d1) + String(d2)
            if len > 2 {
                guard let rest = try? EPCPlusCodec.readDigits(&r, count: len - 2).get() else {
                    return .failure(.init(kind: .invalidCharacter, message: "+AIDC AI at bit \(at) has non-digit nibbles", bitOffset: at))
                }
                ai += rest
            }
            guard let fmt = format(ai) else {
                return .failure(.init(kind: .unsupportedScheme, message: "+AIDC data AI (\(ai)) at bit \(at) has no supported encoding", bitOffset: at))
            }
            let value: Result<String, EPCPlusCodec.Failure>
            switch fmt {
            case .digits(let n): value = EPCPlusCodec.readDigits(&r, count: n)
            case .date: value = EPCPlusCodec.readDate(&r)
            case .alphanumeric(let max): value = EPCPlusCodec.readAlphanumeric(&r, maxLength: max)
            case .fixedBitNumeric(let digits, let bits):
                let vAt = r.position
                if let v = r.read(bits), v < EPCText.pow10(digits) {
                    value = .success(EPCText.zeroPadded(v, width: digits))
                } else {
                    value = .failure(.init(kind: .valueOutOfRange, message: "AI (\(ai)) value at bit \(vAt) out of range", bitOffset: vAt))
                }
            case .variableInteger(let lengthBits, let max):
                let vAt = r.position
                if let n = r.read(lengthBits), n >= 1, n <= max {
                    value = EPCPlusCodec.readCharacters(&r, count: Int(n), encoding: .integer)
                } else {
                    value = .failure(.init(kind: .valueOutOfRange, message: "AI (\(ai)) length at bit \(vAt) out of range", bitOffset: vAt))
                }
            }
            switch value {
            case .success(let v): out.append(EPCElement(ai, v))
            case .failure(let f): return .failure(f)
            }
        }
        return .success(out)
    }
}
