import ScanModel

// TODO(lead): delete this file when merging the EPC helper's branch, which
// provides the real EPCDecoder, DecodedEPC and EPCError with these shapes.

public struct DecodedEPC: Sendable {
    public var scheme: String
    public var filter: Int?
    public var pureURI: String
    public var tagURI: String
    public var elementString: String?
}

public struct EPCError: Error, Sendable {
    public var message: String
}

public enum EPCDecoder {
    public static func decode(_ epc: EPC) -> Result<DecodedEPC, EPCError> {
        .failure(EPCError(message: "EPC decoding is not available in this build"))
    }
}
