/// Key code → character tables for keyboard-wedge scanners. A scanner types
/// by key position for the keyboard country it is set to, so the host must
/// translate with the same layout. Levels: plain, Shift, AltGr.
/// Key codes are Linux `KEY_*` values (input-event-codes.h). Dead keys
/// (´ ` ^ on German/French) yield their own character: scanners send them
/// without a following letter.
public struct EvdevLayout: Sendable {
    public let name: String
    var plain: [Unicode.Scalar?]
    var shifted: [Unicode.Scalar?]
    var altGr: [Unicode.Scalar?]

    static let tableSize = 128

    init(name: String, rows: [(first: UInt16, plain: String, shifted: String)], altGr: [UInt16: Unicode.Scalar]) {
        self.name = name
        plain = Array(repeating: nil, count: EvdevLayout.tableSize)
        shifted = plain
        self.altGr = plain
        for row in rows {
            for (i, s) in row.plain.unicodeScalars.enumerated() where s != "\u{0}" { plain[Int(row.first) + i] = s }
            for (i, s) in row.shifted.unicodeScalars.enumerated() where s != "\u{0}" { shifted[Int(row.first) + i] = s }
        }
        for (code, s) in altGr { self.altGr[Int(code)] = s }
        // Layout-independent keys: space and the numeric keypad (NumLock on).
        plain[57] = " "; shifted[57] = " "
        let keypad: [(UInt16, Unicode.Scalar)] = [(71, "7"), (72, "8"), (73, "9"), (74, "-"), (75, "4"), (76, "5"), (77, "6"),
                                                  (78, "+"), (79, "1"), (80, "2"), (81, "3"), (82, "0"), (83, "."), (98, "/"), (55, "*")]
        for (code, s) in keypad { plain[Int(code)] = s; shifted[Int(code)] = s }
    }

    public func character(code: UInt16, shift: Bool, altGr useAltGr: Bool) -> Unicode.Scalar? {
        let i = Int(code)
        guard i < EvdevLayout.tableSize else { return nil }
        if useAltGr { return altGr[i] }
        return shift ? shifted[i] : plain[i]
    }

    /// True when the key at `code` types `c` on any level (for Ctrl+] → GS).
    func keyTypes(_ c: Unicode.Scalar, code: UInt16) -> Bool {
        let i = Int(code)
        guard i < EvdevLayout.tableSize else { return false }
        return plain[i] == c || shifted[i] == c || altGr[i] == c
    }

    public static func named(_ name: String) -> EvdevLayout? {
        switch name.lowercased() {
        case "us", "en-us": return .us
        case "de", "de-de", "german": return .german
        case "fr", "fr-fr", "french": return .french
        default: return nil
        }
    }

    public static let us = EvdevLayout(name: "us", rows: [
        (2, "1234567890-=", "!@#$%^&*()_+"),
        (16, "qwertyuiop[]", "QWERTYUIOP{}"),
        (30, "asdfghjkl;'`", "ASDFGHJKL:\"~"),
        (43, "\\zxcvbnm,./", "|ZXCVBNM<>?"),
        (86, "\\", "|"),
    ], altGr: [:])

    public static let german = EvdevLayout(name: "de", rows: [
        (2, "1234567890ß´", "!\"§$%&/()=?`"),
        (16, "qwertzuiopü+", "QWERTZUIOPÜ*"),
        (30, "asdfghjklöä^", "ASDFGHJKLÖÄ°"),
        (43, "#yxcvbnm,.-", "'YXCVBNM;:_"),
        (86, "<", ">"),
    ], altGr: [3: "²", 4: "³", 8: "{", 9: "[", 10: "]", 11: "}", 12: "\\", 16: "@", 18: "€", 27: "~", 50: "µ", 86: "|"])

    public static let french = EvdevLayout(name: "fr", rows: [
        (2, "&é\"'(-è_çà)=", "1234567890°+"),
        (16, "azertyuiop^$", "AZERTYUIOP¨£"),
        (30, "qsdfghjklmù²", "QSDFGHJKLM%\u{0}"),
        (43, "*wxcvbn,;:!", "µWXCVBN?./§"),
        (86, "<", ">"),
    ], altGr: [3: "~", 4: "#", 5: "{", 6: "[", 7: "|", 8: "`", 9: "\\", 10: "^", 11: "@", 12: "]", 13: "}", 18: "€", 27: "¤"])
}
