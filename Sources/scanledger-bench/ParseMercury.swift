import Devices
import Foundation
import ScanModel

/// `parse-mercury`: tag reads per second decoding a large in-memory Mercury
/// stream (42-byte records with standard metadata, a keepalive every 100
/// records) in 4 KiB reads, as from a serial port. Baseline in the same run:
/// a straightforward parser that slices `Data` per frame, checks the CRC bit
/// by bit and builds each EPC from a hex string.
let parseMercuryBenchmark = Benchmark(name: "parse-mercury") {
    let stream = MercuryBenchStream.make(records: 400_000)
    let chunk = 4096

    var tags = 0
    let rate = medianRate(runs: 7, work: stream.records) {
        let driver = MercuryDriver(options: DriverOptions())
        feedInReads(driver, stream.bytes, chunk: chunk)
        tags = Int(driver.counters.tagReads)
        blackHole(tags)
    }

    // CPU time of this thread per run: the per-core figure, independent of
    // how busy the machine is (wall-clock rate is reported too).
    var cpuRates: [Double] = []
    for _ in 0..<5 {
        let driver = MercuryDriver(options: DriverOptions())
        let t0 = threadCPUSeconds()
        feedInReads(driver, stream.bytes, chunk: chunk)
        cpuRates.append(Double(driver.counters.tagReads) / (threadCPUSeconds() - t0))
    }
    cpuRates.sort()

    // The baseline is far slower: time it on the first 20,000 records.
    var naiveTags = 0
    let small = MercuryBenchStream.make(records: 20_000)
    let data = Data(small.bytes)
    let baseline = medianRate(runs: 3, work: small.records) {
        naiveTags = NaiveMercuryParser.countTags(data)
        blackHole(naiveTags)
    }
    return [
        "reads_per_sec": Int(rate),
        "reads_per_cpu_sec": Int(cpuRates[cpuRates.count / 2]),
        "baseline_naive_data_slicing_reads_per_sec": Int(baseline),
        "ratio": (rate / baseline * 100).rounded() / 100,
        "target_reads_per_sec": 2_000_000,
        "records": stream.records,
        "bytes": stream.bytes.count,
        "tags_decoded": tags,
        "baseline_tags_decoded": naiveTags,
        "read_size": chunk,
    ]
}

enum MercuryBenchStream {
    static func record(_ i: Int) -> [UInt8] {
        var epc: [UInt8] = [0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40]
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: i).bigEndian) { epc += $0 }
        let flags = MercuryProtocol.Metadata.standard.rawValue
        var d: [UInt8] = [0x10, 0x00, 0x1B, UInt8(flags >> 8), UInt8(flags & 0xFF), 0x01]
        d += [1, UInt8(bitPattern: Int8(-50 - i % 20)), 0x11, 0x0D, 0xF7, 0x32, 0, 0, 0x04, 0xD2, 0x05]
        d += [0x00, 0x80, 0x30, 0x00] + epc + [0x12, 0x34]
        return MercuryProtocol.reply(0x22, d)
    }

    static func make(records: Int) -> (bytes: [UInt8], records: Int) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records * 43)
        let keepalive = MercuryProtocol.reply(0x22, status: 0x0400)
        for i in 0..<records {
            bytes += record(i)
            if i % 100 == 99 { bytes += keepalive }
        }
        return (bytes, records)
    }
}

/// The obvious first implementation, kept as the baseline: a Data slice per
/// frame and field, bitwise CRC, an array of reads.
enum NaiveMercuryParser {
    static func crc(_ d: Data) -> UInt16 {
        var c: UInt16 = 0xFFFF
        for byte in d {
            for bit in (0..<8).reversed() {
                let top = c & 0x8000
                c = (c << 1) | UInt16((byte >> UInt8(bit)) & 1)
                if top != 0 { c ^= 0x1021 }
            }
        }
        return c
    }

    static func countTags(_ data: Data) -> Int {
        var tags: [TagRead] = []
        var i = data.startIndex
        while i < data.endIndex {
            guard data[i] == 0xFF, i + 1 < data.endIndex else { i += 1; continue }
            let len = Int(data[i + 1])
            let end = i + len + 7
            guard end <= data.endIndex else { break }
            let frame = data.subdata(in: i..<end)
            let body = frame.subdata(in: 1..<(frame.count - 2))
            let got = UInt16(frame[frame.count - 2]) << 8 | UInt16(frame[frame.count - 1])
            guard crc(body) == got else { i += 1; continue }
            let status = UInt16(frame[3]) << 8 | UInt16(frame[4])
            if frame[2] == 0x22 && status == 0 && len > 6 {
                let d = frame.subdata(in: 5..<(5 + len))
                let epcBits = Int(d[d.count - 16]) << 8 | Int(d[d.count - 15])
                let epcBytes = d.subdata(in: (d.count - 12 - 2)..<(d.count - 2))
                if epcBits > 0, let epc = EPC(bytes: epcBytes) {
                    tags.append(TagRead(epc: epc, device: DeviceIndex(0), antenna: UInt16(d[8] >> 4),
                                        rssi: Float(Int8(bitPattern: d[7])), count: UInt32(d[6]), time: .zero))
                }
            }
            i = end
        }
        return tags.count
    }
}

