/// Guesses the protocol family from the first bytes a device sent, in the
/// spirit of gpsd's packet sniffer. Explicit configuration always wins; this
/// is for `scanledger capture`/`replay` without `--driver` and for
/// suggesting a driver in logs.
public enum DriverSniffer {
    /// "mercury" when a frame with a valid Mercury CRC is present, "tsl" when
    /// ASCII 2.0 reply lines (`XX: `/`XX:`) dominate, "line" for other
    /// printable text lines, nil when there is too little to tell.
    public static func guess(_ bytes: [UInt8]) -> String? {
        if containsMercuryFrame(bytes) { return "mercury" }
        let lines = bytes.split(whereSeparator: { $0 == 0x0D || $0 == 0x0A }).filter { !$0.isEmpty }
        guard !lines.isEmpty else { return nil }
        let replies = lines.filter { l in
            let s = l.startIndex
            return l.count >= 3 && (0x41...0x5A).contains(l[s]) && (0x41...0x5A).contains(l[s + 1]) && l[s + 2] == 0x3A
        }
        if replies.count * 2 > lines.count { return "tsl" }
        let printable = lines.filter { $0.allSatisfy { !isNoiseByte($0) || $0 == 0x02 || $0 == 0x03 } }  // STX/ETX framing
        return printable.count * 2 > lines.count ? "line" : nil
    }

    static func containsMercuryFrame(_ b: [UInt8]) -> Bool {
        var i = 0
        while i + 7 <= b.count {
            if b[i] == MercuryProtocol.startOfFrame, Int(b[i + 1]) <= MercuryProtocol.maxDataLength {
                let total = Int(b[i + 1]) + 7
                if i + total <= b.count {
                    let crc = MercuryProtocol.crc(Array(b[(i + 1)..<(i + total - 2)]))
                    if UInt16(b[i + total - 2]) << 8 | UInt16(b[i + total - 1]) == crc { return true }
                }
            }
            i += 1
        }
        return false
    }
}
