import GS1
import ScanModel
import Stations

/// Turns what the pipeline delivers into what stations take: decoded scans
/// (GS1 ScanDecoder with the site's patterns) and EPCs with their GTIN and
/// serial when they are SGTINs. Pure functions: tested without devices.
public struct ScanTranslator: Sendable {
    public let decoder: ScanDecoder
    /// Other carriers' label shapes (the ship stations' `carriers`).
    public let trackingRules: [TrackingRule]
    public init(decoder: ScanDecoder, carriers: [CarrierPattern] = []) {
        self.decoder = decoder
        trackingRules = carriers.map { TrackingRule(carrier: $0.carrier, pattern: $0.pattern) }
    }

    public func input(for data: [UInt8]) -> StationInput {
        switch decoder.decode(data) {
        case .failure: return carrierLabel(data)
        case .success(let d):
            switch d.kind {
            case .tradeItem:
                guard let g = d.gtin.flatMap({ GTIN($0) }) else { return .unrecognized(Self.printable(data)) }
                let expiry = d.expiry().flatMap { CivilDate(iso: $0) }.flatMap { ExpiryDate(year: $0.year, month: $0.month, day: $0.day) }
                let quantity = d.quantity.map { min(max($0, 0), 1_000_000) }
                return .tradeItem(TradeItemScan(gtin: g, lot: d.lot, expiry: expiry, serial: d.serial, quantity: quantity))
            case .logisticUnit:
                guard let s = d.sscc.flatMap({ SSCC($0) }) else { return .unrecognized(Self.printable(data)) }
                return .logisticUnit(s)
            case .location: return d.value.map { .location(LocationCode($0)) } ?? .unrecognized(Self.printable(data))
            case .document: return d.value.map { .document($0) } ?? .unrecognized(Self.printable(data))
            case .command: return d.value.map { .command($0) } ?? .unrecognized(Self.printable(data))
            case .operatorBadge: return d.value.map { .badge($0) } ?? .unrecognized(Self.printable(data))
            case .reason: return d.value.map { .reason($0) } ?? .unrecognized(Self.printable(data))
            case .epc:
                guard let epc = d.epc else { return .unrecognized(Self.printable(data)) }
                return .tag(Self.tag(epc))
            case .unknown: return carrierLabel(data)
            }
        }
    }

    /// What GS1 and the site's patterns do not know may be a carrier label:
    /// a number with a carrier's shape is checked here (the GS1 module knows
    /// the rules, stations do not import it), so a ship station gets either
    /// the checked number or why it failed; anything else stays unrecognized.
    /// FedEx labels that are SSCCs or valid GTIN-12s reach stations as those.
    func carrierLabel(_ data: [UInt8]) -> StationInput {
        switch TrackingNumber.recognize(data, extraRules: trackingRules) {
        case .success(let t):
            return .carrierLabel(.valid(CarrierLabel(carrier: t.carrier.name, service: t.service, tracking: t.trackingNumber, rule: t.rule.name)))
        case .failure(let e) where e.kind == .unrecognized || e.kind == .empty:
            return .unrecognized(Self.printable(data))
        case .failure(let e):
            return .carrierLabel(.invalid(text: Self.printable(data), reason: e.description))
        }
    }

    /// An EPC with its GTIN and serial when it is an SGTIN.
    public static func tag(_ epc: EPC) -> EPCTag {
        guard case .success(let d) = EPCDecoder.decode(epc), d.scheme.hasPrefix("sgtin"), let g = GTIN(d.gs1Key) else {
            return EPCTag(epc: epc)
        }
        return EPCTag(epc: epc, gtin: g, serial: d.serial)
    }

    /// The scan as text for messages: control bytes shown as \xNN.
    public static func printable(_ data: [UInt8]) -> String {
        var out = ""
        for b in data.prefix(200) {
            if b >= 0x20 && b < 0x7F { out.unicodeScalars.append(Unicode.Scalar(b)) } else {
                out += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
