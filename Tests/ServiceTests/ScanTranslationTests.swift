import Foundation
import ScanModel
import Stations
import Testing
@testable import Service

/// Scans as stations receive them: GS1 data, plain patterns, EPCs, garbage.
@Suite struct ScanTranslationTests {
    let t = ScanTranslator(decoder: ServiceConfigDefaults.decoder)

    @Test func gs1TradeItemWithLotExpirySerialAndQuantity() {
        let input = t.input(for: Array("]C10109520123456788\u{1D}10ABC123\u{1D}17261200\u{1D}3012".utf8))
        guard case .tradeItem(let s) = input else { Issue.record("not a trade item: \(input)"); return }
        #expect(s.gtin.digits == "09520123456788" && s.lot == "ABC123" && s.quantity == 12)
        #expect(s.expiry?.lastValidDay == CivilDate(year: 2026, month: 12, day: 31))  // day 00: end of month
    }

    @Test func eanSSCCLocationCommandAndEPC() {
        #expect(t.input(for: Array("]E04006381333931".utf8)) == .tradeItem(TradeItemScan(gtin: GTIN("04006381333931")!)))
        #expect(t.input(for: Array("00095201234567891235".utf8)) == .logisticUnit(SSCC("095201234567891235")!))
        #expect(t.input(for: Array("LOC:A-01".utf8)) == .location("A-01"))
        #expect(t.input(for: Array("CMD:OVERRIDE".utf8)) == .command("OVERRIDE"))
        guard case .tag(let tag) = t.input(for: Array("3074257BF7194E4000001A85".utf8)) else { Issue.record("EPC hex not a tag"); return }
        #expect(tag.gtin?.digits == "80614141123458" && tag.serial == "6789")
    }

    @Test func garbageIsUnrecognizedWithPrintableText() {
        #expect(t.input(for: [0x01, 0x41, 0xFF]) == .unrecognized("\\x01A\\xFF"))
        #expect(t.input(for: Array("0109520123456789".utf8)) == .unrecognized("0109520123456789"))  // bad check digit
        #expect(t.input(for: []) == .unrecognized(""))
    }
}

enum ServiceConfigDefaults {
    static let decoder = ServiceConfig.defaultDecoder
}

/// Carrier labels as the ship station receives them (ShipTests feeds these
/// very inputs): checked numbers, or the check that failed.
@Suite struct CarrierLabelTranslationTests {
    let t = ScanTranslator(decoder: ServiceConfigDefaults.decoder)

    @Test func upsAndUSPSIMpbLabelsBecomeCheckedCarrierLabels() {
        #expect(t.input(for: Array("1Z5R89390357567127".utf8))
                == .carrierLabel(.valid(CarrierLabel(carrier: "UPS", service: "03", tracking: "1Z5R89390357567127", rule: "ups-1z"))))
        #expect(t.input(for: Array("]C142078745\u{1D}9400111206206406260787".utf8))
                == .carrierLabel(.valid(CarrierLabel(carrier: "USPS", service: "001", tracking: "9400111206206406260787", rule: "usps-impb"))))
    }

    @Test func aLabelFailingItsCheckCarriesTheReason() {
        #expect(t.input(for: Array("1Z1111111111111111".utf8))
                == .carrierLabel(.invalid(text: "1Z1111111111111111", reason: "UPS check digit is 1, expected 8 (at byte 17)")))
    }

    @Test func siteRulesComeFromTheShipStationsCarriers() {
        let dhl = ScanTranslator(decoder: ServiceConfigDefaults.decoder, carriers: [CarrierPattern(carrier: "DHL", pattern: "JJD*")])
        #expect(dhl.input(for: Array("JJD0001234".utf8)) == .carrierLabel(.valid(CarrierLabel(carrier: "DHL", tracking: "JJD0001234", rule: "custom:DHL:JJD*"))))
        #expect(t.input(for: Array("JJD0001234".utf8)) == .unrecognized("JJD0001234"))
    }
}
