/// Code lists used by linters, as bitmaps so checks are a shift and a mask.
/// The lists themselves are generated into AIDictionaryData.swift.
enum CodeLists {
    /// Bit n set = three-digit numeric code n is assigned.
    static let iso3166Numeric = numericBitmap(iso3166NumericText)
    static let iso4217Numeric = numericBitmap(iso4217NumericText)
    /// Bit (a-'A')*26 + (b-'A') set = alpha-2 code "ab" is assigned.
    static let iso3166Alpha2: [Bool] = {
        var bits = [Bool](repeating: false, count: 26 * 26)
        for code in iso3166Alpha2Text.split(separator: " ") {
            let u = Array(code.utf8)
            bits[Int(u[0] - 65) * 26 + Int(u[1] - 65)] = true
        }
        return bits
    }()
    /// UN/ECE Recommendation 21 package type codes (AI 7041).
    static let packageTypes: Set<[UInt8]> = Set(packageTypesText.split(separator: " ").map { Array($0.utf8) })

    private static func numericBitmap(_ text: String) -> [Bool] {
        var bits = [Bool](repeating: false, count: 1000)
        for code in text.split(separator: " ") { if let n = Int(code) { bits[n] = true } }
        return bits
    }
}
