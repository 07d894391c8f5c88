/// Parsing GS1 element strings in their two written forms: raw barcode data
/// (FNC1 transmitted as GS 0x1D) and human-readable "(01)…(10)…". Both end in
/// the same per-AI validation: length, character set and linters.

public enum ElementStringParser {
    static let gs: UInt8 = 0x1D

    // MARK: raw

    /// Parses raw element-string data. A leading GS (FNC1 in first position)
    /// and a trailing GS are tolerated. Offsets in errors are into `bytes`.
    public static func parseRaw(_ bytes: [UInt8], options: GS1ParseOptions = .default) -> Result<ElementString, GS1Error> {
        parseRaw(bytes, from: 0, options: options)
    }

    /// Parses `bytes[start...]` (e.g. after an AIM identifier) without
    /// copying; error offsets are into the whole of `bytes`.
    public static func parseRaw(_ bytes: [UInt8], from start: Int, options: GS1ParseOptions = .default) -> Result<ElementString, GS1Error> {
        guard start >= 0, start <= bytes.count else { return .failure(GS1Error(.empty, offset: 0, "no element string data")) }
        let parsed: Result<[ElementString.Element], GS1Error> = bytes.withUnsafeBufferPointer { parseRaw($0, start, options) }
        switch parsed {
        case .failure(let e): return .failure(e)
        case .success(let elements):
            let es = ElementString(storage: bytes, elements: elements)
            if options.validateAssociations, let e = Associations.validate(es) { return .failure(e) }
            return .success(es)
        }
    }

    private static func parseRaw(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ options: GS1ParseOptions) -> Result<[ElementString.Element], GS1Error> {
        let dict = AIDictionary.shared
        let n = b.count
        var pos = start
        if n > pos && b[pos] == gs { pos += 1 }
        guard pos < n else { return .failure(GS1Error(.empty, offset: start, "no element string data")) }
        var elements: [ElementString.Element] = []
        elements.reserveCapacity(6)
        while pos < n {
            if b[pos] == gs {
                return .failure(GS1Error(.malformedAI, offset: pos, "two FNC1 separators in a row: an AI is missing"))
            }
            let aiStart = pos
            guard pos + 1 < n else {
                return .failure(GS1Error(.malformedAI, offset: pos, "data ends inside an AI"))
            }
            let length = dict.aiLength(firstDigit: b[pos], secondDigit: b[pos + 1])
            guard length > 0 else {
                let text = String(decoding: [b[pos], b[pos + 1]], as: UTF8.self)
                let what = isDigit(b[pos]) && isDigit(b[pos + 1]) ? "no GS1 AI starts with '\(text)'" : "expected an AI but found '\(printable(text))'"
                return .failure(GS1Error(isDigit(b[pos]) && isDigit(b[pos + 1]) ? .unknownAI : .malformedAI, offset: pos, what))
            }
            guard pos + length <= n else {
                return .failure(GS1Error(.malformedAI, offset: pos, "data ends inside an AI"))
            }
            var code = 0
            for i in pos..<(pos + length) {
                guard isDigit(b[i]) else {
                    return .failure(GS1Error(.malformedAI, offset: i, "AI contains a non-digit"))
                }
                code = code &* 10 &+ Int(b[i] &- 48)
            }
            guard let index = dict.index(code: code, length: length) else {
                let ai = String(decoding: UnsafeBufferPointer(rebasing: b[pos..<(pos + length)]), as: UTF8.self)
                return .failure(GS1Error(.unknownAI, ai: ai, offset: pos, "(\(ai)) is not a GS1 Application Identifier"))
            }
            let entry = dict.entries[index]
            pos += length
            var end: Int
            if entry.hasPredefinedLength {
                end = pos + entry.maxLength
                if end > n { end = n }
                // A GS inside a predefined-length value means it was cut short.
                var i = pos
                while i < end { if b[i] == gs { end = i; break }; i += 1 }
            } else {
                end = pos
                while end < n && b[end] != gs { end += 1 }
            }
            if let e = validateValue(entry, b, pos, end, options.lintContext, rawForm: true) { return .failure(e) }
            elements.append(ElementString.Element(entryIndex: Int32(index), aiCode: UInt16(code), aiLength: UInt8(length),
                                                  inputOffset: Int32(aiStart), valueStart: Int32(pos), valueEnd: Int32(end)))
            pos = end
            if pos < n && b[pos] == gs { pos += 1 }
        }
        return .success(elements)
    }

    // MARK: human-readable

    /// Parses "(01)09520123456788(10)ABC". A literal '(' in a value is written "\(".
    public static func parseBracketed(_ text: some StringProtocol, options: GS1ParseOptions = .default) -> Result<ElementString, GS1Error> {
        parseBracketed(Array(text.utf8), options: options)
    }

    public static func parseBracketed(_ bytes: [UInt8], options: GS1ParseOptions = .default) -> Result<ElementString, GS1Error> {
        let n = bytes.count
        guard n > 0 else { return .failure(GS1Error(.empty, offset: 0, "no element string data")) }
        var storage: [UInt8] = []
        storage.reserveCapacity(n)
        var elements: [ElementString.Element] = []
        var pos = 0
        while pos < n {
            guard bytes[pos] == UInt8(ascii: "(") else {
                return .failure(GS1Error(.malformedAI, offset: pos, "expected '(' to start an AI"))
            }
            let aiStart = pos + 1
            var close = aiStart
            while close < n, close - aiStart <= 4, isDigit(bytes[close]) { close += 1 }
            let length = close - aiStart
            guard close < n, bytes[close] == UInt8(ascii: ")"), length >= 2, length <= 4 else {
                return .failure(GS1Error(.malformedAI, offset: pos, "an AI must be 2 to 4 digits in parentheses"))
            }
            var code = 0
            for i in aiStart..<close { code = code * 10 + Int(bytes[i] - 48) }
            let ai = String(decoding: bytes[aiStart..<close], as: UTF8.self)
            let index = AIDictionary.shared.index(code: code, length: length)
            if index == nil && !options.permitUnknownAIs {
                return .failure(GS1Error(.unknownAI, ai: ai, offset: aiStart, "(\(ai)) is not a GS1 Application Identifier"))
            }
            pos = close + 1
            let valueStart = storage.count, valueInputStart = pos
            while pos < n && bytes[pos] != UInt8(ascii: "(") {
                if bytes[pos] == UInt8(ascii: "\\"), pos + 1 < n, bytes[pos + 1] == UInt8(ascii: "(") { pos += 1 }
                storage.append(bytes[pos])
                pos += 1
            }
            let valueEnd = storage.count
            let failure: GS1Error? = storage.withUnsafeBufferPointer { buf in
                if let index {
                    return validateValue(AIDictionary.shared.entries[index], buf, valueStart, valueEnd, options.lintContext, rawForm: false)
                }
                return validateUnknown(ai, buf, valueStart, valueEnd)
            }
            // Offsets inside the value map back to the input when no escape
            // preceded them, which is the overwhelmingly common case.
            if let failure { return .failure(failure.shifted(by: valueInputStart - valueStart)) }
            elements.append(ElementString.Element(entryIndex: Int32(index ?? -1), aiCode: UInt16(code), aiLength: UInt8(length),
                                                  inputOffset: Int32(aiStart), valueStart: Int32(valueStart), valueEnd: Int32(valueEnd)))
        }
        let es = ElementString(storage: storage, elements: elements)
        if options.validateAssociations, let e = Associations.validate(es) { return .failure(e) }
        return .success(es)
    }

    /// Builds an element string from already separated (AI, value) pairs, as
    /// Digital Link parsing produces them. `offsets` locate each AI in the input.
    static func build(_ pairs: [(ai: [UInt8], value: [UInt8], offset: Int)], options: GS1ParseOptions) -> Result<ElementString, GS1Error> {
        var storage: [UInt8] = []
        var elements: [ElementString.Element] = []
        for (ai, value, offset) in pairs {
            guard ai.count >= 2, ai.count <= 4, ai.allSatisfy(isDigit) else {
                return .failure(GS1Error(.malformedAI, offset: offset, "'\(printable(String(decoding: ai, as: UTF8.self)))' is not an AI"))
            }
            let code = ai.reduce(0) { $0 * 10 + Int($1 - 48) }
            let aiText = String(decoding: ai, as: UTF8.self)
            let index = AIDictionary.shared.index(code: code, length: ai.count)
            if index == nil && !options.permitUnknownAIs {
                return .failure(GS1Error(.unknownAI, ai: aiText, offset: offset, "(\(aiText)) is not a GS1 Application Identifier"))
            }
            let start = storage.count
            storage += value
            let end = storage.count
            let failure: GS1Error? = storage.withUnsafeBufferPointer { buf in
                if let index {
                    return validateValue(AIDictionary.shared.entries[index], buf, start, end, options.lintContext, rawForm: false)
                }
                return validateUnknown(aiText, buf, start, end)
            }
            if let failure { return .failure(GS1Error(failure.kind, ai: failure.ai, offset: offset, failure.message)) }
            elements.append(ElementString.Element(entryIndex: Int32(index ?? -1), aiCode: UInt16(code), aiLength: UInt8(ai.count),
                                                  inputOffset: Int32(offset), valueStart: Int32(start), valueEnd: Int32(end)))
        }
        let es = ElementString(storage: storage, elements: elements)
        if options.validateAssociations, let e = Associations.validate(es) { return .failure(e) }
        return .success(es)
    }

    // MARK: value validation

    /// Checks one AI's value (`b[start..<end]`) against its components.
    /// Errors carry offsets into `b`.
    static func validateValue(_ entry: AIEntry, _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                              _ ctx: LintContext, rawForm: Bool) -> GS1Error? {
        let length = end - start
        if length < entry.minLength {
            let detail = length == 0 ? "is empty" : "is too short (\(length) characters, needs \(lengthRule(entry)))"
            return GS1Error(.valueTooShort, ai: entry.ai, offset: start, "\(label(entry)) value \(detail)")
        }
        if length > entry.maxLength {
            let hint = rawForm && !entry.hasPredefinedLength ? "; is an FNC1 separator missing?" : ""
            return GS1Error(.valueTooLong, ai: entry.ai, offset: start + entry.maxLength,
                            "\(label(entry)) value is too long (\(length) characters, allows \(lengthRule(entry)))\(hint)")
        }
        var p = start
        for component in entry.components {
            let remaining = end - p
            if remaining == 0 && component.isOptional { break }
            var take = min(remaining, component.maxLength)
            if take < component.minLength {
                return GS1Error(.valueTooShort, ai: entry.ai, offset: p, "\(label(entry)) value is too short (needs \(lengthRule(entry)))")
            }
            if component.minLength == component.maxLength { take = component.minLength }
            let part = UnsafeBufferPointer(rebasing: b[p..<(p + take)])
            if let bad = CharacterSets.firstInvalid(part, component.characterSet) {
                let c = part[bad]
                return GS1Error(.invalidCharacter, ai: entry.ai, offset: p + bad,
                                "\(label(entry)) value has \(describe(c)), not allowed in \(setName(component.characterSet))")
            }
            var packed = component.packedLinters
            while packed != 0 {
                let linter = Linter.byIndex[Int(packed & 0xFF) - 1]
                packed >>= 8
                if let issue = Linting.check(linter, part, ctx) {
                    let shown = String(decoding: part, as: UTF8.self)
                    return GS1Error(.lintFailure, ai: entry.ai, offset: p + issue.offset,
                                    "\(label(entry)) '\(printable(shown))' \(issue.problem)")
                }
            }
            p += take
        }
        if p < end {
            return GS1Error(.valueTooLong, ai: entry.ai, offset: p, "\(label(entry)) value is too long (allows \(lengthRule(entry)))")
        }
        return nil
    }

    static func validateUnknown(_ ai: String, _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> GS1Error? {
        guard end > start else { return GS1Error(.valueTooShort, ai: ai, offset: start, "(\(ai)) value is empty") }
        guard end - start <= 90 else { return GS1Error(.valueTooLong, ai: ai, offset: start, "(\(ai)) value is longer than 90 characters") }
        for i in start..<end where !CharacterSets.isCSET82(b[i]) {
            return GS1Error(.invalidCharacter, ai: ai, offset: i, "(\(ai)) value has \(describe(b[i])), not allowed in CSET 82")
        }
        return nil
    }

    // MARK: message helpers (error path only)

    static func label(_ entry: AIEntry) -> String { "(\(entry.ai)) \(entry.title)" }

    static func lengthRule(_ entry: AIEntry) -> String {
        entry.minLength == entry.maxLength ? "exactly \(entry.maxLength)" : "\(entry.minLength) to \(entry.maxLength)"
    }

    static func setName(_ s: AICharacterSet) -> String {
        switch s {
        case .numeric: return "a numeric field"
        case .cset82: return "GS1 character set 82"
        case .cset39: return "GS1 character set 39"
        case .cset64: return "GS1 character set 64 (base64url)"
        }
    }

    static func describe(_ c: UInt8) -> String {
        c >= 0x21 && c < 0x7F ? "'\(String(UnicodeScalar(c)))'" : "byte 0x" + (c < 16 ? "0" : "") + String(c, radix: 16, uppercase: true)
    }

    static func printable(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }
}
