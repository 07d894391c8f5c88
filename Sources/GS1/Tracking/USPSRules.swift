/// USPS formats (tracking_number_data couriers/usps.json; USPS Publication
/// 199 for the IMpb layout). Every USPS check is the GS1 mod 10 over the
/// digits before the check digit.
enum USPSRules {
    static let packageLengths = [22, 26, 30, 34]

    /// 20 digits: 2 service + 9 mailer + 8 package + check. Older labels
    /// printed the number without its "91" prefix but computed the check
    /// with it, so both readings are tried (plain first); a 20-digit GS1
    /// element string "00" + SSCC is the third reading.
    static func usps20(_ input: TrackingInput) -> Result<TrackingNumber, TrackingError> {
        let plain = TrackingCheck.gs1(input, body: 0..<19, check: 19, what: "USPS")
        guard let plain else {
            return .success(TrackingNumber(carrier: .usps, rule: .usps20, trackingNumber: input.text(0..<20), service: input.text(0..<2)))
        }
        let prefixed = TrackingInput(chars: [0x39, 0x31] + input.chars, offsets: [0, 0] + input.offsets)
        if TrackingCheck.gs1(prefixed, body: 0..<21, check: 21, what: "USPS") == nil {
            return .success(TrackingNumber(carrier: .usps, rule: .uspsLegacy20, trackingNumber: input.text(0..<20), service: input.text(0..<2)))
        }
        if input.chars.starts(with: [0x30, 0x30]), case .success(let sscc) = CarrierRules.sscc(input, from: 2) { return .success(sscc) }
        return .failure(plain)
    }

    /// A package identifier (22, 26, 30 or 34 digits starting 91…95) from
    /// `from` to the end. 91 is the legacy prefix with a 2-digit service;
    /// 92…95 (IMpb) carry a 3-digit service type code.
    static func package(_ input: TrackingInput, from s: Int, zip: String?) -> Result<TrackingNumber, TrackingError> {
        let c = input.chars, n = c.count - s
        if let bad = (s..<c.count).first(where: { c[$0] &- 48 >= 10 }) {
            return .failure(TrackingError(.invalidCharacter, offset: input.offset(bad),
                                          "'\(TrackingInput.printable(c[bad]))' in a USPS package identifier, which is all digits"))
        }
        guard packageLengths.contains(n) else {
            return .failure(TrackingError(.wrongLength, offset: input.offset(s),
                                          "USPS package identifier has \(n) digits; expected 22, 26, 30 or 34"))
        }
        let prefix = Int(c[s] &- 48) * 10 + Int(c[s + 1] &- 48)
        guard (91...95).contains(prefix) else {
            return .failure(TrackingError(.malformed, offset: input.offset(s),
                                          "USPS package identifier starts \(prefix); expected 91 to 95"))
        }
        if let e = TrackingCheck.gs1(input, body: s..<(c.count - 1), check: c.count - 1, what: "USPS") { return .failure(e) }
        let service = input.text((s + 2)..<(s + (prefix == 91 ? 4 : 5)))
        return .success(TrackingNumber(carrier: .usps, rule: zip == nil ? .uspsPackage : .uspsIMpb,
                                       trackingNumber: input.text(s..<c.count), service: service, destinationZIP: zip))
    }

    /// "420" + ZIP + package identifier with the FNC1 between them lost (a
    /// human-readable line, or a scanner that drops GS). The ZIP is 5 or 9
    /// digits (11 with the delivery-point routing digits); splits are tried
    /// longest ZIP+4 first, as most labels carry it, and the first split
    /// whose package passes its check wins.
    static func impbWithoutSeparator(_ input: TrackingInput) -> Result<TrackingNumber, TrackingError> {
        let c = input.chars, n = c.count - 3
        var firstFailure: TrackingError?
        for zipLength in [9, 5, 11] where packageLengths.contains(n - zipLength) {
            let s = 3 + zipLength
            guard c[s] == 0x39, (0x31...0x35).contains(c[s + 1]) else { continue }
            switch package(input, from: s, zip: input.text(3..<s)) {
            case .success(let t): return .success(t)
            case .failure(let e): firstFailure = firstFailure ?? e
            }
        }
        return .failure(firstFailure ?? TrackingError(.malformed, offset: input.offset(3),
            "IMpb: \(n) digits after (420) do not split into a 5- or 9-digit ZIP and a 22, 26, 30 or 34-digit package identifier starting 91 to 95"))
    }
}

/// Tracking numbers inside GS1 element strings (]C1 GS1-128, "(00)…",
/// data with FNC1 as GS): decoded by the GS1 parser, which also checks the
/// SSCC's check digit and the AIs' lengths.
enum GS1Tracking {
    /// nil when the data is not in a GS1 form, or is a (420) barcode whose
    /// separator was lost (the digit rules split those).
    static func recognize(_ data: [UInt8], _ input: TrackingInput) -> Result<TrackingNumber, TrackingError>? {
        let bracketed = input.chars.first == UInt8(ascii: "(")
        let hasGS = data.contains(TrackingInput.gs)
        guard input.aim?.content == .gs1ElementString || bracketed || hasGS else { return nil }
        let parsed = bracketed
            ? ElementStringParser.parseBracketed(Array(data[input.payloadStart...]).filter { $0 != 0x20 }).mapError { $0.shifted(by: input.payloadStart) }
            : ElementStringParser.parseRaw(data, from: input.payloadStart)
        switch parsed {
        case .failure(let e):
            if !hasGS && !bracketed && input.chars.starts(with: [0x34, 0x32, 0x30]) { return nil }
            return .failure(TrackingError(kind(of: e), offset: e.offset, "GS1 data: \(e.message)"))
        case .success(let es):
            if let sscc = es.value(code: 0, length: 2) {
                return .success(TrackingNumber(carrier: .fedex, rule: .sscc18, trackingNumber: sscc))
            }
            guard let z = es.index(code: 420, length: 3) else {
                return .failure(TrackingError(.malformed, offset: input.payloadStart,
                                              "GS1 data carries neither an (00) SSCC nor a (420) IMpb routing code"))
            }
            return impb(es, z, bracketed: bracketed, shift: bracketed ? input.payloadStart : 0)
        }
    }

    /// (420) ZIP, then the package identifier as AI 91…95 + value.
    private static func impb(_ es: ElementString, _ z: Int, bracketed: Bool, shift: Int) -> Result<TrackingNumber, TrackingError> {
        let zip = es.valueBytes(at: z), zipAt = Int(es.elements[z].inputOffset) + 3 + (bracketed ? 1 : 0) + shift
        if let bad = zip.firstIndex(where: { $0 &- 48 >= 10 }) {
            return .failure(TrackingError(.invalidCharacter, offset: zipAt + bad - zip.startIndex, "IMpb (420) ZIP holds a non-digit"))
        }
        guard [5, 9, 11].contains(zip.count) else {
            return .failure(TrackingError(.wrongLength, offset: zipAt, "IMpb (420) ZIP has \(zip.count) digits; expected 5, 9 or 11"))
        }
        let next = z + 1
        guard next < es.count, (91...95).contains(es.elements[next].aiCode), es.elements[next].aiLength == 2 else {
            return .failure(TrackingError(.malformed, offset: zipAt + zip.count,
                                          "IMpb: no package identifier (AI 91 to 95) follows the (420) ZIP"))
        }
        let e = es.elements[next], aiAt = Int(e.inputOffset) + shift
        let value = Array(es.valueBytes(at: next))
        let valueAt = aiAt + 2 + (bracketed ? 1 : 0)
        let pkg = TrackingInput(chars: Array(es.ai(at: next).utf8) + value,
                                offsets: [aiAt, aiAt + 1] + value.indices.map { valueAt + $0 })
        return USPSRules.package(pkg, from: 0, zip: String(decoding: zip, as: UTF8.self))
    }

    private static func kind(of e: GS1Error) -> TrackingError.Kind {
        switch e.kind {
        case .lintFailure: return .checkDigit
        case .invalidCharacter: return .invalidCharacter
        case .valueTooShort, .valueTooLong: return .wrongLength
        default: return .malformed
        }
    }
}
