/// ThingMagic/Jadak Mercury serial protocol: framing, CRC, commands.
/// Frame: `FF LEN OP [STATUS(2) in replies] DATA(LEN) CRC(2)`, CRC
/// big-endian over LEN..DATA. See docs/devices.md for the sources.
public enum MercuryProtocol {
    public static let startOfFrame: UInt8 = 0xFF
    /// Largest LEN a reader sends (the reader's 256-byte packet minus framing).
    public static let maxDataLength = 0xF8

    public enum Opcode {
        public static let version: UInt8 = 0x03
        public static let readTagIDMultiple: UInt8 = 0x22
        public static let multiProtocolTagOp: UInt8 = 0x2F
        public static let setTagProtocol: UInt8 = 0x93
        public static let setReaderOptionalParams: UInt8 = 0x9A
        public static let setUserGPIOOutputs: UInt8 = 0x96
    }

    public enum Status {
        public static let ok: UInt16 = 0x0000
        /// "No tags found": sent about once a second while streaming, as a keepalive.
        public static let noTagsFound: UInt16 = 0x0400
        /// The module throttles because it is too hot.
        public static let temperatureThrottle: UInt16 = 0x0504
    }

    /// Metadata flags (MercuryAPI TMR_TRD_METADATA_FLAG_*), in the order
    /// their fields appear in a tag record.
    public struct Metadata: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let readCount = Metadata(rawValue: 0x0001)
        public static let rssi = Metadata(rawValue: 0x0002)
        public static let antenna = Metadata(rawValue: 0x0004)
        public static let frequency = Metadata(rawValue: 0x0008)
        public static let timestamp = Metadata(rawValue: 0x0010)
        public static let phase = Metadata(rawValue: 0x0020)
        public static let protocolID = Metadata(rawValue: 0x0040)
        public static let data = Metadata(rawValue: 0x0080)
        public static let gpio = Metadata(rawValue: 0x0100)
        /// What the driver asks for by default.
        public static let standard: Metadata = [.readCount, .rssi, .antenna, .frequency, .timestamp, .protocolID]

        /// Bytes of the fixed-size fields in front of the (variable) data
        /// field: what one bounds check covers before a record is read.
        public var fixedFieldBytes: Int {
            var n = 0
            if contains(.readCount) { n += 1 }
            if contains(.rssi) { n += 1 }
            if contains(.antenna) { n += 1 }
            if contains(.frequency) { n += 3 }
            if contains(.timestamp) { n += 4 }
            if contains(.phase) { n += 2 }
            if contains(.protocolID) { n += 1 }
            return n
        }
    }

    /// Byte table for the MercuryAPI CRC: entry h is what shifting the top
    /// byte h out of the register feeds back (eight steps of poly 0x1021).
    /// MercuryAPI itself uses the equivalent nibble table, two steps per byte.
    static let crcTable: [UInt16] = (0..<256).map { (h: Int) -> UInt16 in
        var c = UInt16(h) << 8
        for _ in 0..<8 { c = (c & 0x8000) != 0 ? (c << 1) ^ 0x1021 : c << 1 }
        return c
    }

    /// The MercuryAPI message CRC (init 0xFFFF; data shifted in at the low
    /// end, so not CRC-16/CCITT-FALSE, though it looks close).
    @inline(__always)
    public static func crc(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        var c: UInt16 = 0xFFFF
        crcTable.withUnsafeBufferPointer { t in
            for b in bytes {
                c = ((c << 8) | UInt16(b)) ^ t[Int(c >> 8)]
            }
        }
        return c
    }

    public static func crc(_ bytes: [UInt8]) -> UInt16 { bytes.withUnsafeBytes { crc($0) } }

    /// A host→reader command frame: FF LEN OP DATA CRC.
    public static func command(_ opcode: UInt8, _ data: [UInt8] = []) -> [UInt8] {
        precondition(data.count <= maxDataLength, "Mercury command data too long")
        var frame: [UInt8] = [startOfFrame, UInt8(data.count), opcode] + data
        let c = crc(Array(frame[1...]))
        frame.append(UInt8(c >> 8)); frame.append(UInt8(c & 0xFF))
        return frame
    }

    /// A reader→host reply frame: FF LEN OP STATUS DATA CRC (used by tests
    /// and the simulated reader in benchmarks).
    public static func reply(_ opcode: UInt8, status: UInt16 = 0, _ data: [UInt8] = []) -> [UInt8] {
        var frame: [UInt8] = [startOfFrame, UInt8(truncatingIfNeeded: data.count), opcode,
                              UInt8(status >> 8), UInt8(status & 0xFF)] + data
        let c = crc(Array(frame[1...]))
        frame.append(UInt8(c >> 8)); frame.append(UInt8(c & 0xFF))
        return frame
    }

    /// Start continuous reading (0x2F, option 1) with an embedded Read Tag
    /// ID Multiple (0x22) asking for `metadata` in every tag record.
    public static func startContinuousRead(metadata: Metadata, cycleMilliseconds: UInt16 = 1000) -> [UInt8] {
        let flags = metadata.rawValue
        return command(Opcode.multiProtocolTagOp, [
            0x00, 0x00,             // timeout: 0 = run until stopped
            0x01,                   // option: continuous read
            Opcode.readTagIDMultiple,
            0x00, 0x00,             // search flags
            0x05,                   // protocol: Gen2
            0x07,                   // length of the embedded command
            Opcode.readTagIDMultiple,
            0x10,                   // option: metadata follows
            0x00, 0x1B,             // search flags: large tag population, streaming
            UInt8(cycleMilliseconds >> 8), UInt8(cycleMilliseconds & 0xFF),
            UInt8(flags >> 8), UInt8(flags & 0xFF),
        ])
    }

    public static let stopContinuousRead: [UInt8] = command(Opcode.multiProtocolTagOp, [0x00, 0x00, 0x02])

    /// Bytes on the wire for one streamed tag record with `metadata` and a
    /// 96-bit EPC: used for the baud-rate check.
    public static func tagRecordBytes(metadata: Metadata, epcBytes: Int = 12) -> Int {
        var n = 5 + 6 + 2                // FF LEN OP STATUS + option/flags/type + CRC
        n += metadata.fixedFieldBytes
        if metadata.contains(.data) { n += 2 }
        if metadata.contains(.gpio) { n += 1 }
        return n + 2 + 2 + epcBytes + 2  // EPC length, PC, EPC, tag CRC
    }
}
