/// Rules between AIs in one message (GS1 GenSpecs 4.14): an AI that requires
/// another (req=), pairs that may not appear together (ex=), and the same AI
/// repeated with a different value. Messages are short, so the checks are
/// plain scans over the element list.
enum Associations {
    static func validate(_ es: ElementString) -> GS1Error? {
        let elements = es.elements
        let dict = AIDictionary.shared
        for (i, e) in elements.enumerated() {
            // Repeats: identical values are harmless, different ones are not.
            for j in (i + 1)..<max(i + 1, elements.count) {
                let f = elements[j]
                if f.aiCode == e.aiCode && f.aiLength == e.aiLength && es.valueBytes(at: i) != es.valueBytes(at: j) {
                    return GS1Error(.conflictingRepeat, ai: es.ai(at: i), offset: Int(f.inputOffset),
                                    "(\(es.ai(at: i))) appears twice with different values")
                }
            }
            guard e.entryIndex >= 0 else { continue }
            let entry = dict.entries[Int(e.entryIndex)]
            for pattern in entry.excludes {
                for (j, f) in elements.enumerated() where j != i {
                    if f.aiCode == e.aiCode && f.aiLength == e.aiLength { continue }
                    if pattern.matches(code: Int(f.aiCode), length: Int(f.aiLength)) {
                        return GS1Error(.exclusiveAIs, ai: entry.ai, offset: Int(max(e.inputOffset, f.inputOffset)),
                                        "(\(entry.ai)) and (\(es.ai(at: j))) may not appear together")
                    }
                }
            }
            for rule in entry.requires {
                let satisfied = rule.contains { alternative in
                    alternative.allSatisfy { p in elements.contains { p.matches(code: Int($0.aiCode), length: Int($0.aiLength)) } }
                }
                if !satisfied {
                    let options = rule.map { $0.map(describe).joined(separator: " with ") }.joined(separator: " or ")
                    return GS1Error(.missingAssociation, ai: entry.ai, offset: Int(e.inputOffset),
                                    "(\(entry.ai)) \(entry.title) requires \(options)")
                }
            }
        }
        return digitalSignatureNeedsSerialisedKey(es)
    }

    /// (8030) signs a serialised key: GDTI (253), GCN (255) and GRAI (8003)
    /// carry their serial component optionally, so it must be present here.
    private static func digitalSignatureNeedsSerialisedKey(_ es: ElementString) -> GS1Error? {
        guard let sig = es.index(of: "8030") else { return nil }
        for (ai, baseLength) in [("253", 13), ("255", 13), ("8003", 14)] {
            if let i = es.index(of: ai), es.valueBytes(at: i).count <= baseLength {
                return GS1Error(.missingAssociation, ai: "8030", offset: Int(es.elements[sig].inputOffset),
                                "(8030) digital signature requires (\(ai)) to carry its serial component")
            }
        }
        return nil
    }

    private static func describe(_ p: AIPattern) -> String {
        var s = String(p.prefix)
        while s.count < p.prefixLength { s = "0" + s }
        return "(" + s + String(repeating: "n", count: p.length - p.prefixLength) + ")"
    }
}
