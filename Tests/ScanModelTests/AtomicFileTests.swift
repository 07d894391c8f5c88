import Foundation
import Testing
import ScanModel

/// `AtomicFile.write`: a reader polling the file while it is replaced again
/// and again sees one whole version or the other, never a mix or a part.
@Suite struct AtomicFileTests {
    @Test func aReaderNeverSeesAPartlyWrittenFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("scanledger.prom").path
        // Big enough that a plain write(2) of it is seen half-done by a concurrent reader.
        let a = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20), b = [UInt8](repeating: UInt8(ascii: "b"), count: 3 << 19)
        try AtomicFile.write(a, to: path)
        let done = Locked(false)
        let writer = Thread {
            for i in 0..<60 { try? AtomicFile.write(i % 2 == 0 ? b : a, to: path) }
            done.swap(true)
        }
        writer.start()
        var reads = 0, bad: [String] = []
        while !done.snapshot || reads == 0 {
            guard let data = FileManager.default.contents(atPath: path) else { bad.append("missing"); continue }
            reads += 1
            let bytes = [UInt8](data)
            if bytes != a && bytes != b { bad.append("\(bytes.count) bytes, first \(bytes.first ?? 0), last \(bytes.last ?? 0)") }
        }
        #expect(bad.isEmpty, "\(bad.count) of \(reads) reads saw a partial file: \(bad.prefix(3))")
        // No temporary file is left behind, and none ends in .prom (the collector's pattern).
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["scanledger.prom"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o644)
    }

    @Test func aFailureNamesTheCallAndThePath() throws {
        let path = "/nonexistent-\(UUID().uuidString.prefix(8))/x.prom"
        #expect {
            try AtomicFile.write([1], to: path)
        } throws: { error in
            "\(error)".contains("open(\"/nonexistent-") && "\(error)".contains("ENOENT")
        }
    }
}
