/// What a scan identifies, for the stations: the kind plus the identifying
/// value. GS1 data is classified by its AIs; plain data by site-configured
/// patterns such as `LOC:*` or `CMD:*`.
public enum ScanKind: String, Sendable, Hashable, CaseIterable {
    case tradeItem = "trade-item"
    case logisticUnit = "logistic-unit"
    case location
    case document
    case command
    /// An operator's badge (`OP:1234`): signs the operator in at the station.
    case operatorBadge = "operator"
    /// A reason code (`RSN:DAMAGED-BOX`) for an override.
    case reason
    case epc
    case unknown
}

/// A site pattern for plain (non-GS1) barcodes. Pattern characters:
/// `*` any run of characters (at most one per pattern; what it matched is
/// the value, e.g. "A-01-02" for `LOC:*`), `#` one digit, `@` one letter,
/// `?` any one character; everything else matches itself.
public struct ScanPattern: Sendable, Hashable {
    public let kind: ScanKind
    public let pattern: String
    private let bytes: [UInt8]

    public init(_ kind: ScanKind, _ pattern: String) {
        self.kind = kind; self.pattern = pattern; self.bytes = Array(pattern.utf8)
    }

    /// The value the pattern extracts from `text`, or nil when it does not match.
    public func match(_ text: [UInt8]) -> [UInt8]? {
        guard let star = bytes.firstIndex(of: UInt8(ascii: "*")) else {
            return text.count == bytes.count && matches(bytes[...], text[...]) ? text : nil
        }
        let head = bytes[..<star], tail = bytes[(star + 1)...]
        guard text.count >= head.count + tail.count else { return nil }
        let middleEnd = text.count - tail.count
        guard matches(head, text[..<head.count]), matches(tail, text[middleEnd...]) else { return nil }
        let value = Array(text[head.count..<middleEnd])
        return value.isEmpty ? nil : value
    }

    private func matches(_ p: ArraySlice<UInt8>, _ t: ArraySlice<UInt8>) -> Bool {
        guard p.count == t.count else { return false }
        for (pc, tc) in zip(p, t) {
            switch pc {
            case UInt8(ascii: "#"): if tc &- 48 >= 10 { return false }
            case UInt8(ascii: "@"): if !((tc >= 65 && tc <= 90) || (tc >= 97 && tc <= 122)) { return false }
            case UInt8(ascii: "?"): continue
            default: if pc != tc { return false }
            }
        }
        return true
    }
}

public struct ScanClassifier: Sendable {
    /// Tried in order; the first match wins.
    public var patterns: [ScanPattern]

    public init(patterns: [ScanPattern] = ScanClassifier.defaultPatterns) { self.patterns = patterns }

    public static let defaultPatterns: [ScanPattern] = [
        ScanPattern(.location, "LOC:*"),
        ScanPattern(.command, "CMD:*"),
        ScanPattern(.document, "DOC:*"),
        ScanPattern(.document, "PO:*"),
        ScanPattern(.document, "ASN:*"),
        ScanPattern(.operatorBadge, "OP:*"),
        ScanPattern(.reason, "RSN:*"),
    ]

    /// The kind of GS1 data, by the AIs that identify something.
    public func classify(_ es: ElementString) -> (ScanKind, String?) {
        (ScanClassifier.kind(of: es), ScanClassifier.identifyingValue(of: es))
    }

    /// The kind alone: index lookups, no strings (the scan hot path).
    static func kind(of es: ElementString) -> ScanKind {
        if es.index(code: 0, length: 2) != nil { return .logisticUnit }
        if es.index(code: 1, length: 2) != nil || es.index(code: 2, length: 2) != nil || es.index(code: 3, length: 2) != nil {
            return .tradeItem
        }
        if es.index(code: 414, length: 3) != nil { return .location }
        for code in [400, 401, 402, 253] where es.index(code: code, length: 3) != nil { return .document }
        return .unknown
    }

    /// What the scan identifies: the SSCC, GTIN, "GLN.extension" or document key.
    static func identifyingValue(of es: ElementString) -> String? {
        if let sscc = es.value(code: 0, length: 2) { return sscc }
        if let gtin = es.value(code: 1, length: 2) ?? es.value(code: 2, length: 2) ?? es.value(code: 3, length: 2) { return gtin }
        if let gln = es.value(code: 414, length: 3) {
            return es.value(code: 254, length: 3).map { "\(gln).\($0)" } ?? gln
        }
        for code in [400, 401, 402, 253] { if let doc = es.value(code: code, length: 3) { return doc } }
        return nil
    }

    /// The kind of plain data, by the configured patterns.
    public func classify(plain text: [UInt8]) -> (ScanKind, String)? {
        for p in patterns {
            if let value = p.match(text) { return (p.kind, String(decoding: value, as: UTF8.self)) }
        }
        return nil
    }
}
