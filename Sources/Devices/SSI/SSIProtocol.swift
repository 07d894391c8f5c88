/// Zebra (Symbol) Simple Serial Interface: the binary packets Zebra scanners
/// and scan engines speak on RS-232 and as "SSI over USB CDC". Built from
/// the SSI Programmer's Guide (72E-40451) and the SSI chapters of the
/// SE-923/SE955 integration guides; see docs/devices.md, "Zebra SSI".
///
///     Length  Opcode  Source  Status  Data…  Checksum (2, high byte first)
///
/// `Length` counts every byte but the checksum (so 4 for a packet without
/// data, at most 0xFF); the checksum is the two's complement of the 16-bit
/// sum of those `Length` bytes, so packet plus checksum sums to zero.
public enum SSIProtocol {
    /// Opcodes this driver sends or understands.
    public enum Opcode {
        public static let cmdAck: UInt8 = 0xD0
        public static let cmdNak: UInt8 = 0xD1
        public static let decodeData: UInt8 = 0xF3
        public static let event: UInt8 = 0xF6
        public static let beep: UInt8 = 0xE6
        public static let ledOn: UInt8 = 0xE7
        public static let ledOff: UInt8 = 0xE8
        public static let scanEnable: UInt8 = 0xE9
        public static let scanDisable: UInt8 = 0xEA
        public static let paramSend: UInt8 = 0xC6
        public static let replyRevision: UInt8 = 0xA4
        public static let imageData: UInt8 = 0xB1
        public static let videoData: UInt8 = 0xB4

        /// Names for logs and problem messages.
        public static func name(_ op: UInt8) -> String {
            switch op {
            case cmdAck: return "CMD_ACK"
            case cmdNak: return "CMD_NAK"
            case decodeData: return "DECODE_DATA"
            case event: return "EVENT"
            case beep: return "BEEP"
            case ledOn: return "LED_ON"
            case ledOff: return "LED_OFF"
            case scanEnable: return "SCAN_ENABLE"
            case scanDisable: return "SCAN_DISABLE"
            case paramSend: return "PARAM_SEND"
            case replyRevision: return "REPLY_REVISION"
            case imageData: return "IMAGE_DATA"
            case videoData: return "VIDEO_DATA"
            default: return "opcode 0x\(hex2(op))"
            }
        }
    }

    /// Message Source: who built the packet.
    public static let sourceDecoder: UInt8 = 0x00
    public static let sourceHost: UInt8 = 0x04

    /// Status bits. Bit 0: this is a retransmission; bit 1: more packets of
    /// the same message follow (multipacket decode data); bit 3: a parameter
    /// change is permanent. Bit 2 and bits 4-7 must be zero, which also helps
    /// tell a packet start from line noise.
    public enum Status {
        public static let retransmit: UInt8 = 0x01
        public static let continuation: UInt8 = 0x02
        public static let permanent: UInt8 = 0x08
        public static let reserved: UInt8 = 0xF4
    }

    /// CMD_NAK causes (its one data byte).
    public enum NakCause {
        /// Checksum wrong: send the packet again with the retransmit bit.
        public static let resend: UInt8 = 0x01
        /// The receiver does not know the opcode.
        public static let badContext: UInt8 = 0x02
        /// The receiver cannot comply (a beep code out of range): do not resend.
        public static let denied: UInt8 = 0x06

        public static func name(_ cause: UInt8) -> String {
            switch cause {
            case resend: return "RESEND"
            case badContext: return "BAD_CONTEXT"
            case denied: return "DENIED"
            default: return "cause 0x\(hex2(cause))"
            }
        }
    }

    /// Beep codes from the guide's beep table (BEEP data byte).
    public enum Beep {
        public static let oneShortHigh: UInt8 = 0x00
        public static let threeShortHigh: UInt8 = 0x02
        public static let threeLongLow: UInt8 = 0x11
        public static let highLowHigh: UInt8 = 0x18
    }

    /// LED_ON / LED_OFF data: bit 0 selects the decode (green) LED.
    public static let decodeLED: UInt8 = 0x01

    /// Parameters the host sets with PARAM_SEND (number, value).
    public enum Param {
        /// Decode Data Packet Format: 0x01 = send decodes as DECODE_DATA packets.
        public static let decodeDataPacketFormat: UInt8 = 0xEE
        /// Software Handshaking: 0x01 = ACK/NAK on every packet.
        public static let softwareHandshaking: UInt8 = 0x9F
        /// Transmit Code ID Character: 0x00 = none (the driver prefixes the
        /// AIM identifier itself from the bar code type byte).
        public static let transmitCodeID: UInt8 = 0x2D
    }

    /// PARAM_SEND's first data byte: no beep on this change.
    public static let noBeep: UInt8 = 0xFF

    public static let headerLength = 4
    public static let maxLength = 0xFF

    /// The checksum of `bytes` (Length through the last data byte).
    @inline(__always)
    public static func checksum<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
        var sum: UInt16 = 0
        for b in bytes { sum &+= UInt16(b) }
        return 0 &- sum
    }

    /// A host packet: Length, opcode, source 4, status, data, checksum.
    /// `data` must leave the packet within 0xFF bytes (the callers' are fixed).
    public static func packet(_ opcode: UInt8, status: UInt8 = 0, _ data: [UInt8] = []) -> [UInt8] {
        var p: [UInt8] = [UInt8(truncatingIfNeeded: headerLength + data.count), opcode, sourceHost, status]
        p += data
        let c = checksum(p)
        return p + [UInt8(c >> 8), UInt8(c & 0xFF)]
    }

    /// The same host packet marked as a retransmission (status bit 0 set,
    /// checksum recomputed).
    public static func retransmission(of packet: [UInt8]) -> [UInt8] {
        guard packet.count >= headerLength + 2 else { return packet }
        var p = Array(packet.dropLast(2))
        p[3] |= Status.retransmit
        let c = checksum(p)
        return p + [UInt8(c >> 8), UInt8(c & 0xFF)]
    }

    /// The host's CMD_ACK: 04 D0 04 00 FF 28.
    public static let ack = packet(Opcode.cmdAck)
    public static func nak(_ cause: UInt8) -> [UInt8] { packet(Opcode.cmdNak, [cause]) }
    public static let scanEnable = packet(Opcode.scanEnable)
    public static let scanDisable = packet(Opcode.scanDisable)
    public static func beep(_ code: UInt8) -> [UInt8] { packet(Opcode.beep, [code]) }
    public static let ledOn = packet(Opcode.ledOn, [decodeLED])
    public static let ledOff = packet(Opcode.ledOff, [decodeLED])

    /// PARAM_SEND, temporary change (status bit 3 clear): the driver sends it
    /// on every connect, so nothing needs to survive a power cycle and the
    /// scanner's flash is not rewritten each time.
    public static func paramSend(_ pairs: [(UInt8, UInt8)]) -> [UInt8] {
        packet(Opcode.paramSend, [noBeep] + pairs.flatMap { [$0.0, $0.1] })
    }

    /// What the host asks for on connect: packeted decode data, ACK/NAK
    /// handshaking on, no code ID character in the data.
    public static let hostParameters = paramSend([(Param.decodeDataPacketFormat, 0x01),
                                                  (Param.softwareHandshaking, 0x01),
                                                  (Param.transmitCodeID, 0x00)])

    /// Whether `length` and `opcode` can start a packet from the decoder.
    /// The framer only takes candidates that pass, so the inside of a
    /// damaged packet (its opcode 0xF3 read as a Length, say) or line noise
    /// is not mistaken for a packet start and does not hold up the real
    /// packets behind it. ACK is always 4 bytes, NAK and EVENT 5.
    @inline(__always)
    public static func plausibleDecoderPacket(length: Int, opcode: UInt8) -> Bool {
        switch opcode {
        case Opcode.cmdAck: return length == headerLength
        case Opcode.cmdNak, Opcode.event: return length == headerLength + 1
        case Opcode.decodeData: return length > headerLength
        case Opcode.replyRevision, Opcode.paramSend, Opcode.imageData, Opcode.videoData: return true
        default: return false
        }
    }

    /// Decoder packets that want the host's CMD_ACK: unsolicited data and
    /// events. ACK and NAK are never acknowledged, and answers to a host
    /// request (REPLY_REVISION, PARAM_SEND) are the acknowledgement themselves.
    public static func needsAck(_ opcode: UInt8) -> Bool {
        opcode == Opcode.decodeData || opcode == Opcode.event
    }
}
