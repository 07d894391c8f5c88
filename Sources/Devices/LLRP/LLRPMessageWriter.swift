/// Builds LLRP messages big-endian into a byte array; TLV lengths are
/// patched when the parameter closes, so nesting is written in order.
public struct LLRPMessageWriter {
    public private(set) var bytes: [UInt8] = []
    /// LLRP version written in headers: 1 = LLRP 1.0.1 (what every reader accepts).
    public static let version: UInt8 = 1

    public init(type: UInt16, messageID: UInt32) {
        bytes.reserveCapacity(64)
        u8(LLRPMessageWriter.version << 2 | UInt8(truncatingIfNeeded: type >> 8) & 3)
        u8(UInt8(truncatingIfNeeded: type))
        u32(0) // length, patched by `finish()`
        u32(messageID)
    }

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(truncatingIfNeeded: v)) }
    public mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(truncatingIfNeeded: v)) }
    public mutating func u64(_ v: UInt64) { u32(UInt32(v >> 32)); u32(UInt32(truncatingIfNeeded: v)) }

    /// Writes a TLV parameter: type, length (patched), then `body`.
    public mutating func tlv(_ type: UInt16, _ body: (inout LLRPMessageWriter) -> Void) {
        let start = bytes.count
        u16(type & 0x3FF)
        u16(0)
        body(&self)
        let length = bytes.count - start
        bytes[start + 2] = UInt8(truncatingIfNeeded: length >> 8)
        bytes[start + 3] = UInt8(truncatingIfNeeded: length)
    }

    /// Patches the message length and returns the bytes.
    public mutating func finish() -> [UInt8] {
        let n = UInt32(truncatingIfNeeded: bytes.count)
        bytes[2] = UInt8(n >> 24); bytes[3] = UInt8(truncatingIfNeeded: n >> 16)
        bytes[4] = UInt8(truncatingIfNeeded: n >> 8); bytes[5] = UInt8(truncatingIfNeeded: n)
        return bytes
    }
}

/// The client→reader messages ScanLedger sends. Each returns the full
/// encoded message; `messageID` lets the caller match the response.
public enum LLRPClientMessage {
    private static func simple(_ type: UInt16, _ id: UInt32, _ body: (inout LLRPMessageWriter) -> Void = { _ in }) -> [UInt8] {
        var w = LLRPMessageWriter(type: type, messageID: id)
        body(&w)
        return w.finish()
    }

    /// GET_READER_CAPABILITIES, RequestedData 0 = all.
    public static func getReaderCapabilities(messageID: UInt32, requestedData: UInt8 = 0) -> [UInt8] {
        simple(LLRPMessageType.getReaderCapabilities, messageID) { $0.u8(requestedData) }
    }

    /// SET_READER_CONFIG forcing a periodic KEEPALIVE (so both ends notice a
    /// dead link) and the event notifications the driver acts on.
    public static func setReaderConfig(messageID: UInt32, keepaliveMilliseconds: UInt32,
                                       events: [(type: UInt16, enabled: Bool)] = LLRPReaderConfig.defaultEventNotifications,
                                       resetToFactoryDefault: Bool = false) -> [UInt8] {
        simple(LLRPMessageType.setReaderConfig, messageID) { w in
            w.u8(resetToFactoryDefault ? 0x80 : 0)
            if !events.isEmpty {
                w.tlv(LLRPParameterType.readerEventNotificationSpec) { w in
                    for e in events {
                        w.tlv(LLRPParameterType.eventNotificationState) { w in
                            w.u16(e.type)
                            w.u8(e.enabled ? 0x80 : 0)
                        }
                    }
                }
            }
            w.tlv(LLRPParameterType.keepaliveSpec) { w in
                w.u8(keepaliveMilliseconds > 0 ? 1 : 0) // 1 = Periodic
                w.u32(keepaliveMilliseconds)
            }
        }
    }

    /// SET_READER_CONFIG that only drives general-purpose outputs (operator
    /// feedback): GPOWriteData (219) is GPOPortNumber u16, then GPOData in
    /// the top bit of one byte (LLRP 1.0.1 §12.2.6.3). Nothing else in the
    /// reader's configuration is touched (ResetToFactoryDefault 0).
    public static func setReaderConfigGPO(messageID: UInt32, writes: [(port: UInt16, high: Bool)]) -> [UInt8] {
        simple(LLRPMessageType.setReaderConfig, messageID) { w in
            w.u8(0)
            for write in writes {
                w.tlv(LLRPParameterType.gpoWriteData) { w in
                    w.u16(write.port)
                    w.u8(write.high ? 0x80 : 0)
                }
            }
        }
    }

    /// DELETE_ROSPEC; ROSpecID 0 deletes every ROSpec on the reader.
    public static func deleteROSpec(messageID: UInt32, roSpecID: UInt32 = 0) -> [UInt8] {
        simple(LLRPMessageType.deleteROSpec, messageID) { $0.u32(roSpecID) }
    }
    /// DELETE_ACCESSSPEC; AccessSpecID 0 deletes every AccessSpec.
    public static func deleteAccessSpec(messageID: UInt32, accessSpecID: UInt32 = 0) -> [UInt8] {
        simple(LLRPMessageType.deleteAccessSpec, messageID) { $0.u32(accessSpecID) }
    }
    public static func enableROSpec(messageID: UInt32, roSpecID: UInt32) -> [UInt8] {
        simple(LLRPMessageType.enableROSpec, messageID) { $0.u32(roSpecID) }
    }
    public static func startROSpec(messageID: UInt32, roSpecID: UInt32) -> [UInt8] {
        simple(LLRPMessageType.startROSpec, messageID) { $0.u32(roSpecID) }
    }
    public static func stopROSpec(messageID: UInt32, roSpecID: UInt32) -> [UInt8] {
        simple(LLRPMessageType.stopROSpec, messageID) { $0.u32(roSpecID) }
    }
    public static func closeConnection(messageID: UInt32) -> [UInt8] {
        simple(LLRPMessageType.closeConnection, messageID)
    }
    /// KEEPALIVE_ACK echoes the KEEPALIVE's message ID.
    public static func keepaliveAck(messageID: UInt32) -> [UInt8] {
        simple(LLRPMessageType.keepaliveAck, messageID)
    }
    /// ADD_ROSPEC built from `config` (see `LLRPReaderConfig.writeROSpec`).
    public static func addROSpec(messageID: UInt32, config: LLRPReaderConfig) -> [UInt8] {
        simple(LLRPMessageType.addROSpec, messageID) { config.writeROSpec(into: &$0) }
    }
}
