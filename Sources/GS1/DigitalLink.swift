/// GS1 Digital Link URI → element string (GS1 Digital Link standard 1.x,
/// URI syntax section): the path ends in a primary key and its qualifiers,
/// the query carries data attributes. Everything before the primary key is
/// the resolver's stem and is ignored. Fragments are ignored.
public enum DigitalLink {
    /// True when `bytes` start with one of the schemes a Digital Link may use
    /// ("http://", "https://", all lower or all upper case).
    public static func isCandidate<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        for scheme in schemes {
            if bytes.count >= scheme.count && zip(bytes, scheme).allSatisfy({ $0 == $1 }) { return true }
        }
        return false
    }

    private static let schemes: [[UInt8]] = ["http://", "https://", "HTTP://", "HTTPS://"].map { Array($0.utf8) }

    /// Short names some publishers use instead of AI numbers (only with
    /// `permitConvenienceAlphas`).
    static let convenienceAlphas: [String: String] = [
        "gtin": "01", "itip": "8006", "cpv": "22", "lot": "10", "ser": "21", "sscc": "00",
        "gln": "414", "glnx": "254", "party": "417", "gsrn": "8018", "gsrnp": "8017", "srin": "8019",
        "gdti": "253", "gcn": "255", "grai": "8003", "giai": "8004", "ginc": "401", "gsin": "402",
        "cpid": "8010", "cpsn": "8011", "gmn": "8013", "tpx": "235", "exp": "17", "uic": "7040",
    ]

    public static func parse(_ text: some StringProtocol, options: GS1ParseOptions = .default) -> Result<ElementString, GS1Error> {
        parse(Array(text.utf8), options: options)
    }

    public static func parse(_ uri: [UInt8], options: GS1ParseOptions = .default) -> Result<ElementString, GS1Error> {
        guard let scheme = schemes.first(where: { uri.count >= $0.count && Array(uri[0..<$0.count]) == $0 }) else {
            return fail(0, "a Digital Link URI must start with http:// or https://")
        }
        for (i, c) in uri.enumerated() where !isURICharacter(c) {
            return fail(i, "character \(ElementStringParser.describe(c)) is not allowed in a URI")
        }
        // Authority: up to the first '/', never empty, plain host characters.
        let hostStart = scheme.count
        var pathStart = hostStart
        while pathStart < uri.count, uri[pathStart] != UInt8(ascii: "/") {
            let c = uri[pathStart]
            if c == UInt8(ascii: "?") || c == UInt8(ascii: "#") { break }
            if !isHostCharacter(c) { return fail(pathStart, "character \(ElementStringParser.describe(c)) is not allowed in a host name") }
            pathStart += 1
        }
        guard pathStart > hostStart else { return fail(hostStart, "the URI has no host name") }
        var pathEnd = pathStart
        while pathEnd < uri.count, uri[pathEnd] != UInt8(ascii: "?"), uri[pathEnd] != UInt8(ascii: "#") { pathEnd += 1 }
        var queryEnd = pathEnd
        if pathEnd < uri.count, uri[pathEnd] == UInt8(ascii: "?") {
            queryEnd = pathEnd + 1
            while queryEnd < uri.count, uri[queryEnd] != UInt8(ascii: "#") { queryEnd += 1 }
        }

        // Path segments (each with its start offset), after the leading '/'.
        guard pathStart < pathEnd else { return fail(pathStart, "the URI has no path with a GS1 primary key") }
        if uri[pathEnd - 1] == UInt8(ascii: "/") { return fail(pathEnd - 1, "the URI path must not end with '/'") }
        var segments: [(start: Int, end: Int)] = []
        var s = pathStart + 1
        for i in (pathStart + 1)...pathEnd where i == pathEnd || uri[i] == UInt8(ascii: "/") {
            segments.append((s, i)); s = i + 1
        }

        // Walk back over (AI, value) pairs until the primary key.
        var pairs: [(ai: [UInt8], value: [UInt8], offset: Int)] = []
        var k = segments.count
        var keyEntry: AIEntry? = nil
        while k >= 2 {
            let aiSeg = segments[k - 2], valueSeg = segments[k - 1]
            guard let ai = aiCode(Array(uri[aiSeg.start..<aiSeg.end]), options) else { break }
            if valueSeg.start == valueSeg.end { return fail(valueSeg.start, "(\(text(ai))) has an empty value in the URI path") }
            guard case .success(var value) = percentDecode(uri, valueSeg.start, valueSeg.end, plusIsSpace: false) else {
                return fail(valueSeg.start, "(\(text(ai))) value has a malformed or NUL percent-encoding")
            }
            if ai == Array("01".utf8), options.permitZeroSuppressedGTIN { value = padGTIN(value) }
            pairs.insert((ai, value, aiSeg.start), at: 0)
            k -= 2
            if let entry = AIDictionary.shared.entry(text(ai)), entry.digitalLinkQualifiers != nil {
                keyEntry = entry
                break
            }
        }
        guard let key = keyEntry, let sequences = key.digitalLinkQualifiers else {
            return fail(pathStart, "the URI path has no GS1 primary key (such as /01/ GTIN or /00/ SSCC)")
        }

        // Qualifiers must follow one permitted sequence, in order.
        let qualifiers = pairs.dropFirst().map { text($0.ai) }
        let compatible = sequences.filter { isOrderedSubsequence(qualifiers, of: $0) }
        if compatible.isEmpty {
            let allowed = sequences.map { $0.map { "(\($0))" }.joined(separator: ", ") }.filter { !$0.isEmpty }
            let rule = allowed.isEmpty ? "takes no key qualifiers" : "takes qualifiers in the order " + allowed.joined(separator: " or ")
            return fail(pairs.count > 1 ? pairs[1].offset : pathStart,
                        "(\(key.ai)) \(rule); the path has \(qualifiers.map { "(\($0))" }.joined(separator: ", "))")
        }
        let possibleQualifiers = Set(compatible.flatMap { $0 })

        // Query data attributes.
        var q = pathEnd + 1
        while q < queryEnd {
            var end = q
            while end < queryEnd, uri[end] != UInt8(ascii: "&") { end += 1 }
            if end > q {
                var eq = q
                while eq < end, uri[eq] != UInt8(ascii: "=") { eq += 1 }
                let name = Array(uri[q..<eq])
                if let ai = aiCode(name, options) {
                    let aiText = text(ai)
                    guard eq < end, eq + 1 < end else { return fail(q, "(\(aiText)) has an empty value in the URI query") }
                    guard case .success(var value) = percentDecode(uri, eq + 1, end, plusIsSpace: true) else {
                        return fail(eq + 1, "(\(aiText)) value has a malformed or NUL percent-encoding")
                    }
                    if possibleQualifiers.contains(aiText) {
                        return fail(q, "(\(aiText)) qualifies (\(key.ai)) and belongs in the URI path, not the query")
                    }
                    if let entry = AIDictionary.shared.entry(aiText), !entry.isDigitalLinkAttribute {
                        return fail(q, "(\(aiText)) may not be used as a Digital Link data attribute")
                    }
                    if aiText == "01", options.permitZeroSuppressedGTIN { value = padGTIN(value) }
                    pairs.append((ai, value, q))
                }
                // Other parameters (non-numeric names) belong to the
                // application and are ignored, as the standard requires.
            }
            q = end + 1
        }

        // An AI may appear only once in a Digital Link URI.
        for i in pairs.indices {
            for j in pairs.indices where j > i && pairs[j].ai == pairs[i].ai {
                return fail(pairs[j].offset, "(\(text(pairs[i].ai))) appears more than once in the URI")
            }
        }
        return ElementStringParser.build(pairs, options: options)
    }

    // MARK: helpers

    private static func fail(_ offset: Int, _ message: String) -> Result<ElementString, GS1Error> {
        .failure(GS1Error(.digitalLink, offset: offset, message))
    }

    private static func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

    /// A path segment or query name naming an AI: digits (any count, so that
    /// "999" is reported as an unknown AI) or a permitted convenience alpha.
    private static func aiCode(_ segment: [UInt8], _ options: GS1ParseOptions) -> [UInt8]? {
        if !segment.isEmpty, segment.allSatisfy({ $0 &- 48 < 10 }) { return segment }
        if options.permitConvenienceAlphas, let ai = convenienceAlphas[text(segment)] { return Array(ai.utf8) }
        return nil
    }

    private static func padGTIN(_ v: [UInt8]) -> [UInt8] {
        [8, 12, 13].contains(v.count) && v.allSatisfy({ $0 &- 48 < 10 }) ? [UInt8](repeating: 48, count: 14 - v.count) + v : v
    }

    private static func isOrderedSubsequence(_ items: [String], of sequence: [String]) -> Bool {
        var it = sequence.makeIterator()
        outer: for item in items {
            while let next = it.next() { if next == item { continue outer } }
            return false
        }
        return true
    }

    static func percentDecode(_ b: [UInt8], _ start: Int, _ end: Int, plusIsSpace: Bool) -> Result<[UInt8], GS1Error> {
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        var i = start
        while i < end {
            var c = b[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < end,
                      let h = PercentHex.value(b[i + 1]), let l = PercentHex.value(b[i + 2]) else {
                    return .failure(GS1Error(.digitalLink, offset: i, "malformed percent-encoding"))
                }
                c = h << 4 | l
                guard c != 0 else { return .failure(GS1Error(.digitalLink, offset: i, "%00 is not allowed")) }
                i += 3
            } else {
                if c == UInt8(ascii: "+") && plusIsSpace { c = UInt8(ascii: " ") }
                i += 1
            }
            out.append(c)
        }
        return .success(out)
    }

    /// RFC 3986 unreserved + reserved characters and '%'.
    private static func isURICharacter(_ c: UInt8) -> Bool { isASCIIAlphanumeric(c) || uriPunctuation.contains(c) }
    private static func isHostCharacter(_ c: UInt8) -> Bool { isASCIIAlphanumeric(c) || hostPunctuation.contains(c) }
    private static let uriPunctuation = Set("-._~:/?#[]@!$&'()*+,;=%".utf8)
    private static let hostPunctuation = Set("-._~:[]".utf8)

    private static func isASCIIAlphanumeric(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return false
        }
    }
}
