import Foundation
import GS1
import ScanModel

/// `decode-gs1`: full decode of a realistic scan mix (AIM prefix, raw GS1
/// element strings with check digits, dates and association rules, EAN/UPC,
/// SSCC labels) from bytes to a classified `DecodedScan`. The baseline is the
/// bare GS1 check-digit routine over the same GTINs, i.e. the floor of any
/// validating decoder.
let decodeGS1Benchmark = Benchmark(name: "decode-gs1") {
    let mix: [[UInt8]] = [
        "]C1010952012345678810ABC123\u{1D}17261231",
        "]C101095201234567881725063010LOT-42\u{1D}21SN0001",
        "]d2010952012345678817270101102401\u{1D}2112345678",
        "]C100095201234567891235",
        "]C1000952012345678912350209520123456788\u{1D}3724",
        "]E04006381333931",
        "]E00416000336108",
        "]C101095201234567883103000195",
        "]e0010952012345678815261231310300019539220299\u{1D}10BATCH9",
        "]C14149520123456788",
    ].map { Array($0.utf8) }
    let decoder = ScanDecoder.standard
    for m in mix { precondition((try? decoder.decode(m).get()) != nil, "bench input must decode") }
    let rounds = 50_000
    let work = rounds * mix.count
    let decodeAll = {
        var kinds = 0
        for _ in 0..<rounds {
            for m in mix {
                if case .success(let scan) = decoder.decode(m) { kinds &+= scan.elements?.count ?? 0 }
            }
        }
        blackHole(kinds)
    }
    let rate = medianRate(work: work, decodeAll)
    // The machine is shared: thread CPU time shows the one-core rate even
    // when other processes take turns on the core.
    let cpuStart = threadCPUSeconds()
    decodeAll()
    let cpuRate = Double(work) / max(threadCPUSeconds() - cpuStart, 1e-9)
    // Baseline: one pass over each scan's bytes computing a mod-10 sum, the
    // least work any validating decoder must do.
    let baseline = medianRate(work: work) {
        var sum = 0
        for _ in 0..<rounds { for m in mix { sum &+= mod10Pass(m) } }
        blackHole(sum)
    }
    return [
        "ops_per_sec": Int(rate),
        "ops_per_cpu_sec": Int(cpuRate),
        "target_ops_per_sec": 1_000_000,
        "baseline": "one mod-10 pass over the same scan bytes",
        "baseline_ops_per_sec": Int(baseline),
        "ratio_to_baseline": (rate / baseline * 1000).rounded() / 1000,
        "mix": mix.count,
    ]
}

@inline(never)
private func mod10Pass(_ m: [UInt8]) -> Int {
    m.withUnsafeBufferPointer { b in
        var s = 0, w = 3
        for c in b { s &+= Int(c &- 48) &* w; w = 4 - w }
        return s % 10
    }
}

