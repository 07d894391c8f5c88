/// Carrier tracking numbers on shipping labels (issue 16, the ship
/// station's carrier label): recognised by their published shape and
/// validated by their check rules, so a mistyped or misread label is caught
/// at the station rather than at the carrier's depot.
///
/// Formats, check rules and most test vectors follow the public data set
/// github:jkeen/tracking_number_data (couriers/ups.json, fedex.json,
/// usps.json and CHECKSUM_ALGORITHMS.md); the code here is written from
/// those descriptions, not copied. docs/decoding.md lists each rule.

/// Who carries the parcel. The three built-in carriers have constants;
/// site rules (`TrackingRule`) name their own.
public struct Carrier: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }

    public static let ups = Carrier("UPS")
    public static let fedex = Carrier("FedEx")
    public static let usps = Carrier("USPS")
}

/// A site's pattern for another carrier's labels, in the `ScanPattern`
/// syntax (`*` any run, `#` digit, `@` letter, `?` any character). These
/// numbers carry no check the library knows, so only the shape is tested.
public struct TrackingRule: Sendable, Hashable {
    public let carrier: Carrier
    public let pattern: String

    public init(carrier: String, pattern: String) {
        self.carrier = Carrier(carrier); self.pattern = pattern
    }

    /// True when the whole of `text` has this rule's shape.
    func matches(_ text: [UInt8]) -> Bool {
        // The kind is irrelevant here; ScanPattern is reused for its matcher.
        ScanPattern(.unknown, pattern).match(text) != nil
    }
}

/// A recognised, check-digit-valid tracking number.
public struct TrackingNumber: Sendable, Hashable, CustomStringConvertible {
    /// Which format matched; `name` is what logs and `scanledger decode` show.
    public enum Rule: Sendable, Hashable {
        case ups1Z
        case fedexExpress12, fedexGround15, fedexGround96, fedexExpress34, fedexGroundGSN34, sscc18
        case usps20, uspsLegacy20, uspsPackage, uspsIMpb
        case custom(TrackingRule)

        public var name: String {
            switch self {
            case .ups1Z: return "ups-1z"
            case .fedexExpress12: return "fedex-express-12"
            case .fedexGround15: return "fedex-ground-15"
            case .fedexGround96: return "fedex-ground-96-22"
            case .fedexExpress34: return "fedex-express-34"
            case .fedexGroundGSN34: return "fedex-ground-gsn-34"
            case .sscc18: return "sscc-18"
            case .usps20: return "usps-20"
            case .uspsLegacy20: return "usps-legacy-20"
            case .uspsPackage: return "usps-package"
            case .uspsIMpb: return "usps-impb"
            case .custom(let r): return "custom:\(r.carrier.name):\(r.pattern)"
            }
        }
    }

    public let carrier: Carrier
    public let rule: Rule
    /// The number a person types into the carrier's tracking page: no
    /// spaces, letters upper case, label-only fields (ZIP, barcode prefix) removed.
    public let trackingNumber: String
    /// The service code where the number encodes one (UPS two characters,
    /// USPS service type code, FedEx "96" service), else nil.
    public let service: String?
    /// The (420) ship-to ZIP of an IMpb barcode.
    public let destinationZIP: String?

    public init(carrier: Carrier, rule: Rule, trackingNumber: String, service: String? = nil, destinationZIP: String? = nil) {
        self.carrier = carrier; self.rule = rule; self.trackingNumber = trackingNumber
        self.service = service; self.destinationZIP = destinationZIP
    }

    public var description: String {
        var s = "\(carrier.name) \(trackingNumber) (\(rule.name)"
        if let service { s += ", service \(service)" }
        if let destinationZIP { s += ", to ZIP \(destinationZIP)" }
        return s + ")"
    }

    public static func recognize(_ text: String, extraRules: [TrackingRule] = []) -> Result<TrackingNumber, TrackingError> {
        recognize(Array(text.utf8), extraRules: extraRules)
    }

    /// Recognises a scanned or typed tracking number. Built-in carriers are
    /// tried first; a number that has a built-in shape but fails its check
    /// is still offered to `extraRules` (a site may know a format that
    /// collides), and only then is the built-in error returned.
    public static func recognize(_ data: [UInt8], extraRules: [TrackingRule] = []) -> Result<TrackingNumber, TrackingError> {
        let input = TrackingInput(data)
        guard !input.chars.isEmpty else { return .failure(TrackingError(.empty, offset: 0, "no tracking number data")) }
        let builtIn = recognizeBuiltIn(data, input)
        if case .success = builtIn { return builtIn }
        let plain = input.chars.filter { $0 != TrackingInput.gs }
        // Tracking numbers are printable ASCII; anything else (a `?` in a
        // pattern matching a stray byte) would not survive as a String.
        let printable = plain.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        if printable, let rule = extraRules.first(where: { $0.matches(plain) }) {
            return .success(TrackingNumber(carrier: rule.carrier, rule: .custom(rule), trackingNumber: String(decoding: plain, as: UTF8.self)))
        }
        return builtIn
    }

    /// GS1 forms first (their AIs say what they are), then the shapes of
    /// the printed numbers: a "1Z" prefix, else digit count and prefix.
    private static func recognizeBuiltIn(_ data: [UInt8], _ input: TrackingInput) -> Result<TrackingNumber, TrackingError> {
        if let gs1 = GS1Tracking.recognize(data, input) { return gs1 }
        let c = input.chars
        if c.starts(with: [0x31, 0x5A]) { return CarrierRules.ups(input) }  // "1Z"
        let n = c.count
        let knownLength = [12, 15, 18, 20, 22, 26, 30, 34].contains(n)
        // "420" + ZIP + package needs 30 digits; shorter ones that fit no
        // other format are reported as truncated IMpb rather than unknown.
        let looksIMpb = c.starts(with: [0x34, 0x32, 0x30]) && (n >= 3 + 5 + 22 || !knownLength)
        if let bad = c.firstIndex(where: { $0 &- 48 >= 10 }) {
            guard knownLength || looksIMpb else { return .failure(unrecognized(input)) }
            return .failure(TrackingError(.invalidCharacter, offset: input.offset(bad),
                                          "'\(TrackingInput.printable(c[bad]))' where a digit belongs: \(n)-character tracking numbers without 1Z are all digits"))
        }
        if looksIMpb {
            let impb = USPSRules.impbWithoutSeparator(input)
            // A 34-digit FedEx Express barcode may also start "420".
            if case .failure = impb, n == 34, case .success(let fedex) = CarrierRules.fedexExpress34(input, gsn: false) { return .success(fedex) }
            return impb
        }
        let p2 = n >= 2 ? Int(c[0] &- 48) * 10 + Int(c[1] &- 48) : -1
        // USPS package identifiers start 91…95; FedEx's Ground barcodes 96.
        if [22, 26, 30, 34].contains(n), (91...95).contains(p2) { return USPSRules.package(input, from: 0, zip: nil) }
        switch (n, p2) {
        case (12, _): return CarrierRules.fedexExpress12(input)
        case (15, _): return CarrierRules.fedexGround15(input)
        case (18, _): return CarrierRules.sscc(input, from: 0)
        case (20, _): return USPSRules.usps20(input)
        case (22, 96): return CarrierRules.fedexGround96(input)
        case (34, _): return CarrierRules.fedexExpress34(input, gsn: p2 == 96)
        default: return .failure(unrecognized(input))
        }
    }

    private static func unrecognized(_ input: TrackingInput) -> TrackingError {
        TrackingError(.unrecognized, offset: 0, "\(input.chars.count) characters match no carrier's tracking-number format")
    }
}

/// Why a tracking number was not recognised, and where.
public struct TrackingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case empty
        case unrecognized       // no carrier's shape fits
        case wrongLength        // a carrier's prefix, the wrong number of characters
        case invalidCharacter   // a letter where a digit belongs, …
        case checkDigit
        case malformed          // GS1 structure: missing AI, bad ZIP, no separator fits
    }

    public let kind: Kind
    /// Byte offset in the scanned data (AIM prefix and spaces counted).
    public let offset: Int?
    public let message: String

    public init(_ kind: Kind, offset: Int? = nil, _ message: String) {
        self.kind = kind; self.offset = offset; self.message = message
    }

    public var description: String { offset.map { "\(message) (at byte \($0))" } ?? message }
}

/// The scanned bytes as the rules see them: AIM identifier and spaces
/// dropped (printed numbers are typed in groups), letters upper-cased, GS
/// kept for IMpb. `offsets` maps each kept character back to the input so
/// errors point at the byte the operator sees in the scanner log.
struct TrackingInput {
    static let gs: UInt8 = 0x1D
    var chars: [UInt8] = []
    var offsets: [Int] = []
    var aim: AIMIdentifier?
    var payloadStart = 0

    init(_ data: [UInt8]) {
        let (aim, start) = AIMIdentifier.split(data)
        self.aim = aim; payloadStart = start
        for i in start..<data.count {
            var b = data[i]
            if b == 0x20 { continue }
            if b >= 0x61 && b <= 0x7A { b -= 0x20 }
            chars.append(b); offsets.append(i)
        }
        // FNC1 in first position arrives as a leading GS from some scanners.
        if chars.first == TrackingInput.gs { chars.removeFirst(); offsets.removeFirst() }
    }

    init(chars: [UInt8], offsets: [Int]) { self.chars = chars; self.offsets = offsets }

    /// The input offset of character `i` (one past the end for a missing one).
    func offset(_ i: Int) -> Int {
        i < offsets.count ? offsets[i] : (offsets.last.map { $0 + 1 } ?? 0)
    }

    func text(_ r: Range<Int>) -> String { String(decoding: chars[r], as: UTF8.self) }

    static func printable(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
    }
}
