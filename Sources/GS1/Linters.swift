/// The GS1 Barcode Syntax Tests ("linters") referenced by the AI table: each
/// checks the content of one component beyond its length and character set.
/// They work on bytes and return the first problem with its offset inside
/// the component, or nil when the component is fine.

public enum Linter: String, Sendable, CaseIterable {
    case csum, csumalpha, gcppos1, gcppos2, hasnondigit, nozeroprefix
    case yymmdd, yymmd0, yyyymmdd, yyyymmd0, hh, mi, ss, hhmi
    case iso3166, iso3166999, iso3166alpha2, iso4217, iso5218, iban
    case yesno, zero, nonzero, winding, hyphen, pieceoftotal, posinseqslash
    case latitude, longitude, pcenc, mediatype, importeridx, packagetype
    /// North American coupon structures (8110, 8112): CouponLinters.swift.
    case couponcode, couponposoffer

    /// `allCases` builds a new array on every access; the packed component
    /// linter lists index this one instead.
    static let byIndex: [Linter] = allCases
}

struct LintIssue: Equatable {
    let problem: String
    let offset: Int
}

/// What linters need from outside the data: today's year for the GS1
/// century rule (injectable so tests do not depend on the clock).
public struct LintContext: Sendable {
    public var currentYear: Int
    public init(currentYear: Int) { self.currentYear = currentYear }
}

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }

@inline(__always)
private func firstNonDigit(_ d: UnsafeBufferPointer<UInt8>) -> Int? {
    for i in 0..<d.count where !isDigit(d[i]) { return i }
    return nil
}

@inline(__always)
private func number(_ d: UnsafeBufferPointer<UInt8>, _ from: Int, _ count: Int) -> Int {
    var v = 0
    for i in from..<(from + count) { v = v &* 10 &+ Int(d[i] &- 48) }
    return v
}

/// Character-set membership as 128-bit masks (bit c set = ASCII c allowed),
/// compile-time constants so the hot path reads no lazily initialised global.
@inline(__always)
private func inSet(_ c: UInt8, _ lo: UInt64, _ hi: UInt64) -> Bool {
    c < 64 ? (lo >> UInt64(c)) & 1 != 0 : c < 128 ? (hi >> UInt64(c &- 64)) & 1 != 0 : false
}
@inline(__always) private func isCSET82(_ c: UInt8) -> Bool { inSet(c, 0xFFFF_FFE6_0000_0000, 0x07FF_FFFE_87FF_FFFE) }
@inline(__always) private func isCSET39(_ c: UInt8) -> Bool { inSet(c, 0x03FF_A008_0000_0000, 0x0000_0000_07FF_FFFE) }
@inline(__always) private func isCSET64(_ c: UInt8) -> Bool { inSet(c, 0x03FF_2000_0000_0000, 0x07FF_FFFE_87FF_FFFE) }

/// CSET 82 ordinal positions for the alphanumeric check pair (GS1 GenSpecs 7.9.5).
private let cset82Ordinal: [Int] = {
    var t = [Int](repeating: -1, count: 256)
    for (i, c) in Array("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz".utf8).enumerated() { t[Int(c)] = i }
    return t
}()

enum CharacterSets {
    /// Offset of the first byte outside `set`, or nil.
    @inline(__always)
    static func firstInvalid(_ d: UnsafeBufferPointer<UInt8>, _ set: AICharacterSet) -> Int? {
        switch set {
        case .numeric: return firstNonDigit(d)
        case .cset82: for i in 0..<d.count where !isCSET82(d[i]) { return i }
        case .cset39: for i in 0..<d.count where !isCSET39(d[i]) { return i }
        case .cset64:
            // base64url; '=' only as one or two trailing pad characters that
            // complete a 3-character group (the syntax engine's rule).
            var end = d.count
            while end > 0, d[end - 1] == UInt8(ascii: "=") { end -= 1 }
            for i in 0..<end where !isCSET64(d[i]) { return i }
            let pad = d.count - end
            if pad > 0, pad > 2 || d.count % 3 != 0 { return end }
        }
        return nil
    }

    static func isCSET82(_ c: UInt8) -> Bool { GS1.isCSET82(c) }
}

enum Linting {
    static func check(_ linter: Linter, _ d: UnsafeBufferPointer<UInt8>, _ ctx: LintContext) -> LintIssue? {
        switch linter {
        case .csum: return checkDigit(d)
        case .csumalpha: return checkPair(d)
        case .gcppos1, .gcppos2:
            // A GS1 Company Prefix lookup needs GS1's online data source; the
            // structural part (length and digits) is covered by the component.
            return nil
        case .hasnondigit:
            return firstNonDigit(d) == nil ? LintIssue(problem: "must contain a non-digit character", offset: 0) : nil
        case .nozeroprefix:
            if let i = firstNonDigit(d) { return LintIssue(problem: "is not numeric", offset: i) }
            return d.count > 0 && d[0] == 48 ? LintIssue(problem: "must not start with zero", offset: 0) : nil
        case .yymmdd: return date(d, yearDigits: 2, allowDayZero: false, ctx)
        case .yymmd0: return date(d, yearDigits: 2, allowDayZero: true, ctx)
        case .yyyymmdd: return date(d, yearDigits: 4, allowDayZero: false, ctx)
        case .yyyymmd0: return date(d, yearDigits: 4, allowDayZero: true, ctx)
        case .hh: return ranged(d, length: 2, max: 23, "is not a valid hour")
        case .mi: return ranged(d, length: 2, max: 59, "is not a valid minute")
        case .ss: return ranged(d, length: 2, max: 59, "is not a valid second")
        case .hhmi:
            guard d.count == 4, firstNonDigit(d) == nil else { return LintIssue(problem: "is not a valid HHMI time", offset: 0) }
            if number(d, 0, 2) > 23 { return LintIssue(problem: "has an invalid hour", offset: 0) }
            return number(d, 2, 2) > 59 ? LintIssue(problem: "has an invalid minute", offset: 2) : nil
        case .iso3166: return numericCode(d, CodeLists.iso3166Numeric, allow999: false, "is not an ISO 3166 country code")
        case .iso3166999: return numericCode(d, CodeLists.iso3166Numeric, allow999: true, "is not an ISO 3166 country code or 999")
        case .iso4217: return numericCode(d, CodeLists.iso4217Numeric, allow999: false, "is not an ISO 4217 currency code")
        case .iso3166alpha2:
            return isAlpha2Country(d, 0) ? nil : LintIssue(problem: "is not an ISO 3166 alpha-2 country code", offset: 0)
        case .iso5218:
            return d.count == 1 && (d[0] == 48 || d[0] == 49 || d[0] == 50 || d[0] == 57) ? nil
                : LintIssue(problem: "is not an ISO/IEC 5218 sex code (0, 1, 2 or 9)", offset: 0)
        case .iban: return iban(d)
        case .yesno:
            return d.count == 1 && (d[0] == 48 || d[0] == 49) ? nil : LintIssue(problem: "must be 0 or 1", offset: 0)
        case .zero:
            return d.count > 0 && d.allSatisfy({ $0 == 48 }) ? nil : LintIssue(problem: "must be zero", offset: 0)
        case .nonzero:
            if let i = firstNonDigit(d) { return LintIssue(problem: "is not numeric", offset: i) }
            return d.contains(where: { $0 != 48 }) ? nil : LintIssue(problem: "must not be zero", offset: 0)
        case .winding:
            return d.count == 1 && (d[0] == 48 || d[0] == 49 || d[0] == 57) ? nil
                : LintIssue(problem: "is not a winding direction (0, 1 or 9)", offset: 0)
        case .hyphen:
            return d.count > 0 && d.allSatisfy({ $0 == UInt8(ascii: "-") }) ? nil : LintIssue(problem: "must be '-'", offset: 0)
        case .pieceoftotal: return pieceOfTotal(d)
        case .posinseqslash: return positionInSequence(d)
        case .latitude: return coordinate(d, max: 1_800_000_000, "is not a valid latitude")
        case .longitude: return coordinate(d, max: 3_600_000_000, "is not a valid longitude")
        case .pcenc:
            var i = 0
            while i < d.count {
                if d[i] == UInt8(ascii: "%") {
                    guard i + 2 < d.count, PercentHex.value(d[i + 1]) != nil, PercentHex.value(d[i + 2]) != nil else {
                        return LintIssue(problem: "has an invalid percent-encoding", offset: i)
                    }
                    i += 3
                } else { i += 1 }
            }
            return nil
        case .mediatype:
            // 01-10 are assigned; 80-99 are for company-internal use.
            guard d.count == 2, firstNonDigit(d) == nil, (1...10).contains(number(d, 0, 2)) || number(d, 0, 2) >= 80 else {
                return LintIssue(problem: "is not an AIDC media type (01-10, 80-99)", offset: 0)
            }
            return nil
        case .importeridx:
            guard d.count == 1 else { return LintIssue(problem: "must be one character", offset: 0) }
            let c = d[0]
            let ok = isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
            return ok ? nil : LintIssue(problem: "is not a valid importer index", offset: 0)
        case .packagetype:
            return CodeLists.packageTypes.contains(Array(d)) ? nil : LintIssue(problem: "is not a UN/ECE package type code", offset: 0)
        case .couponcode: return CouponLinting.couponCode(d, ctx)
        case .couponposoffer: return CouponLinting.positiveOffer(d)
        }
    }

    // MARK: check characters

    private static func checkDigit(_ d: UnsafeBufferPointer<UInt8>) -> LintIssue? {
        guard d.count > 0 else { return LintIssue(problem: "is too short for a check digit", offset: 0) }
        if let i = firstNonDigit(d) { return LintIssue(problem: "is not numeric", offset: i) }
        var sum = 0, weight = 3
        for i in stride(from: d.count - 2, through: 0, by: -1) {
            sum &+= Int(d[i] &- 48) &* weight
            weight = 4 - weight
        }
        let expected = (10 - sum % 10) % 10
        return Int(d[d.count - 1] &- 48) == expected ? nil
            : LintIssue(problem: "has an incorrect check digit (expected \(expected))", offset: d.count - 1)
    }

    /// GS1 alphanumeric check character pair (GS1 GenSpecs 7.9.5).
    private static func checkPair(_ d: UnsafeBufferPointer<UInt8>) -> LintIssue? {
        guard d.count >= 2 else { return LintIssue(problem: "is too short for a check character pair", offset: 0) }
        let primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307, 311, 313, 317, 331, 337, 347, 349, 353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421, 431, 433, 439, 443, 449, 457, 461, 463, 467, 479, 487, 491, 499, 503, 509, 521, 523, 541]
        let n = d.count - 2
        guard n <= primes.count else { return LintIssue(problem: "is too long for a check character pair", offset: 0) }
        var sum = 0
        for i in 0..<n {
            let v = cset82Ordinal[Int(d[i])]
            guard v >= 0 else { return LintIssue(problem: "has a character outside CSET 82", offset: i) }
            sum += v * primes[n - 1 - i]
        }
        let cset32 = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ".utf8)
        let m = sum % 1021
        return d[n] == cset32[m >> 5] && d[n + 1] == cset32[m & 31] ? nil
            : LintIssue(problem: "has an incorrect check character pair", offset: n)
    }

    // MARK: dates and times

    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// GS1 GenSpecs 7.12: a two-digit year within 49 years ahead of or 50
    /// behind the current year.
    static func fullYear(twoDigit yy: Int, currentYear: Int) -> Int {
        let century = currentYear - currentYear % 100
        let diff = yy - currentYear % 100
        if diff >= 51 { return century - 100 + yy }
        if diff <= -50 { return century + 100 + yy }
        return century + yy
    }

    private static func date(_ d: UnsafeBufferPointer<UInt8>, yearDigits: Int, allowDayZero: Bool, _ ctx: LintContext) -> LintIssue? {
        let length = yearDigits + 4
        if let i = firstNonDigit(d) { return LintIssue(problem: "is not a numeric date", offset: i) }
        guard d.count >= length else { return LintIssue(problem: "is too short for a date", offset: 0) }
        guard d.count == length else { return LintIssue(problem: "is too long for a date", offset: 0) }
        let y = number(d, 0, yearDigits)
        let year = yearDigits == 2 ? fullYear(twoDigit: y, currentYear: ctx.currentYear) : y
        let month = number(d, yearDigits, 2), day = number(d, yearDigits + 2, 2)
        guard month >= 1, month <= 12 else { return LintIssue(problem: "has an invalid month", offset: yearDigits) }
        if day == 0 && allowDayZero { return nil }
        guard day >= 1, day <= daysInMonth(month, year: year) else {
            return LintIssue(problem: "has an invalid day", offset: yearDigits + 2)
        }
        return nil
    }

    private static func ranged(_ d: UnsafeBufferPointer<UInt8>, length: Int, max: Int, _ problem: String) -> LintIssue? {
        guard d.count == length, firstNonDigit(d) == nil, number(d, 0, length) <= max else { return LintIssue(problem: problem, offset: 0) }
        return nil
    }

    // MARK: codes

    private static func numericCode(_ d: UnsafeBufferPointer<UInt8>, _ list: [Bool], allow999: Bool, _ problem: String) -> LintIssue? {
        guard d.count == 3, firstNonDigit(d) == nil else { return LintIssue(problem: problem, offset: 0) }
        let n = number(d, 0, 3)
        return list[n] || (allow999 && n == 999) ? nil : LintIssue(problem: problem, offset: 0)
    }

    private static func isAlpha2Country(_ d: UnsafeBufferPointer<UInt8>, _ at: Int) -> Bool {
        guard d.count == at + 2 else { return false }
        let a = d[at], b = d[at + 1]
        guard a >= 65, a <= 90, b >= 65, b <= 90 else { return false }
        return CodeLists.iso3166Alpha2[Int(a - 65) * 26 + Int(b - 65)]
    }

    /// ISO 13616 IBAN: country, two check digits, BBAN; mod 97 must be 1.
    private static func iban(_ d: UnsafeBufferPointer<UInt8>) -> LintIssue? {
        guard d.count >= 5 else { return LintIssue(problem: "is too short for an IBAN", offset: 0) }
        guard d.count <= 34 else { return LintIssue(problem: "is too long for an IBAN", offset: 0) }
        for i in 0..<d.count {
            let c = d[i]
            let ok = i < 2 ? (c >= 65 && c <= 90) : (i < 4 ? isDigit(c) : (isDigit(c) || (c >= 65 && c <= 90)))
            if !ok { return LintIssue(problem: "has a character not allowed in an IBAN", offset: i) }
        }
        let a = d[0], b = d[1]
        guard CodeLists.iso3166Alpha2[Int(a - 65) * 26 + Int(b - 65)] else {
            return LintIssue(problem: "has an unknown IBAN country code", offset: 0)
        }
        var rem = 0
        for k in 0..<d.count {
            let c = d[(k + 4) % d.count]
            if isDigit(c) { rem = (rem * 10 + Int(c - 48)) % 97 } else { rem = (rem * 100 + Int(c - 55)) % 97 }
        }
        return rem == 1 ? nil : LintIssue(problem: "has an incorrect IBAN checksum", offset: 2)
    }

    private static func pieceOfTotal(_ d: UnsafeBufferPointer<UInt8>) -> LintIssue? {
        guard d.count > 0, d.count % 2 == 0 else { return LintIssue(problem: "must be piece and total of equal length", offset: 0) }
        if let i = firstNonDigit(d) { return LintIssue(problem: "is not numeric", offset: i) }
        let half = d.count / 2
        let piece = number(d, 0, half), total = number(d, half, half)
        if piece == 0 { return LintIssue(problem: "has piece number zero", offset: 0) }
        if total == 0 { return LintIssue(problem: "has total zero", offset: half) }
        return piece > total ? LintIssue(problem: "has a piece number beyond the total", offset: 0) : nil
    }

    private static func positionInSequence(_ d: UnsafeBufferPointer<UInt8>) -> LintIssue? {
        guard let slash = d.firstIndex(of: UInt8(ascii: "/")), slash > 0, slash < d.count - 1 else {
            return LintIssue(problem: "must be POSITION/TOTAL", offset: 0)
        }
        for i in 0..<d.count where i != slash && !isDigit(d[i]) { return LintIssue(problem: "must be POSITION/TOTAL", offset: 0) }
        if d[0] == 48 { return LintIssue(problem: "must not start with zero", offset: 0) }
        if d[slash + 1] == 48 { return LintIssue(problem: "must not start with zero", offset: slash + 1) }
        let pos = number(d, 0, slash), total = number(d, slash + 1, d.count - slash - 1)
        return pos > total ? LintIssue(problem: "has a position beyond the end of the sequence", offset: 0) : nil
    }

    private static func coordinate(_ d: UnsafeBufferPointer<UInt8>, max: Int, _ problem: String) -> LintIssue? {
        guard d.count == 10 else { return LintIssue(problem: problem, offset: 0) }
        if let i = firstNonDigit(d) { return LintIssue(problem: "is not numeric", offset: i) }
        return number(d, 0, 10) <= max ? nil : LintIssue(problem: problem, offset: 0)
    }
}

/// Hex digit values, shared by the percent-encoding checks.
enum PercentHex {
    @inline(__always)
    static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }
}
