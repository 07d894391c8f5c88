/// Guesses the protocol family from the first bytes a device sent, in the
/// spirit of gpsd's packet sniffer. Explicit configuration always wins; this
/// is for `scanledger capture`/`replay` without `--driver` and for
/// suggesting a driver in logs.
public enum DriverSniffer {
    /// "ssi" when two Zebra SSI decoder packets with good checksums are
    /// present (or the bytes are exactly one),
    /// "mercury" when a frame with a valid Mercury CRC is present, "llrp"
    /// when the stream starts with two well-formed reader→client LLRP
    /// messages (or is exactly one), "evdev" when at least 3 in 4 24-byte
    /// records look like key/sync/misc input_events, "hidpos" for whole 64-byte reports that
    /// are mostly scanned-data reports, "tsl" when ASCII 2.0 reply lines
    /// (`XX: `/`XX:`) dominate, "line" for other printable text lines, nil
    /// when there is too little to tell.
    public static func guess(_ bytes: [UInt8]) -> String? {
        if containsMercuryFrame(bytes) { return "mercury" }
        if startsWithLLRP(bytes) { return "llrp" }
        if looksLikeEvdev(bytes) { return "evdev" }
        if looksLikeHIDPOS(bytes) { return "hidpos" }
        if containsSSIPackets(bytes) { return "ssi" }
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

    static func containsSSIPackets(_ b: [UInt8]) -> Bool {
        var framer = SSIFramer()
        var packets = 0, packetBytes = 0
        b.withUnsafeBytes { all in
            framer.feed(all) { piece in
                if case .packet(let p, _) = piece { packets += 1; packetBytes += p.count + 2 }
            }
        }
        return packets >= 2 || (packets == 1 && packetBytes == b.count)
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

    static func startsWithLLRP(_ b: [UInt8]) -> Bool {
        func messageLength(at i: Int) -> Int? {
            guard i + LLRPDecoder.headerSize <= b.count, b[i] >> 2 == 1 || b[i] >> 2 == 2 else { return nil }
            let type = UInt16(b[i] & 3) << 8 | UInt16(b[i + 1])
            let length = Int(b[i + 2]) << 24 | Int(b[i + 3]) << 16 | Int(b[i + 4]) << 8 | Int(b[i + 5])
            guard LLRPMessageType.isReaderToClient(type), length >= LLRPDecoder.headerSize, length <= 1 << 20 else { return nil }
            return length
        }
        guard let first = messageLength(at: 0), first <= b.count else { return false }
        return first == b.count || messageLength(at: first) != nil
    }

    static func looksLikeEvdev(_ b: [UInt8]) -> Bool {
        let size = EvdevDecoder.recordSize
        let records = min(b.count / size, 256)
        guard records >= 2 else { return false }
        var plausible = 0, keys = 0
        for r in 0..<records {
            let i = r * size
            let type = UInt16(b[i + 16]) | UInt16(b[i + 17]) << 8
            let valueHigh = b[i + 21] | b[i + 22] | b[i + 23]
            // EV_SYN, EV_KEY (value 0/1/2), EV_MSC (scan codes: any value).
            if type == 0 || type == 4 { plausible += 1 }
            if type == 1 && valueHigh == 0 && b[i + 20] <= 2 { plausible += 1; keys += 1 }
        }
        // A noisy capture may carry a damaged record; text or reports will
        // not fit at all. A keyboard sends keys: NULs alone (a serial line
        // read at the wrong speed) are all-zero "sync records", not evdev.
        return keys > 0 && plausible * 4 >= records * 3
    }

    static func looksLikeHIDPOS(_ b: [UInt8]) -> Bool {
        let size = HIDPOSDecoder.reportSize
        guard b.count >= size, b.count % size == 0 else { return false }
        let reports = b.count / size
        let scans = stride(from: 0, to: b.count, by: size).filter { b[$0] == HIDPOSDecoder.scannedDataReportID }.count
        return scans * 2 > reports
    }
}
