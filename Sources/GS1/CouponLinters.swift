/// North American coupon structures: AI (8110), the original coupon code
/// ("North American Coupon Application Guideline Using GS1 DataBar Expanded
/// Symbols"), and AI (8112), the positive offer file coupon ("GS1 AI (8112)
/// Coupon Data Specification"). Both are all-digit sequences of fields, many
/// led by a variable length indicator (VLI) digit.
enum CouponLinting {
    /// A read position over the digits with field-level helpers; every
    /// helper returns the problem to report, or nil to carry on.
    private struct Cursor {
        let d: UnsafeBufferPointer<UInt8>
        var p = 0
        var atEnd: Bool { p >= d.count }
        var current: Int { Int(d[p] &- 48) }

        /// A VLI digit that must lie in `allowed`; returns its value.
        mutating func vli(_ allowed: ClosedRange<Int>, _ field: String, _ issue: inout LintIssue?) -> Int {
            guard !atEnd else { issue = LintIssue(problem: "is missing the \(field) length indicator", offset: p); return 0 }
            let v = current
            guard allowed.contains(v) else { issue = LintIssue(problem: "has an invalid \(field) length indicator", offset: p); return 0 }
            p += 1
            return v
        }

        mutating func skip(_ count: Int, _ field: String, _ issue: inout LintIssue?) {
            guard d.count - p >= count else { issue = LintIssue(problem: "has a truncated \(field)", offset: p); return }
            p += count
        }

        /// A single digit that must be one of `allowed`.
        mutating func code(_ allowed: Set<Int>, _ field: String, _ issue: inout LintIssue?) {
            guard !atEnd else { issue = LintIssue(problem: "is missing the \(field)", offset: p); return }
            guard allowed.contains(current) else { issue = LintIssue(problem: "has an invalid \(field)", offset: p); return }
            p += 1
        }

        /// A one-digit field marker for an optional field.
        mutating func optionalField(_ marker: Int) -> Bool {
            guard !atEnd, current == marker else { return false }
            p += 1
            return true
        }
    }

    private static let requirementCodes: Set<Int> = [0, 1, 2, 3, 4, 9]

    static func couponCode(_ d: UnsafeBufferPointer<UInt8>, _ ctx: LintContext) -> LintIssue? {
        if let i = d.firstIndex(where: { $0 &- 48 >= 10 }) { return LintIssue(problem: "is not numeric", offset: i) }
        var c = Cursor(d: d)
        var issue: LintIssue? = nil
        func step(_ f: (inout Cursor, inout LintIssue?) -> Void) -> Bool { f(&c, &issue); return issue == nil }

        // Primary GCP, offer code, save value, first purchase requirement.
        var n = 0
        guard step({ n = $0.vli(0...6, "company prefix", &$1) }), step({ $0.skip(n + 6, "company prefix", &$1) }),
              step({ $0.skip(6, "offer code", &$1) }),
              step({ n = $0.vli(1...5, "save value", &$1) }), step({ $0.skip(n, "save value", &$1) }),
              step({ n = $0.vli(1...5, "first purchase requirement", &$1) }),
              step({ $0.skip(n, "first purchase requirement", &$1) }),
              step({ $0.code(requirementCodes, "first purchase requirement code", &$1) }),
              step({ $0.skip(3, "first purchase family code", &$1) }) else { return issue }

        // Optional fields 1 and 2: second and third purchase.
        for (marker, which) in [(1, "second"), (2, "third")] where c.optionalField(marker) {
            if marker == 1 { guard step({ $0.code([0, 1, 2, 3], "additional purchase rules code", &$1) }) else { return issue } }
            var gcp = 0
            guard step({ n = $0.vli(1...5, "\(which) purchase requirement", &$1) }),
                  step({ $0.skip(n, "\(which) purchase requirement", &$1) }),
                  step({ $0.code(requirementCodes, "\(which) purchase requirement code", &$1) }),
                  step({ $0.skip(3, "\(which) purchase family code", &$1) }),
                  step({ gcp = $0.vli(0...9, "\(which) purchase company prefix", &$1) }) else { return issue }
            if gcp == 7 || gcp == 8 { return LintIssue(problem: "has an invalid \(which) purchase company prefix length indicator", offset: c.p - 1) }
            if gcp != 9 { guard step({ $0.skip(gcp + 6, "\(which) purchase company prefix", &$1) }) else { return issue } }
        }

        // Optional fields 3 and 4: expiration and start dates (YYMMDD).
        var expiry: Int? = nil
        for (marker, which) in [(3, "expiration date"), (4, "start date")] where c.optionalField(marker) {
            let start = c.p
            guard step({ $0.skip(6, which, &$1) }) else { return issue }
            let date = UnsafeBufferPointer(rebasing: d[start..<(start + 6)])
            if Linting.check(.yymmdd, date, ctx) != nil { return LintIssue(problem: "has an invalid \(which)", offset: start) }
            let value = date.reduce(0) { $0 * 10 + Int($1 - 48) }
            if marker == 3 { expiry = value } else if let expiry, value > expiry {
                return LintIssue(problem: "has an expiration date before its start date", offset: start - 8)
            }
        }

        // Optional field 5: serial number; 6: retailer GCP/GLN; 9: miscellaneous.
        if c.optionalField(5) {
            guard step({ n = $0.vli(0...9, "serial number", &$1) }), step({ $0.skip(n + 6, "serial number", &$1) }) else { return issue }
        }
        if c.optionalField(6) {
            guard step({ n = $0.vli(1...7, "retailer company prefix or GLN", &$1) }),
                  step({ $0.skip(n + 6, "retailer company prefix or GLN", &$1) }) else { return issue }
        }
        if c.optionalField(9) {
            guard step({ $0.code([0, 1, 2, 5, 6], "save value code", &$1) }),
                  step({ $0.code([0, 1, 2], "save value applies-to-item code", &$1) }),
                  step({ $0.code(Set(0...9), "store coupon flag", &$1) }),
                  step({ $0.code([0, 1], "don't-multiply flag", &$1) }) else { return issue }
        }
        return c.atEnd ? nil : LintIssue(problem: "has excess data after the coupon fields", offset: c.p)
    }

    static func positiveOffer(_ d: UnsafeBufferPointer<UInt8>) -> LintIssue? {
        if let i = d.firstIndex(where: { $0 &- 48 >= 10 }) { return LintIssue(problem: "is not numeric", offset: i) }
        var c = Cursor(d: d)
        var issue: LintIssue? = nil
        func step(_ f: (inout Cursor, inout LintIssue?) -> Void) -> Bool { f(&c, &issue); return issue == nil }
        var n = 0
        guard step({ $0.code([0, 1], "format code", &$1) }),
              step({ n = $0.vli(0...6, "funder ID", &$1) }), step({ $0.skip(n + 6, "funder ID", &$1) }),
              step({ $0.skip(6, "offer code", &$1) }),
              step({ n = $0.vli(0...9, "serial number", &$1) }), step({ $0.skip(n + 6, "serial number", &$1) }) else { return issue }
        return c.atEnd ? nil : LintIssue(problem: "has excess data after the serial number", offset: c.p)
    }
}
