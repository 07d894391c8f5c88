/// The check rules the tracking formats use. Where a carrier uses the GS1
/// mod-10 (weights 3,1 from the right: USPS, FedEx Ground, SSCC) the GS1
/// module's own `EPCText.checkDigit` computes it; only the two rules GS1
/// does not have are written here (UPS's letter-mapped 1,2 weighting and
/// FedEx Express's 3,1,7 mod 11), per tracking_number_data's
/// CHECKSUM_ALGORITHMS.md.
enum TrackingCheck {
    /// GS1 mod 10 over `body` (digits), checked against the digit at `check`.
    static func gs1(_ input: TrackingInput, body: Range<Int>, check: Int, what: String) -> TrackingError? {
        compare(input, at: check, expected: EPCText.checkDigit(input.chars[body]), what: what)
    }

    /// UPS: the 15 characters after "1Z", letters mapped to digits as
    /// (ASCII − 3) mod 10 (A→2 … I→0, J→1 …), every second character
    /// doubled starting with the second, sum complemented to 10.
    static func ups(_ input: TrackingInput, body: Range<Int>, check: Int) -> TrackingError? {
        var sum = 0
        for (k, c) in input.chars[body].enumerated() {
            let v = c &- 48 < 10 ? Int(c &- 48) : (Int(c) - 3) % 10
            sum += k % 2 == 1 ? v * 2 : v
        }
        return compare(input, at: check, expected: (10 - sum % 10) % 10, what: "UPS")
    }

    /// FedEx Express: the 11 digits before the check weighted 3,1,7 from the
    /// left (1,7,3 from the right), sum mod 11, then mod 10 (a remainder of
    /// 10 gives check 0).
    static func fedexExpress(_ input: TrackingInput, body: Range<Int>, check: Int, what: String) -> TrackingError? {
        let weights = [3, 1, 7]
        var sum = 0
        for (k, c) in input.chars[body].enumerated() { sum += Int(c &- 48) * weights[k % 3] }
        return compare(input, at: check, expected: sum % 11 % 10, what: what)
    }

    /// "check digit is 7, expected 3" at the check digit's input offset.
    static func compare(_ input: TrackingInput, at i: Int, expected: Int, what: String) -> TrackingError? {
        let c = input.chars[i]
        guard c &- 48 < 10 else {
            return TrackingError(.invalidCharacter, offset: input.offset(i), "\(what) check digit is '\(TrackingInput.printable(c))', not a digit")
        }
        let got = Int(c &- 48)
        return got == expected ? nil
            : TrackingError(.checkDigit, offset: input.offset(i), "\(what) check digit is \(got), expected \(expected)")
    }
}
