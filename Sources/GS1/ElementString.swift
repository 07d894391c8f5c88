import Foundation

/// A parsed, validated sequence of GS1 element strings (AI + value pairs), in
/// the order they appeared. Values live in one byte buffer; the pairs are
/// offsets into it, so parsing allocates twice however many AIs there are.
public struct ElementString: Sendable, Hashable {
    public struct Element: Sendable, Hashable {
        /// Index into `AIDictionary.shared.entries`; -1 for an AI outside the
        /// table (only when unknown AIs were explicitly permitted).
        let entryIndex: Int32
        let aiCode: UInt16
        let aiLength: UInt8
        /// Where the AI began in the input, for error messages.
        let inputOffset: Int32
        let valueStart: Int32
        let valueEnd: Int32

        var entry: AIEntry? { entryIndex >= 0 ? AIDictionary.shared.entries[Int(entryIndex)] : nil }
    }

    var storage: [UInt8]
    public internal(set) var elements: [Element]

    init(storage: [UInt8], elements: [Element]) {
        self.storage = storage; self.elements = elements
    }

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }

    public func ai(at i: Int) -> String {
        let e = elements[i]
        if let entry = e.entry { return entry.ai }
        var s = String(e.aiCode)
        while s.count < Int(e.aiLength) { s = "0" + s }
        return s
    }

    public func valueBytes(at i: Int) -> ArraySlice<UInt8> {
        let e = elements[i]
        return storage[Int(e.valueStart)..<Int(e.valueEnd)]
    }

    public func value(at i: Int) -> String { String(decoding: valueBytes(at: i), as: UTF8.self) }

    /// Ordered (AI, value) pairs.
    public var pairs: [(ai: String, value: String)] {
        (0..<count).map { (ai(at: $0), value(at: $0)) }
    }

    /// The value of the first occurrence of `ai`, if present.
    public func value(of ai: String) -> String? {
        guard let i = index(of: ai) else { return nil }
        return value(at: i)
    }

    public func index(of ai: String) -> Int? {
        let length = ai.utf8.count
        guard length >= 2, length <= 4, ai.utf8.allSatisfy({ $0 &- 48 < 10 }), let code = Int(ai) else { return nil }
        return index(code: code, length: length)
    }

    /// The hot-path lookup: AI 414 is `index(code: 414, length: 3)`, AI 01 `(1, 2)`.
    @inline(__always)
    func index(code: Int, length: Int) -> Int? {
        for i in 0..<elements.count where Int(elements[i].aiCode) == code && Int(elements[i].aiLength) == length { return i }
        return nil
    }

    func value(code: Int, length: Int) -> String? { index(code: code, length: length).map { value(at: $0) } }

    public func contains(_ ai: String) -> Bool { index(of: ai) != nil }

    /// "(01)09520123456788(10)ABC123"; a '(' inside a value is written "\(".
    public var humanReadable: String {
        var out: [UInt8] = []
        out.reserveCapacity(storage.count + 6 * count)
        for i in 0..<count {
            out.append(UInt8(ascii: "("))
            out += Array(ai(at: i).utf8)
            out.append(UInt8(ascii: ")"))
            for c in valueBytes(at: i) {
                if c == UInt8(ascii: "(") { out.append(UInt8(ascii: "\\")) }
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The barcode data form: AIs and values concatenated, GS (0x1D) after
    /// every value whose AI is not of predefined length, except the last.
    /// No leading FNC1 (symbologies encode that themselves).
    public var raw: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(storage.count + 6 * count)
        for i in 0..<count {
            out += Array(ai(at: i).utf8)
            out += valueBytes(at: i)
            let predefined = elements[i].entry?.hasPredefinedLength ?? false
            if i < count - 1 && !predefined { out.append(0x1D) }
        }
        return out
    }
}

/// Options for parsing element strings and Digital Link URIs.
public struct GS1ParseOptions: Sendable {
    /// Accept AIs missing from the table (only where their extent is known:
    /// the bracketed form and Digital Link URIs). Off by default.
    public var permitUnknownAIs = false
    /// Check the requires/excludes association rules and repeated AIs.
    public var validateAssociations = true
    /// Digital Link: accept "gtin", "ser", … in place of AI numbers.
    public var permitConvenienceAlphas = false
    /// Digital Link: accept GTIN-8/12/13 after /01/ and pad them to 14 digits.
    public var permitZeroSuppressedGTIN = true
    /// Today's year for the GS1 two-digit-year century rule.
    public var lintContext: LintContext

    public init(currentYear: Int = GS1ParseOptions.systemYear) {
        lintContext = LintContext(currentYear: currentYear)
    }

    public static let `default` = GS1ParseOptions()

    /// The current UTC year, read once per process.
    public static let systemYear: Int = {
        Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: Date()).year ?? 2026
    }()
}
