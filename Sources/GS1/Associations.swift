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
            for pattern in entry.excludePatterns {
                for (j, f) in elements.enumerated() where j != i {
                    if f.aiCode == e.aiCode && f.aiLength == e.aiLength { continue }
                    if AIPattern.matches(packed: pattern, code: Int(f.aiCode), length: Int(f.aiLength)) {
                        return GS1Error(.exclusiveAIs, ai: entry.ai, offset: Int(max(e.inputOffset, f.inputOffset)),
                                        "(\(entry.ai)) and (\(es.ai(at: j))) may not appear together")
                    }
                }
            }
            if let failed = firstUnsatisfiedRule(entry.requireProgram, elements) {
                let options = entry.requires[failed].map { $0.map(describe).joined(separator: " with ") }.joined(separator: " or ")
                return GS1Error(.missingAssociation, ai: entry.ai, offset: Int(e.inputOffset),
                                "(\(entry.ai)) \(entry.title) requires \(options)")
            }
        }
        return digitalSignatureNeedsSerialisedKey(es)
    }

    /// Runs a flattened req= program (see AIEntry.requireProgram); returns
    /// the index of the first rule no alternative satisfies.
    @inline(__always)
    private static func firstUnsatisfiedRule(_ program: [Int64], _ elements: [ElementString.Element]) -> Int? {
        var pc = 0
        let rules = Int(program[pc]); pc += 1
        for rule in 0..<rules {
            let alternatives = Int(program[pc]); pc += 1
            var satisfied = false
            for _ in 0..<alternatives {
                let count = Int(program[pc]); pc += 1
                if !satisfied {
                    var all = true
                    for k in 0..<count where all {
                        let p = program[pc + k]
                        var found = false
                        for e in elements where AIPattern.matches(packed: p, code: Int(e.aiCode), length: Int(e.aiLength)) { found = true; break }
                        all = found
                    }
                    satisfied = all
                }
                pc += count
            }
            if !satisfied { return rule }
        }
        return nil
    }

    /// (8030) signs a serialised key: GDTI (253), GCN (255) and GRAI (8003)
    /// carry their serial component optionally, so it must be present here.
    private static func digitalSignatureNeedsSerialisedKey(_ es: ElementString) -> GS1Error? {
        guard let sig = es.index(code: 8030, length: 4) else { return nil }
        for (ai, code, length, baseLength) in [("253", 253, 3, 13), ("255", 255, 3, 13), ("8003", 8003, 4, 14)] {
            if let i = es.index(code: code, length: length), es.valueBytes(at: i).count <= baseLength {
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
