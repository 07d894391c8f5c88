/// Bare scan data: what a handheld at factory settings sends for a GS1
/// symbol. No AIM identifier says "this is GS1", and FNC1 arrives as GS or
/// not at all, so `01095011010209171725123110ABC123` could be a GS1 label or
/// just text. We accept it as GS1 only when that reading is hard to get by
/// accident; docs/decoding.md ("Bare data from scanners at factory settings")
/// states the rule.

/// Whether a device's bare data is tried as a GS1 element string.
public enum BareGS1Mode: String, Sendable, CaseIterable {
    /// Decode bare data as GS1 when it parses uniquely and opens with a key
    /// that carries a check digit; anything else is plain data.
    case guess
    /// Only all-digit data and data with GS separators are tried as GS1, as
    /// before the guess existed.
    case off
}

enum BareElementString {
    /// Longer data is never guessed at: GS1 element strings are at most a few
    /// hundred characters, and the search below is linear in the length
    /// times the longest AI value.
    static let maximumLength = 512

    /// Entry indices of the AIs a guessed element string may open with: those
    /// whose value holds a `csum` check digit at a fixed place, i.e. preceded
    /// only by mandatory fixed-length components. Derived from the dictionary
    /// so that a new key with a check digit is picked up without a code change.
    /// A check digit is what makes an accidental match unlikely (1 in 10 per
    /// key), on top of the whole data having to parse.
    static let openingKeys: Set<Int> = {
        var keys = Set<Int>()
        for (i, entry) in AIDictionary.shared.entries.enumerated() {
            for component in entry.components {
                if component.linters.contains(.csum) { keys.insert(i); break }
                if component.isOptional || component.minLength != component.maxLength { break }
            }
        }
        return keys
    }()

    /// The AIs of `openingKeys`, sorted, for documentation and tests.
    static var openingKeyAIs: [String] { openingKeys.map { AIDictionary.shared.entries[$0].ai }.sorted() }

    /// The element string `bytes` holds, or nil when it is not (certainly)
    /// GS1: it must parse completely, every value passing its linters, open
    /// with a key from `openingKeys`, satisfy the association rules, and be
    /// the only way to read the data.
    static func parse(_ bytes: [UInt8], options: GS1ParseOptions) -> ElementString? {
        guard bytes.count >= 2, bytes.count <= maximumLength else { return nil }
        let elements: [ElementString.Element]?
        if bytes.contains(ElementStringParser.gs) {
            // FNC1 was sent as GS, so every variable-length value ends at a
            // GS or the end of the data: the standard parse is the only one.
            guard case .success(let es) = ElementStringParser.parseRaw(bytes, options: options) else { return nil }
            elements = es.elements
        } else {
            elements = uniqueSplit(bytes, options.lintContext)
        }
        guard let elements, let first = elements.first, openingKeys.contains(Int(first.entryIndex)) else { return nil }
        let es = ElementString(storage: bytes, elements: elements)
        if options.validateAssociations, Associations.validate(es) != nil { return nil }
        return es
    }

    /// One step of a split: an AI at `start` and its value up to `next`.
    private struct Step {
        var entryIndex: Int
        var aiLength: Int
        var code: Int
        var next: Int
    }

    /// Without separators a variable-length value may end anywhere within its
    /// length range. Dynamic programming over positions, from the end:
    /// `ways[p]` counts (capped at 2) the complete valid readings of
    /// `bytes[p...]`, so the work is bounded by length × longest value
    /// instead of growing with the number of readings. Returns the elements
    /// when exactly one reading exists; none or several give nil.
    private static func uniqueSplit(_ bytes: [UInt8], _ ctx: LintContext) -> [ElementString.Element]? {
        let n = bytes.count
        var ways = [UInt8](repeating: 0, count: n + 1)
        var step = [Step?](repeating: nil, count: n + 1)
        ways[n] = 1
        bytes.withUnsafeBufferPointer { b in
            for pos in stride(from: n - 2, through: 0, by: -1) {
                // Only the opening AI is restricted; later AIs are any in the table.
                (ways[pos], step[pos]) = readings(b, at: pos, onlyKeys: pos == 0, ctx, ways)
            }
        }
        guard ways[0] == 1 else { return nil }
        var elements: [ElementString.Element] = []
        var pos = 0
        while pos < n, let s = step[pos] {
            elements.append(ElementString.Element(entryIndex: Int32(s.entryIndex), aiCode: UInt16(s.code), aiLength: UInt8(s.aiLength),
                                                  inputOffset: Int32(pos), valueStart: Int32(pos + s.aiLength), valueEnd: Int32(s.next)))
            pos = s.next
        }
        return elements
    }

    /// The readings of `b[pos...]` that start with a valid AI + value here:
    /// their number (capped at 2) and the first of them.
    private static func readings(_ b: UnsafeBufferPointer<UInt8>, at pos: Int, onlyKeys: Bool, _ ctx: LintContext,
                                 _ ways: [UInt8]) -> (UInt8, Step?) {
        let dict = AIDictionary.shared
        let n = b.count
        let aiLength = dict.aiLength(firstDigit: b[pos], secondDigit: b[pos + 1])
        guard aiLength > 0, pos + aiLength <= n else { return (0, nil) }
        var code = 0
        for i in pos..<(pos + aiLength) {
            guard ElementStringParser.isDigit(b[i]) else { return (0, nil) }
            code = code * 10 + Int(b[i] &- 48)
        }
        guard let index = dict.index(code: code, length: aiLength), !onlyKeys || openingKeys.contains(index) else { return (0, nil) }
        let entry = dict.entries[index]
        let valueStart = pos + aiLength
        guard valueStart + entry.minLength <= n else { return (0, nil) }
        var count: UInt8 = 0, first: Step? = nil
        for end in (valueStart + entry.minLength)...min(n, valueStart + entry.maxLength) where ways[end] > 0 {
            // Cheapest test first: a value is only worth linting when the rest can be read.
            guard ElementStringParser.validateValue(entry, b, valueStart, end, ctx, rawForm: true) == nil else { continue }
            if first == nil { first = Step(entryIndex: index, aiLength: aiLength, code: code, next: end) }
            count = min(2, count + ways[end])
            if count == 2 { break }
        }
        return (count, first)
    }
}
