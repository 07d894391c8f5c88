/// UPS and FedEx formats (tracking_number_data couriers/ups.json and
/// fedex.json). Callers have already checked that digit formats hold only
/// digits and have the stated length.
enum CarrierRules {
    /// "1Z" + 6 shipper + 2 service + 7 package characters (A–Z, 0–9) + a
    /// check digit: 18 characters.
    static func ups(_ input: TrackingInput) -> Result<TrackingNumber, TrackingError> {
        let c = input.chars
        guard c.count == 18 else {
            return .failure(TrackingError(.wrongLength, offset: input.offset(min(c.count, 18)),
                                          "a UPS 1Z number has 18 characters, this one \(c.count)"))
        }
        let isAlnum: (UInt8) -> Bool = { $0 &- 48 < 10 || ($0 >= 0x41 && $0 <= 0x5A) }
        if let bad = (2..<17).first(where: { !isAlnum(c[$0]) }) {
            return .failure(TrackingError(.invalidCharacter, offset: input.offset(bad),
                                          "'\(TrackingInput.printable(c[bad]))' in a UPS number, which holds only letters and digits"))
        }
        if let e = TrackingCheck.ups(input, body: 2..<17, check: 17) { return .failure(e) }
        return .success(TrackingNumber(carrier: .ups, rule: .ups1Z, trackingNumber: input.text(0..<18), service: input.text(8..<10)))
    }

    /// 12-digit FedEx Express number.
    static func fedexExpress12(_ input: TrackingInput) -> Result<TrackingNumber, TrackingError> {
        if let e = TrackingCheck.fedexExpress(input, body: 0..<11, check: 11, what: "FedEx Express") { return .failure(e) }
        return .success(TrackingNumber(carrier: .fedex, rule: .fedexExpress12, trackingNumber: input.text(0..<12)))
    }

    /// 15-digit FedEx Ground number: GS1 mod 10 (weights 3,1 from the right).
    static func fedexGround15(_ input: TrackingInput) -> Result<TrackingNumber, TrackingError> {
        if let e = TrackingCheck.gs1(input, body: 0..<14, check: 14, what: "FedEx Ground") { return .failure(e) }
        return .success(TrackingNumber(carrier: .fedex, rule: .fedexGround15, trackingNumber: input.text(0..<15)))
    }

    /// 22-digit Ground barcode: "96" + 2 SCNC + 3 service + the 15-digit
    /// Ground number (7 shipper + 7 package + check), which alone is checked.
    static func fedexGround96(_ input: TrackingInput) -> Result<TrackingNumber, TrackingError> {
        if let e = TrackingCheck.gs1(input, body: 7..<21, check: 21, what: "FedEx Ground (96 barcode)") { return .failure(e) }
        return .success(TrackingNumber(carrier: .fedex, rule: .fedexGround96, trackingNumber: input.text(7..<22), service: input.text(4..<7)))
    }

    /// 34-digit FedEx barcodes (Express label, or Ground "96" GSN): the last
    /// 12 digits are the Express-style tracking number, and its check digit
    /// is the only one the barcode carries.
    static func fedexExpress34(_ input: TrackingInput, gsn: Bool) -> Result<TrackingNumber, TrackingError> {
        let what = gsn ? "FedEx Ground (34-digit GSN barcode)" : "FedEx Express (34-digit barcode)"
        if let e = TrackingCheck.fedexExpress(input, body: 22..<33, check: 33, what: what) { return .failure(e) }
        return .success(TrackingNumber(carrier: .fedex, rule: gsn ? .fedexGroundGSN34 : .fedexExpress34, trackingNumber: input.text(22..<34)))
    }

    /// An 18-digit SSCC starting at `from` (FedEx Ground labels carry one as
    /// a tracking number), GS1 check digit.
    static func sscc(_ input: TrackingInput, from s: Int) -> Result<TrackingNumber, TrackingError> {
        if let e = TrackingCheck.gs1(input, body: s..<(s + 17), check: s + 17, what: "SSCC") { return .failure(e) }
        return .success(TrackingNumber(carrier: .fedex, rule: .sscc18, trackingNumber: input.text(s..<(s + 18))))
    }
}
