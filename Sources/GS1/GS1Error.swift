/// Why a scan or element string could not be decoded. `ai` names the
/// Application Identifier involved and `offset` the byte position in the
/// input (after any AIM prefix is counted) where the problem starts, so an
/// operator can find it in the scanner log.
public struct GS1Error: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case empty                 // nothing to decode
        case malformedAI           // "(1A)", a non-digit where an AI must start
        case unknownAI             // an AI not in the GS1 General Specifications
        case valueTooShort
        case valueTooLong
        case invalidCharacter      // outside the AI's character set
        case lintFailure           // check digit, date, country code, …
        case missingAssociation    // requires another AI that is absent
        case exclusiveAIs          // two AIs that may not appear together
        case conflictingRepeat     // the same AI twice with different values
        case digitalLink           // URI structure problems
        case eanUPC                // wrong length or check digit of EAN/UPC data
        case symbology             // AIM identifier and content disagree
    }

    public let kind: Kind
    public let ai: String?
    public let offset: Int?
    /// One sentence a person can act on, naming the AI and the problem.
    public let message: String

    public init(_ kind: Kind, ai: String? = nil, offset: Int? = nil, _ message: String) {
        self.kind = kind; self.ai = ai; self.offset = offset; self.message = message
    }

    public var description: String {
        offset.map { "\(message) (at byte \($0))" } ?? message
    }

    /// The same error with its offset moved by `delta` (used when a payload
    /// was decoded after an AIM prefix or inside a URI).
    public func shifted(by delta: Int) -> GS1Error {
        GS1Error(kind, ai: ai, offset: offset.map { $0 + delta }, message)
    }
}
