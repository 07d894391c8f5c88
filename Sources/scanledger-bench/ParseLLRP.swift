import Devices
import Foundation
import ScanModel

// parse-llrp: tag reads per second decoding a large in-memory stream of
// RO_ACCESS_REPORTs (100 TagReportData each: EPC-96, AntennaID, PeakRSSI,
// ChannelIndex, First/LastSeen UTC, TagSeenCount), fed in 64 KiB chunks as a
// socket would deliver them. Baseline: the same bytes decoded by sllurp in a
// Python subprocess, in the same run.

/// Counts tag reads without keeping them: no per-read allocation.
private struct CountingSink: LLRPEventSink {
    var reads = 0
    var checksum: UInt64 = 0
    mutating func receive(_ event: LLRPEvent) {
        if case .tag(let t) = event {
            reads &+= 1
            checksum = checksum &+ t.read.epc.w0 ^ UInt64(t.read.antenna)
        }
    }
}

func makeLLRPReportStream(reports: Int, tagsPerReport: Int) -> [UInt8] {
    var out: [UInt8] = []
    var serial: UInt32 = 0
    for r in 0..<reports {
        var w = LLRPMessageWriter(type: LLRPMessageType.roAccessReport, messageID: UInt32(r + 1))
        for k in 0..<tagsPerReport {
            serial &+= 1
            w.tlv(LLRPParameterType.tagReportData) { w in
                w.u8(0x8D); w.u64(0x3074_257B_F719_4E40); w.u32(serial)       // EPC-96
                w.u8(0x81); w.u16(UInt16(1 + k % 4))                           // AntennaID
                w.u8(0x86); w.u8(UInt8(bitPattern: Int8(-40 - k % 30)))        // PeakRSSI
                w.u8(0x87); w.u16(UInt16(1 + k % 50))                          // ChannelIndex
                w.u8(0x82); w.u64(1_700_000_000_000_000 + UInt64(serial) * 100) // FirstSeen UTC
                w.u8(0x84); w.u64(1_700_000_000_000_500 + UInt64(serial) * 100) // LastSeen UTC
                w.u8(0x88); w.u16(UInt16(1 + k % 5))                           // TagSeenCount
            }
        }
        out += w.finish()
    }
    return out
}

private let sllurpScript = """
import sys, time, struct
try:
    from sllurp.llrp import LLRPMessage
    from importlib.metadata import version
except Exception as e:
    print("ERR sllurp not importable: %s" % e); sys.exit(0)
data = open(sys.argv[1], 'rb').read()
msgs, i = [], 0
while i + 10 <= len(data):
    n = struct.unpack('!I', data[i+2:i+6])[0]
    msgs.append(data[i:i+n]); i += n
best = 0.0
for _ in range(3):
    t = time.perf_counter(); reads = 0
    for m in msgs:
        reads += len(LLRPMessage(msgbytes=m).msgdict['RO_ACCESS_REPORT']['TagReportData'])
    best = max(best, reads / (time.perf_counter() - t))
print("OK %f %s" % (best, version('sllurp')))
"""

/// Runs sllurp on `stream`; returns (reads/s, version) or a reason for null.
func sllurpReadsPerSecond(_ stream: [UInt8]) -> (rate: Double?, note: String) {
    let dir = FileManager.default.temporaryDirectory
    let data = dir.appendingPathComponent("scanledger-bench-llrp-\(getpid()).bin")
    let script = dir.appendingPathComponent("scanledger-bench-llrp-\(getpid()).py")
    defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: script) }
    do {
        try Data(stream).write(to: data)
        try Data(sllurpScript.utf8).write(to: script)
    } catch { return (nil, "cannot write temp files: \(error)") }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", script.path, data.path]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return (nil, "python3 not runnable: \(error)") }
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    let parts = out.split(separator: " ")
    if parts.first == "OK", parts.count >= 3, let rate = Double(parts[1]) {
        return (rate, "sllurp \(parts[2].trimmingCharacters(in: .whitespacesAndNewlines)) (Python, LLRPMessage(msgbytes:))")
    }
    return (nil, out.isEmpty ? "python3 failed" : out.trimmingCharacters(in: .whitespacesAndNewlines))
}

let parseLLRPBenchmark = Benchmark(name: "parse-llrp") {
    let tagsPerReport = 100
    let stream = makeLLRPReportStream(reports: 20_000, tagsPerReport: tagsPerReport) // 2,000,000 reads
    let reads = 20_000 * tagsPerReport
    var checksum: UInt64 = 0
    let rate = medianRate(runs: 7, work: reads) {
        var decoder = LLRPDecoder(device: DeviceIndex(1))
        var sink = CountingSink()
        stream.withUnsafeBytes { all in
            var i = 0
            while i < all.count {
                let end = min(all.count, i + 65_536)
                decoder.feed(UnsafeRawBufferPointer(rebasing: all[i..<end]), into: &sink)
                i = end
            }
        }
        precondition(sink.reads == reads, "decoded \(sink.reads) of \(reads) reads")
        checksum ^= sink.checksum
    }
    blackHole(checksum)
    // sllurp is ~4 orders slower: give it the first 300 reports (30,000 reads).
    let prefix = Array(stream[..<(stream.count / 20_000 * 300)])
    let baseline = sllurpReadsPerSecond(prefix)
    var result: [String: any Sendable] = [
        "reads_per_sec": rate.rounded(),
        "target_reads_per_sec": 2_000_000,
        "stream_bytes": stream.count,
        "reads": reads,
        "chunk_bytes": 65_536,
        "baseline": baseline.note,
    ]
    if let b = baseline.rate {
        result["baseline_reads_per_sec"] = b.rounded()
        result["ratio"] = (rate / b * 10).rounded() / 10
    } else {
        result["baseline_reads_per_sec"] = NSNull()
    }
    return result
}
