/// RFC 8259 string escapes, shared by the kernel reader and the forwarder's
/// fast payload reader so the two cannot drift apart on what `\n` means.
public enum JSONEscapes {
    /// The byte a two-character escape `\x` stands for (`x` one of `"\/bfnrt`), else nil.
    @inlinable public static func byte(forShortEscape letter: UInt8) -> UInt8? {
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return letter
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        default: return nil
        }
    }

    /// The value of one hex digit of a `\uXXXX` escape, either case.
    @inlinable public static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    public static let highSurrogates: Range<UInt32> = 0xD800..<0xDC00
    public static let lowSurrogates: Range<UInt32> = 0xDC00..<0xE000

    /// The scalar a UTF-16 surrogate pair encodes.
    @inlinable public static func scalar(high: UInt32, low: UInt32) -> UInt32 {
        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
    }
}
