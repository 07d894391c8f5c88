/// GS1 keys held as integers: a GTIN-14 fits in 47 bits, an SSCC (18 digits)
/// and a GLN (13 digits) in a UInt64. Construction validates the check digit,
/// so holding one means it is well-formed.

public enum GS1CheckDigit {
    /// The GS1 mod-10 check digit for `digits` (the payload without its check
    /// digit), weights 3,1,3,… from the right. Nil if any byte is not a digit.
    @inline(__always)
    public static func compute<C: BidirectionalCollection>(_ digits: C) -> UInt8? where C.Element == UInt8 {
        var sum = 0
        var weight = 3
        for c in digits.reversed() {
            let d = Int(c) &- 48
            guard d >= 0 && d <= 9 else { return nil }
            sum += d * weight
            weight = 4 - weight
        }
        return UInt8((10 - sum % 10) % 10)
    }

    /// True when the last digit of `digits` is the check digit of the rest.
    public static func isValid<C: BidirectionalCollection>(_ digits: C) -> Bool where C.Element == UInt8 {
        guard let last = digits.last, digits.count >= 2 else { return false }
        guard let cd = compute(digits.dropLast()) else { return false }
        return Int(last) - 48 == Int(cd)
    }
}

/// Parses `count` ASCII digits into an integer. Nil on a non-digit.
@inline(__always) @usableFromInline
func parseDigits<C: Collection>(_ s: C) -> UInt64? where C.Element == UInt8 {
    var v: UInt64 = 0
    for c in s {
        let d = c &- 48
        guard d <= 9 else { return nil }
        v = v &* 10 &+ UInt64(d)
    }
    return v
}

@usableFromInline
func zeroPadded(_ value: UInt64, width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// A GS1 key of a fixed number of digits ending in a mod-10 check digit,
/// held as its number. GTIN, SSCC and GLN differ only in the digit counts
/// they accept and print; the rest is written once, here.
public protocol GS1NumericKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The digit counts accepted as text (a GTIN may come as 8, 12, 13 or 14).
    static var acceptedLengths: [Int] { get }
    /// The digit count it is printed with, zero-padded.
    static var width: Int { get }
    var value: UInt64 { get }
    /// From a number whose text `init?(_:)` already validated.
    init(checkedValue: UInt64)
}

extension GS1NumericKey {
    /// Accepts `acceptedLengths` digits with a valid check digit. Inlinable
    /// so a caller in another module gets it specialised for its key type,
    /// as fast as the per-type initialisers this replaced (scans decode here).
    @inlinable
    public init?(_ text: some StringProtocol) {
        let u = Array(text.utf8)
        guard Self.acceptedLengths.contains(u.count), GS1CheckDigit.isValid(u), let v = parseDigits(u) else { return nil }
        self.init(checkedValue: v)
    }
    public var digits: String { zeroPadded(value, width: Self.width) }
    public var description: String { digits }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}

/// Global Trade Item Number, normalised to 14 digits (GTIN-8/12/13 are zero-padded).
public struct GTIN: GS1NumericKey {
    public static let acceptedLengths = [8, 12, 13, 14]
    public static let width = 14
    public let value: UInt64
    public init(checkedValue: UInt64) { value = checkedValue }
}

/// Serial Shipping Container Code, 18 digits.
public struct SSCC: GS1NumericKey {
    public static let acceptedLengths = [18]
    public static let width = 18
    public let value: UInt64
    public init(checkedValue: UInt64) { value = checkedValue }
}

/// Global Location Number, 13 digits.
public struct GLN: GS1NumericKey {
    public static let acceptedLengths = [13]
    public static let width = 13
    public let value: UInt64
    public init(checkedValue: UInt64) { value = checkedValue }
}
