import Foundation
import GS1
import ScanModel

/// decode-epc: EPC-96 reads → typed identity (the per-tag hot path), then
/// full decode with URI and element-string formatting, against a naive
/// decoder working on the hex String (binary-digit String slicing) as baseline.
@Sendable func decodeEPCBenchmark() -> [String: any Sendable] {
    let mix = realisticEPCMix(count: 4096)
    let hexes = mix.map(\.hex)

    let rounds = 2_000
    func typedLoop() {
        var acc: UInt64 = 0
        for _ in 0..<rounds {
            for epc in mix {
                if let id = EPCDecoder.identity(epc) { acc &+= id.serial ^ id.companyPrefix ^ id.reference }
            }
        }
        blackHole(acc)
    }
    let typedRate = medianRate(work: rounds * mix.count, typedLoop)
    // The machine is shared: also rate by this thread's CPU time, i.e. per core actually used.
    let typedCPURate = medianCPURate(work: rounds * mix.count, typedLoop)

    let ids = mix.compactMap { EPCDecoder.identity($0) }
    let formatRounds = 50
    let formatRate = medianRate(work: formatRounds * ids.count) {
        var acc = 0
        for _ in 0..<formatRounds {
            for id in ids { acc &+= id.pureURI.utf8.count }
        }
        blackHole(acc)
    }

    let uriRounds = 20
    let fullRate = medianRate(work: uriRounds * mix.count) {
        var acc = 0
        for _ in 0..<uriRounds {
            for epc in mix {
                if case .success(let d) = EPCDecoder.decode(epc) { acc &+= d.tagURI.utf8.count &+ d.pureURI.utf8.count }
            }
        }
        blackHole(acc)
    }

    let naiveRounds = 5
    let naiveRate = medianRate(work: naiveRounds * hexes.count) {
        var acc: UInt64 = 0
        for _ in 0..<naiveRounds {
            for hex in hexes { acc &+= naiveDecodeSerial(hex) ?? 0 }
        }
        blackHole(acc)
    }

    return [
        "ops_per_sec": typedRate.rounded(),
        "unit": "EPC-96 decodes to EPCIdentity per second (one thread, wall clock)",
        "cpu_ops_per_sec": typedCPURate.rounded(),
        "cpu_unit": "same, per second of this thread's CPU time (one core, independent of other load)",
        "target_ops_per_sec": 10_000_000,
        "uri_format_ops_per_sec": formatRate.rounded(),
        "uri_format_unit": "EPCIdentity → pure identity URI String per second",
        "full_decode_ops_per_sec": fullRate.rounded(),
        "full_decode_unit": "EPCDecoder.decode: DecodedEPC with tag URI, pure URI, element string, Digital Link",
        "baseline": "hex String → binary-digit String, fields by String slicing + Int(radix: 2)",
        "baseline_ops_per_sec": naiveRate.rounded(),
        "ratio_vs_baseline": (typedRate / naiveRate * 10).rounded() / 10,
        "full_decode_ratio_vs_baseline": (fullRate / naiveRate * 10).rounded() / 10,
        "mix": "70% SGTIN-96, 12% SSCC-96, 6% SGLN-96, 6% GRAI-96, 6% GIAI-96; 4096 distinct EPCs",
    ]
}


/// What a site's readers actually see: mostly item-level SGTINs with a
/// spread of company-prefix lengths and filters, plus cases, locations and assets.
private func realisticEPCMix(count: Int) -> [EPC] {
    var rng = SplitMix64(seed: 0x5EED)
    func next() -> UInt64 { rng.next() }
    var out: [EPC] = []
    while out.count < count {
        let roll = next() % 100
        let scheme: EPCScheme = roll < 70 ? .sgtin96 : roll < 82 ? .sscc96 : roll < 88 ? .sgln96 : roll < 94 ? .grai96 : .giai96
        let cpDigits = 6 + Int(next() % 7)
        let refDigits: Int
        switch scheme {
        case .sgtin96: refDigits = 13 - cpDigits
        case .sscc96: refDigits = 17 - cpDigits
        case .giai96: refDigits = 0
        default: refDigits = 12 - cpDigits
        }
        func below(_ digits: Int) -> UInt64 { var p: UInt64 = 1; for _ in 0..<digits { p *= 10 }; return next() % p }
        var id = EPCIdentity(scheme: scheme, filter: UInt8([1, 1, 1, 2, 3, 6][Int(next() % 6)]),
                             companyPrefixDigits: UInt8(cpDigits), companyPrefix: below(cpDigits),
                             referenceDigits: UInt8(refDigits), reference: below(refDigits))
        switch scheme {
        case .sgtin96, .grai96: id.serial = next() % (1 << 38)
        case .sgln96: id.serial = next() % 1000
        case .giai96: id.serial = next() % (1 << 40)
        default: break
        }
        if case .success(let epc) = EPCEncoder.encode(id) { out.append(epc) }
    }
    return out
}

/// The naive decoder: the way EPCs are often decoded in glue code.
private func naiveDecodeSerial(_ hex: String) -> UInt64? {
    var binary = ""
    for ch in hex {
        guard let v = Int(String(ch), radix: 16) else { return nil }
        let bits = String(v, radix: 2)
        binary += String(repeating: "0", count: 4 - bits.count) + bits
    }
    func field(_ from: Int, _ length: Int) -> UInt64? {
        let start = binary.index(binary.startIndex, offsetBy: from)
        let end = binary.index(start, offsetBy: length)
        return UInt64(binary[start..<end], radix: 2)
    }
    guard let header = field(0, 8), let partition = field(11, 3), partition < 7 else { return nil }
    let cpBits = [40, 37, 34, 30, 27, 24, 20][Int(partition)]
    let refBits: Int
    switch header {
    case 0x30: refBits = 44 - cpBits
    case 0x31: refBits = 58 - cpBits
    case 0x33: refBits = 44 - cpBits
    case 0x34: refBits = 82 - cpBits
    default: refBits = 41 - cpBits
    }
    guard let cp = field(14, cpBits), let ref = field(14 + cpBits, refBits) else { return nil }
    let used = 14 + cpBits + refBits
    let serial = used < 96 ? field(used, 96 - used) ?? 0 : 0
    return cp ^ ref ^ serial
}
