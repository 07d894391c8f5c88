/// The GS1 Application Identifier table, built at first use from the
/// generated `dictionaryLines` (one line of the GS1 Barcode Syntax Dictionary
/// per entry). Lookups are by the AI's digits, with no String hashing.

/// Character sets of AI components: N digits, X = CSET 82, Y = CSET 39,
/// Z = CSET 64 (base64url with '=' padding).
public enum AICharacterSet: UInt8, Sendable {
    case numeric, cset82, cset39, cset64
}

/// One component of an AI's data field, e.g. `N13,csum` or `[X..17]`.
public struct AIComponent: Sendable {
    public let characterSet: AICharacterSet
    public let minLength: Int
    public let maxLength: Int
    public let isOptional: Bool
    /// Up to four linters, one byte each (Linter index + 1), so that walking
    /// components on the hot path touches no reference-counted storage.
    let packedLinters: UInt32

    init(characterSet: AICharacterSet, minLength: Int, maxLength: Int, isOptional: Bool, linters: [Linter]) {
        precondition(linters.count <= 4, "at most four linters per component")
        self.characterSet = characterSet; self.minLength = minLength; self.maxLength = maxLength
        self.isOptional = isOptional
        var packed: UInt32 = 0
        for (i, l) in linters.enumerated() {
            packed |= UInt32((Linter.allCases.firstIndex(of: l) ?? 0) + 1) << UInt32(8 * i)
        }
        packedLinters = packed
    }

    public var linters: [Linter] {
        var out: [Linter] = [], p = packedLinters
        while p != 0 { out.append(Linter.byIndex[Int(p & 0xFF) - 1]); p >>= 8 }
        return out
    }
}

/// "31nn" in a req=/ex= attribute: the AI's leading digits plus its length.
struct AIPattern: Sendable, Equatable {
    let prefix: Int
    let prefixLength: Int
    let length: Int

    init?(_ text: Substring) {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, text.count >= 2, text.count <= 4,
              text.dropFirst(digits.count).allSatisfy({ $0 == "n" }), let p = Int(digits) else { return nil }
        prefix = p; prefixLength = digits.count; length = text.count
    }

    /// The pattern as a code range plus length, for the flat rule program:
    /// "31nn" is codes 3100…3199 of length 4, matched without division.
    var packed: Int64 {
        var scale = 1
        for _ in 0..<(length - prefixLength) { scale *= 10 }
        return Int64(prefix * scale) << 32 | Int64(prefix * scale + scale - 1) << 8 | Int64(length)
    }

    @inline(__always)
    static func matches(packed p: Int64, code: Int, length aiLength: Int) -> Bool {
        Int(p & 0xFF) == aiLength && code >= Int(p >> 32) && code <= Int((p >> 8) & 0xFF_FFFF)
    }

    @inline(__always)
    func matches(code: Int, length aiLength: Int) -> Bool {
        guard aiLength == length else { return false }
        var c = code
        for _ in 0..<(length - prefixLength) { c /= 10 }
        return c == prefix
    }
}

/// A class so that handing an entry around is one reference count, not one
/// per array field: entries are read on every AI of every scan.
public final class AIEntry: Sendable {
    /// The AI digits, e.g. "3103".
    public let ai: String
    let code: Int
    public let length: Int
    /// True for AIs whose length is predefined by their first two digits
    /// (the '*' flag): no FNC1 separator is needed after them.
    public let hasPredefinedLength: Bool
    /// May appear as a GS1 Digital Link query data attribute ('?' flag).
    public let isDigitalLinkAttribute: Bool
    public let components: [AIComponent]
    public let minLength: Int
    public let maxLength: Int
    /// req= attributes: every rule must hold; a rule is a list of
    /// alternatives, an alternative a list of AIs that must all be present.
    let requires: [[[AIPattern]]]
    let excludes: [AIPattern]
    /// `requires` flattened for the hot path: rule count, then per rule the
    /// alternative count, then per alternative the pattern count and the
    /// packed patterns.
    let requireProgram: [Int64]
    let excludePatterns: [Int64]
    /// For Digital Link primary keys: the permitted qualifier sequences
    /// (`[[]]` when the key takes no qualifiers); nil when not a key.
    public let digitalLinkQualifiers: [[String]]?
    public let title: String

    init(ai: String, code: Int, length: Int, hasPredefinedLength: Bool, isDigitalLinkAttribute: Bool,
         components: [AIComponent], minLength: Int, maxLength: Int, requires: [[[AIPattern]]],
         excludes: [AIPattern], digitalLinkQualifiers: [[String]]?, title: String) {
        self.ai = ai; self.code = code; self.length = length; self.hasPredefinedLength = hasPredefinedLength
        self.isDigitalLinkAttribute = isDigitalLinkAttribute; self.components = components
        self.minLength = minLength; self.maxLength = maxLength; self.requires = requires
        self.excludes = excludes
        var program: [Int64] = [Int64(requires.count)]
        for rule in requires {
            program.append(Int64(rule.count))
            for alternative in rule { program.append(Int64(alternative.count)); program += alternative.map(\.packed) }
        }
        self.requireProgram = program
        self.excludePatterns = excludes.map(\.packed)
        self.digitalLinkQualifiers = digitalLinkQualifiers; self.title = title
    }

    /// Decimal AIs (310n…, 392n…): the last digit is the decimal point position.
    public var decimalPlaces: Int? {
        guard length == 4, ai.hasPrefix("3"), let d = ai.last?.wholeNumberValue else { return nil }
        let family = code / 100
        return (31...36).contains(family) || (39...39).contains(family) ? d : nil
    }
}

public struct AIDictionary: Sendable {
    public let entries: [AIEntry]
    /// AI length (2, 3 or 4) by its first two digits; 0 = no such AI.
    private let lengthByPrefix: [UInt8]
    /// Entry index + 1 by key (see `slot`); 0 = unknown.
    private let indexBySlot: [UInt16]

    public static let shared = AIDictionary(lines: dictionaryLines)

    @inline(__always)
    private static func slot(code: Int, length: Int) -> Int {
        switch length { case 2: return code; case 3: return 100 + code; default: return 1100 + code }
    }

    init(lines: [String]) {
        var entries: [AIEntry] = []
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 5 else { preconditionFailure("bad dictionary line: \(line)") }
            let range = fields[0].split(separator: "-")
            guard let first = range.first, let low = Int(first), let high = Int(range.last ?? first) else {
                preconditionFailure("bad AI range: \(line)")
            }
            let width = first.count
            let components = fields[2].split(separator: " ").map(AIDictionary.parseComponent)
            var requires: [[[AIPattern]]] = [], excludes: [AIPattern] = []
            var dlKey: [[String]]? = nil
            for attr in fields[3].split(separator: " ") {
                let kv = attr.split(separator: "=", maxSplits: 1)
                let key = kv[0], value = kv.count > 1 ? kv[1] : ""
                switch key {
                case "req":
                    requires.append(value.split(separator: ",").map { $0.split(separator: "+").compactMap(AIPattern.init) })
                case "ex":
                    excludes += value.split(separator: ",").compactMap(AIPattern.init)
                case "dlpkey":
                    dlKey = value.isEmpty ? [[]] : value.split(separator: "|").map { $0.split(separator: ",").map(String.init) }
                default:
                    preconditionFailure("unknown attribute \(attr)")
                }
            }
            for code in low...high {
                var ai = String(code)
                while ai.count < width { ai = "0" + ai }
                entries.append(AIEntry(
                    ai: ai, code: code, length: width,
                    hasPredefinedLength: fields[1].contains("*"),
                    isDigitalLinkAttribute: fields[1].contains("?"),
                    components: components,
                    minLength: components.reduce(0) { $0 + ($1.isOptional ? 0 : $1.minLength) },
                    maxLength: components.reduce(0) { $0 + $1.maxLength },
                    requires: requires, excludes: excludes,
                    digitalLinkQualifiers: dlKey, title: String(fields[4])))
            }
        }
        var lengthByPrefix = [UInt8](repeating: 0, count: 100)
        var indexBySlot = [UInt16](repeating: 0, count: 11100)
        for (i, e) in entries.enumerated() {
            var p = e.code
            for _ in 0..<(e.length - 2) { p /= 10 }
            precondition(lengthByPrefix[p] == 0 || Int(lengthByPrefix[p]) == e.length, "AI prefix \(p) has two lengths")
            lengthByPrefix[p] = UInt8(e.length)
            indexBySlot[AIDictionary.slot(code: e.code, length: e.length)] = UInt16(i + 1)
        }
        self.entries = entries
        self.lengthByPrefix = lengthByPrefix
        self.indexBySlot = indexBySlot
    }

    private static func parseComponent(_ text: Substring) -> AIComponent {
        var t = text
        var optional = false
        if t.hasPrefix("[") {
            optional = true
            t = t.dropFirst()
        }
        let parts = t.split(separator: ",")
        var format = parts[0]
        if format.hasSuffix("]") { format = format.dropLast() }
        let cset: AICharacterSet
        switch format.first {
        case "N": cset = .numeric
        case "X": cset = .cset82
        case "Y": cset = .cset39
        default: cset = .cset64
        }
        let lengthText = format.dropFirst()
        let minLength: Int, maxLength: Int
        if lengthText.hasPrefix("..") {
            minLength = 1; maxLength = Int(lengthText.dropFirst(2)) ?? 0
        } else {
            minLength = Int(lengthText) ?? 0; maxLength = minLength
        }
        let linters = parts.dropFirst().map { name -> Linter in
            guard let l = Linter(rawValue: String(name)) else { preconditionFailure("unknown linter \(name)") }
            return l
        }
        return AIComponent(characterSet: cset, minLength: minLength, maxLength: maxLength,
                           isOptional: optional, linters: linters)
    }

    /// The AI length implied by two leading digits (0 when no AI starts so).
    @inline(__always)
    public func aiLength(firstDigit a: UInt8, secondDigit b: UInt8) -> Int {
        let p = Int(a &- 48) &* 10 &+ Int(b &- 48)
        guard a >= 48, a <= 57, b >= 48, b <= 57, p >= 0, p < 100 else { return 0 }
        return Int(lengthByPrefix[p])
    }

    /// Index into `entries`, or nil for an AI not in the table.
    @inline(__always)
    public func index(code: Int, length: Int) -> Int? {
        guard length >= 2, length <= 4, code >= 0, code < (length == 2 ? 100 : length == 3 ? 1000 : 10000) else { return nil }
        let i = Int(indexBySlot[AIDictionary.slot(code: code, length: length)])
        return i == 0 ? nil : i - 1
    }

    public func entry(_ ai: some StringProtocol) -> AIEntry? {
        guard let code = Int(ai), ai.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let i = index(code: code, length: ai.count) else { return nil }
        return entries[i]
    }
}
