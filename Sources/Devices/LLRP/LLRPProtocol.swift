// LLRP 1.0.1 / 1.1 wire constants (EPCglobal LLRP, sections 16–17). Only the
// messages and parameters ScanLedger sends or interprets are named; anything
// else is skipped by its length (TLV) or refused by type (unknown TV).

/// LLRP message types (10 bits).
public enum LLRPMessageType {
    public static let getReaderCapabilities: UInt16 = 1
    public static let getReaderConfig: UInt16 = 2
    public static let setReaderConfig: UInt16 = 3
    public static let closeConnectionResponse: UInt16 = 4
    public static let getReaderCapabilitiesResponse: UInt16 = 11
    public static let getReaderConfigResponse: UInt16 = 12
    public static let setReaderConfigResponse: UInt16 = 13
    public static let closeConnection: UInt16 = 14
    public static let addROSpec: UInt16 = 20
    public static let deleteROSpec: UInt16 = 21
    public static let startROSpec: UInt16 = 22
    public static let stopROSpec: UInt16 = 23
    public static let enableROSpec: UInt16 = 24
    public static let disableROSpec: UInt16 = 25
    public static let getROSpecs: UInt16 = 26
    public static let addROSpecResponse: UInt16 = 30
    public static let deleteROSpecResponse: UInt16 = 31
    public static let startROSpecResponse: UInt16 = 32
    public static let stopROSpecResponse: UInt16 = 33
    public static let enableROSpecResponse: UInt16 = 34
    public static let disableROSpecResponse: UInt16 = 35
    public static let getROSpecsResponse: UInt16 = 36
    public static let addAccessSpec: UInt16 = 40
    public static let deleteAccessSpec: UInt16 = 41
    public static let enableAccessSpec: UInt16 = 42
    public static let disableAccessSpec: UInt16 = 43
    public static let getAccessSpecs: UInt16 = 44
    public static let addAccessSpecResponse: UInt16 = 50
    public static let deleteAccessSpecResponse: UInt16 = 51
    public static let enableAccessSpecResponse: UInt16 = 52
    public static let disableAccessSpecResponse: UInt16 = 53
    public static let getAccessSpecsResponse: UInt16 = 54
    public static let getReport: UInt16 = 60
    public static let roAccessReport: UInt16 = 61
    public static let keepalive: UInt16 = 62
    public static let readerEventNotification: UInt16 = 63
    public static let enableEventsAndReports: UInt16 = 64
    public static let keepaliveAck: UInt16 = 72
    public static let errorMessage: UInt16 = 100
    public static let customMessage: UInt16 = 1023

    /// Messages a reader sends to a client. A header naming any other type
    /// is taken as garbage while resynchronising after a framing error.
    public static func isReaderToClient(_ t: UInt16) -> Bool {
        switch t {
        case 4, 11, 12, 13, 30...36, 50...54, 61, 62, 63, 100, 1023: return true
        default: return false
        }
    }

    public static func name(_ t: UInt16) -> String {
        switch t {
        case 1: return "GET_READER_CAPABILITIES"
        case 2: return "GET_READER_CONFIG"
        case 3: return "SET_READER_CONFIG"
        case 4: return "CLOSE_CONNECTION_RESPONSE"
        case 11: return "GET_READER_CAPABILITIES_RESPONSE"
        case 12: return "GET_READER_CONFIG_RESPONSE"
        case 13: return "SET_READER_CONFIG_RESPONSE"
        case 14: return "CLOSE_CONNECTION"
        case 20: return "ADD_ROSPEC"
        case 21: return "DELETE_ROSPEC"
        case 22: return "START_ROSPEC"
        case 23: return "STOP_ROSPEC"
        case 24: return "ENABLE_ROSPEC"
        case 25: return "DISABLE_ROSPEC"
        case 26: return "GET_ROSPECS"
        case 30: return "ADD_ROSPEC_RESPONSE"
        case 31: return "DELETE_ROSPEC_RESPONSE"
        case 32: return "START_ROSPEC_RESPONSE"
        case 33: return "STOP_ROSPEC_RESPONSE"
        case 34: return "ENABLE_ROSPEC_RESPONSE"
        case 35: return "DISABLE_ROSPEC_RESPONSE"
        case 36: return "GET_ROSPECS_RESPONSE"
        case 40: return "ADD_ACCESSSPEC"
        case 41: return "DELETE_ACCESSSPEC"
        case 51: return "DELETE_ACCESSSPEC_RESPONSE"
        case 61: return "RO_ACCESS_REPORT"
        case 62: return "KEEPALIVE"
        case 63: return "READER_EVENT_NOTIFICATION"
        case 72: return "KEEPALIVE_ACK"
        case 100: return "ERROR_MESSAGE"
        case 1023: return "CUSTOM_MESSAGE"
        default: return "MESSAGE_\(t)"
        }
    }
}

/// LLRP parameter types. Types 1–127 are TV (fixed length, no length field);
/// 128–1023 are TLV.
public enum LLRPParameterType {
    // TV
    public static let antennaID: UInt16 = 1
    public static let firstSeenUTC: UInt16 = 2
    public static let firstSeenUptime: UInt16 = 3
    public static let lastSeenUTC: UInt16 = 4
    public static let lastSeenUptime: UInt16 = 5
    public static let peakRSSI: UInt16 = 6
    public static let channelIndex: UInt16 = 7
    public static let tagSeenCount: UInt16 = 8
    public static let roSpecID: UInt16 = 9
    public static let epc96: UInt16 = 13
    // TLV
    public static let utcTimestamp: UInt16 = 128
    public static let uptime: UInt16 = 129
    public static let roSpec: UInt16 = 177
    public static let roBoundarySpec: UInt16 = 178
    public static let roSpecStartTrigger: UInt16 = 179
    public static let roSpecStopTrigger: UInt16 = 182
    public static let aiSpec: UInt16 = 183
    public static let aiSpecStopTrigger: UInt16 = 184
    public static let inventoryParameterSpec: UInt16 = 186
    public static let gpoWriteData: UInt16 = 219
    public static let keepaliveSpec: UInt16 = 220
    public static let antennaConfiguration: UInt16 = 222
    public static let gpiPortCurrentState: UInt16 = 225
    public static let roReportSpec: UInt16 = 237
    public static let tagReportContentSelector: UInt16 = 238
    public static let tagReportData: UInt16 = 240
    public static let epcData: UInt16 = 241
    public static let readerEventNotificationSpec: UInt16 = 244
    public static let eventNotificationState: UInt16 = 245
    public static let readerEventNotificationData: UInt16 = 246
    public static let gpiEvent: UInt16 = 248
    public static let roSpecEvent: UInt16 = 249
    public static let readerExceptionEvent: UInt16 = 252
    public static let antennaEvent: UInt16 = 255
    public static let connectionAttemptEvent: UInt16 = 256
    public static let connectionCloseEvent: UInt16 = 257
    public static let llrpStatus: UInt16 = 287
    public static let c1g2InventoryCommand: UInt16 = 330
    public static let c1g2RFControl: UInt16 = 335
    public static let c1g2SingulationControl: UInt16 = 336
    public static let c1g2StateAwareSingulationAction: UInt16 = 337
    public static let custom: UInt16 = 1023

    /// Total encoded size (type byte included) of each TV parameter, from the
    /// LLRP 1.1 parameter tables. 0 = unknown: a TV parameter carries no
    /// length, so an unknown one cannot be skipped and ends the enclosing
    /// parameter list.
    @inline(__always)
    static func tvSize(_ type: UInt8) -> Int {
        switch type {
        case 1: return 3      // AntennaID
        case 2, 3, 4, 5: return 9 // First/LastSeen UTC/Uptime
        case 6: return 2      // PeakRSSI
        case 7, 8: return 3   // ChannelIndex, TagSeenCount
        case 9: return 5      // ROSpecID
        case 10: return 3     // InventoryParameterSpecID
        case 11, 12: return 3 // C1G2_CRC, C1G2_PC
        case 13: return 13    // EPC-96
        case 14, 15: return 3 // SpecIndex, ClientRequestOpSpecResult
        case 16: return 5     // AccessSpecID
        case 17: return 3     // OpSpecID
        case 18: return 5     // C1G2SingulationDetails
        case 19, 20: return 3 // C1G2 XPC-W1, XPC-W2
        default: return 0
        }
    }
}

/// LLRPStatus codes (LLRP 1.1 §14.2.2).
public enum LLRPStatusCode {
    public static let success: UInt16 = 0
    public static func name(_ code: UInt16) -> String {
        switch code {
        case 0: return "M_Success"
        case 100: return "M_ParameterError"
        case 101: return "M_FieldError"
        case 102: return "M_UnexpectedParameter"
        case 103: return "M_MissingParameter"
        case 104: return "M_DuplicateParameter"
        case 105: return "M_OverflowParameter"
        case 106: return "M_OverflowField"
        case 107: return "M_UnknownParameter"
        case 108: return "M_UnknownField"
        case 109: return "M_UnsupportedMessage"
        case 110: return "M_UnsupportedVersion"
        case 111: return "M_UnsupportedParameter"
        case 200...209: return "P_Error_\(code)"
        case 300: return "A_Invalid"
        case 301: return "A_OutOfRange"
        case 401: return "R_DeviceError"
        default: return "Status_\(code)"
        }
    }
}

/// ConnectionAttemptEvent status (LLRP 1.1 §13.2.6.12).
public enum LLRPConnectionAttemptStatus: Hashable, Sendable {
    case success
    case readerInitiatedConnectionExists
    case clientInitiatedConnectionExists
    case failedOther
    case anotherConnectionAttempted
    case unknown(UInt16)

    public init(code: UInt16) {
        switch code {
        case 0: self = .success
        case 1: self = .readerInitiatedConnectionExists
        case 2: self = .clientInitiatedConnectionExists
        case 3: self = .failedOther
        case 4: self = .anotherConnectionAttempted
        default: self = .unknown(code)
        }
    }

    public var name: String {
        switch self {
        case .success: return "success"
        case .readerInitiatedConnectionExists: return "reader-initiated-connection-exists"
        case .clientInitiatedConnectionExists: return "client-initiated-connection-exists"
        case .failedOther: return "failed-other"
        case .anotherConnectionAttempted: return "another-connection-attempted"
        case .unknown(let c): return "unknown-\(c)"
        }
    }
}
