import ScanModel

/// One decoded barcode: what symbology it came from, what it identifies, and
/// the GS1 data it carried.
public struct DecodedScan: Sendable, Hashable {
    public var symbology: Symbology?
    public var kind: ScanKind
    /// GS1 element strings (for EAN/UPC: just (01) with the GTIN-14).
    public var elements: ElementString?
    /// For plain data: what the site pattern extracted, the EPC, or the text.
    private var plainValue: String?
    /// An EPC given as hex in a barcode or typed in; nil for URIs.
    public var epc: EPC?
    /// The 2- or 5-digit EAN/UPC add-on (`]E3`): kept for display, it is not
    /// part of the item's identity (the GTIN is).
    public var addOn: String?

    public init(symbology: Symbology?, kind: ScanKind, elements: ElementString?, value: String?, epc: EPC?, addOn: String? = nil) {
        self.symbology = symbology; self.kind = kind; self.elements = elements; self.plainValue = value; self.epc = epc
        self.addOn = addOn
    }

    /// The identifying value: the location/document/command/EPC text of
    /// plain data; for GS1 data the SSCC, GTIN, "GLN.extension" or document
    /// key (computed on use, so decoding creates no strings).
    public var value: String? {
        elements.flatMap(ScanClassifier.identifyingValue(of:)) ?? plainValue
    }

    public var ais: [(ai: String, value: String)] { elements?.pairs ?? [] }
    public var gtin: String? {
        elements.flatMap { $0.value(code: 1, length: 2) ?? $0.value(code: 2, length: 2) ?? $0.value(code: 3, length: 2) }
    }
    public var sscc: String? { elements?.value(code: 0, length: 2) }
    public var lot: String? { elements?.value(code: 10, length: 2) }
    public var serial: String? { elements?.value(code: 21, length: 2) }
    /// (30) variable count or (37) count of trade items.
    public var quantity: Int? { (elements?.value(code: 30, length: 2) ?? elements?.value(code: 37, length: 2)).flatMap { Int($0) } }

    /// (17) as an ISO date; day 00 ("end of month") becomes the month's last day.
    public func expiry(currentYear: Int = GS1ParseOptions.systemYear) -> String? {
        guard let v = elements?.value(of: "17"), v.utf8.count == 6, let n = Int(v) else { return nil }
        let year = Linting.fullYear(twoDigit: n / 10000, currentYear: currentYear)
        let month = n / 100 % 100
        var day = n % 100
        if day == 0 { day = Linting.daysInMonth(month, year: year) }
        func two(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }
        return "\(year)-\(two(month))-\(two(day))"
    }
}

/// The entry point for barcode data as scanners deliver it: optional AIM
/// identifier, then GS1 element strings, EAN/UPC digits, a Digital Link URI,
/// or plain text matched against site patterns.
public struct ScanDecoder: Sendable {
    public var options: GS1ParseOptions
    public var classifier: ScanClassifier
    /// How data without an AIM identifier is tried as GS1 (see BareGS1Mode).
    public var bareGS1: BareGS1Mode

    public init(options: GS1ParseOptions = .default, classifier: ScanClassifier = ScanClassifier(), bareGS1: BareGS1Mode = .guess) {
        self.options = options; self.classifier = classifier; self.bareGS1 = bareGS1
    }

    public static let standard = ScanDecoder()

    public static func decode(_ bytes: [UInt8]) -> Result<DecodedScan, GS1Error> { standard.decode(bytes) }

    public func decode(_ scan: Scan) -> Result<DecodedScan, GS1Error> { decode(scan.data) }

    public func decode(_ bytes: [UInt8]) -> Result<DecodedScan, GS1Error> {
        let (aim, start) = AIMIdentifier.split(bytes)
        guard let aim else {
            if bytes.first == UInt8(ascii: "]") {
                return .failure(GS1Error(.symbology, offset: 0, "malformed AIM symbology identifier (expected ']' + letter + modifier)"))
            }
            return decodeUnidentified(bytes)
        }
        let symbology = aim.symbology
        switch aim.content {
        case .gs1ElementString:
            guard start < bytes.count else {
                return .failure(GS1Error(.empty, offset: start, "\(aim) \(symbology.rawValue) scan carries no data"))
            }
            // Parsed in place: offsets are already relative to the whole scan.
            return ElementStringParser.parseRaw(bytes, from: start, options: options).map { gs1Scan($0, symbology) }
        case .eanUPC:
            let payload = Array(bytes[start...])
            return decodeEANUPC(payload, aim: aim, offset: start)
        case .eanUPCWithAddOn:
            return decodeWithAddOn(Array(bytes[start...]), offset: start)
        case .plain:
            let payload = Array(bytes[start...])
            // ITF-14 on cases carries a bare GTIN-14.
            if aim.code == UInt8(ascii: "I"), payload.count == 14, payload.allSatisfy({ $0 &- 48 < 10 }) {
                return decodeEANUPC(payload, aim: nil, offset: start)
            }
            if DigitalLink.isCandidate(payload) {
                return DigitalLink.parse(payload, options: options)
                    .map { gs1Scan($0, symbology) }.mapError { $0.shifted(by: start) }
            }
            return .success(plainScan(payload, symbology))
        }
    }

    /// No AIM identifier: recognise the form from the data itself.
    private func decodeUnidentified(_ payload: [UInt8]) -> Result<DecodedScan, GS1Error> {
        guard let first = payload.first else { return .failure(GS1Error(.empty, offset: 0, "the scan is empty")) }
        if let (kind, value) = classifier.classify(plain: payload) {
            return .success(DecodedScan(symbology: nil, kind: kind, elements: nil, value: value, epc: nil))
        }
        if first == UInt8(ascii: "(") {
            return ElementStringParser.parseBracketed(payload, options: options).map { gs1Scan($0, nil) }
        }
        if DigitalLink.isCandidate(payload) {
            return DigitalLink.parse(payload, options: options).map { gs1Scan($0, nil) }
        }
        let allDigits = payload.allSatisfy { $0 &- 48 < 10 }
        if allDigits, [8, 12, 13, 14].contains(payload.count) { return decodeEANUPC(payload, aim: nil, offset: 0) }
        if bareGS1 == .guess {
            // Letters, GS or digits alike: GS1 only when the reading is certain, else plain.
            if let es = BareElementString.parse(payload, options: options) { return .success(gs1Scan(es, nil)) }
            return .success(plainScan(payload, nil))
        }
        if allDigits || payload.contains(ElementStringParser.gs) {
            return ElementStringParser.parseRaw(payload, options: options).map { gs1Scan($0, nil) }
        }
        return .success(plainScan(payload, nil))
    }

    /// `]E3`: the main symbol's 13 (EAN-13, UPC-A with its leading 0) or 8
    /// (UPC-E) digits, then the add-on's 2 or 5. EAN-8 takes no add-on, so
    /// the length alone tells the split.
    private func decodeWithAddOn(_ payload: [UInt8], offset: Int) -> Result<DecodedScan, GS1Error> {
        if let bad = payload.firstIndex(where: { $0 &- 48 >= 10 }) {
            return .failure(GS1Error(.eanUPC, offset: offset + bad, "EAN/UPC data with add-on must be digits only"))
        }
        let mainLength: Int
        switch payload.count {
        case 15, 18: mainLength = 13
        case 10, 13: mainLength = 8
        default:
            return .failure(GS1Error(.eanUPC, offset: offset, "]E3 EAN/UPC with add-on has \(payload.count) digits; expected 13+2, 13+5, 8+2 or 8+5"))
        }
        let main = AIMIdentifier(code: UInt8(ascii: "E"), modifier: UInt8(ascii: "0"))
        return decodeEANUPC(Array(payload[..<mainLength]), aim: main, offset: offset).map {
            var scan = $0
            scan.addOn = String(decoding: payload[mainLength...], as: UTF8.self)
            return scan
        }
    }

    private func decodeEANUPC(_ payload: [UInt8], aim: AIMIdentifier?, offset: Int) -> Result<DecodedScan, GS1Error> {
        // A composite component follows the linear symbol after '|'.
        let bar = payload.firstIndex(of: UInt8(ascii: "|"))
        let linear = bar.map { Array(payload[..<$0]) } ?? payload
        let n: EANUPC.Normalised
        switch EANUPC.normalise(linear, aim: aim) {
        case .failure(let e): return .failure(e.shifted(by: offset))
        case .success(let v): n = v
        }
        var data = Array("01".utf8) + n.gtin14
        if let bar {
            let composite = Array(payload[(bar + 1)...])
            let (cc, ccStart) = AIMIdentifier.split(composite)
            guard cc?.content == .gs1ElementString, ccStart < composite.count else {
                return .failure(GS1Error(.symbology, offset: offset + bar + 1, "the composite component after '|' must be GS1 data (]e0)"))
            }
            data += composite[ccStart...]
        }
        return ElementStringParser.parseRaw(data, options: options)
            .map { gs1Scan($0, n.symbology) }.mapError { $0.shifted(by: offset) }
    }

    private func gs1Scan(_ es: ElementString, _ symbology: Symbology?) -> DecodedScan {
        DecodedScan(symbology: symbology, kind: ScanClassifier.kind(of: es), elements: es, value: nil, epc: nil)
    }

    private func plainScan(_ payload: [UInt8], _ symbology: Symbology?) -> DecodedScan {
        if let (kind, value) = classifier.classify(plain: payload) {
            return DecodedScan(symbology: symbology, kind: kind, elements: nil, value: value, epc: nil)
        }
        let text = String(decoding: payload, as: UTF8.self)
        if text.hasPrefix("urn:epc:id:") || text.hasPrefix("urn:epc:tag:") {
            return DecodedScan(symbology: symbology, kind: .epc, elements: nil, value: text, epc: nil)
        }
        if let epc = BarcodeEPCText.hex(payload) {
            return DecodedScan(symbology: symbology, kind: .epc, elements: nil, value: epc.hex, epc: epc)
        }
        return DecodedScan(symbology: symbology, kind: .unknown, elements: nil, value: text, epc: nil)
    }
}

/// Recognises EPC hex in barcode text: 96 to 256 bits, at least one hex
/// letter (an all-digit string is far more likely a number), and an EPC
/// header the Tag Data Standard assigns.
enum BarcodeEPCText {
    static let knownHeaders: Set<UInt8> = [0x2C, 0x2D, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0xF7, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE]

    static func hex(_ b: [UInt8]) -> EPC? {
        guard b.count >= 24, b.count <= 64, b.count % 4 == 0,
              b.allSatisfy({ PercentHex.value($0) != nil }),
              b.contains(where: { $0 &- 48 >= 10 }),
              let epc = EPC(hex: String(decoding: b, as: UTF8.self)),
              knownHeaders.contains(UInt8(truncatingIfNeeded: epc.bits(at: 0, count: 8))) else { return nil }
        return epc
    }
}
