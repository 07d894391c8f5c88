import Devices
import Foundation
import ScanModel

/// `parse-ssi`: scans per second decoding a large in-memory Zebra SSI
/// stream in 4 KiB reads, as from a serial port: DECODE_DATA packets of
/// mixed code types (a GS1-128 with a GS, EAN-13, GS1 DataMatrix), every
/// 50th decode a 600-byte multipacket one, a scanner ACK now and then. The
/// driver's work includes queueing the host ACK for each packet. Baseline in
/// the same run: a straightforward parser that slices `Data` per packet,
/// sums the checksum with `reduce` and builds each AIM prefix from a string.
let parseSSIBenchmark = Benchmark(name: "parse-ssi") {
    let stream = SSIBenchStream.make(decodes: 200_000)
    let chunk = 4096

    func run(_ bytes: [UInt8]) -> Int {
        let driver = SSIDriver(options: DriverOptions())
        feedInReads(driver, bytes, chunk: chunk)
        return Int(driver.counters.scans)
    }

    var scans = 0
    let rate = medianRate(runs: 7, work: stream.decodes) {
        scans = run(stream.bytes)
        blackHole(scans)
    }
    // CPU time of this thread per run: the per-core figure, independent of
    // how busy the shared machine is (wall-clock rate is reported too).
    var cpuRates: [Double] = []
    for _ in 0..<5 {
        let t0 = threadCPUSeconds()
        let n = run(stream.bytes)
        cpuRates.append(Double(n) / (threadCPUSeconds() - t0))
    }
    cpuRates.sort()
    var baselineCPU: [Double] = []
    let data = Data(stream.bytes)
    var naiveScans = 0
    for _ in 0..<3 {
        let t0 = threadCPUSeconds()
        naiveScans = NaiveSSIParser.countScans(data)
        baselineCPU.append(Double(naiveScans) / (threadCPUSeconds() - t0))
    }
    baselineCPU.sort()
    let cpu = cpuRates[cpuRates.count / 2], base = baselineCPU[baselineCPU.count / 2]
    return [
        "scans_per_sec": Int(rate),
        "scans_per_cpu_sec": Int(cpu),
        "baseline_naive_data_slicing_scans_per_cpu_sec": Int(base),
        "ratio_cpu": (cpu / base * 100).rounded() / 100,
        "decodes": stream.decodes,
        "bytes": stream.bytes.count,
        "scans_decoded": scans,
        "baseline_scans_decoded": naiveScans,
        "read_size": chunk,
    ]
}

enum SSIBenchStream {
    static func packet(_ op: UInt8, status: UInt8 = 0, _ data: [UInt8]) -> [UInt8] {
        var p: [UInt8] = [UInt8(4 + data.count), op, 0x00, status] + data
        let c = SSIProtocol.checksum(p)
        p += [UInt8(c >> 8), UInt8(c & 0xFF)]
        return p
    }

    static func make(decodes: Int) -> (bytes: [UInt8], decodes: Int) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(decodes * 40)
        let ack = packet(SSIProtocol.Opcode.cmdAck, [])
        let long = Array(String(repeating: "01095201234567881724123110LOT42\u{1D}", count: 20).utf8.prefix(600))
        for i in 0..<decodes {
            let serial = Array(String(i).utf8)
            switch i % 50 {
            case 49:
                for start in stride(from: 0, to: long.count, by: 240) {
                    let part = Array(long[start..<min(long.count, start + 240)])
                    let more = start + 240 < long.count
                    bytes += packet(SSIProtocol.Opcode.decodeData, status: more ? SSIProtocol.Status.continuation : 0, [0xC1] + part)
                }
            case let r where r % 3 == 0:
                bytes += packet(SSIProtocol.Opcode.decodeData, [0x0F] + Array("0109520123456788".utf8) + [0x1D] + Array("21".utf8) + serial)
            case let r where r % 3 == 1:
                bytes += packet(SSIProtocol.Opcode.decodeData, [0x0B] + Array("400638133393".utf8) + [UInt8(ascii: "1")])
            default:
                bytes += packet(SSIProtocol.Opcode.decodeData, [0xC1] + Array("0104150063002041172612311".utf8) + serial)
            }
            if i % 10 == 0 { bytes += ack }
        }
        return (bytes, decodes)
    }
}

/// The obvious first implementation, kept as the baseline: a Data slice per
/// packet, a reduce for the checksum, a String for each AIM prefix.
enum NaiveSSIParser {
    static let aims: [UInt8: String] = [0x0F: "C1", 0x0B: "E0", 0xC1: "d2"]

    static func countScans(_ data: Data) -> Int {
        var scans: [[UInt8]] = []
        var pending = Data()
        var i = data.startIndex
        while i < data.endIndex {
            let len = Int(data[i])
            guard len >= 4, i + len + 2 <= data.endIndex else { i += 1; continue }
            let body = data.subdata(in: i..<(i + len))
            let sum = body.reduce(0) { ($0 + Int($1)) & 0xFFFF }
            let got = Int(data[i + len]) << 8 | Int(data[i + len + 1])
            guard (0x10000 - sum) & 0xFFFF == got else { i += 1; continue }
            if body[body.startIndex + 1] == 0xF3 {
                let type = body[body.startIndex + 4]
                pending.append(body.subdata(in: (body.startIndex + 5)..<body.endIndex))
                if body[body.startIndex + 3] & 0x02 == 0 {
                    let prefix = aims[type].map { "]" + $0 } ?? ""
                    scans.append(Array(prefix.utf8) + Array(pending))
                    pending = Data()
                }
            }
            i += len + 2
        }
        return scans.count
    }
}
