import Foundation
import Testing

/// A capture log: `# Key: value` headers, then `<seconds> <dir> <hex or word>` lines.
struct CoreCapture {
    struct Line { var seconds: Double; var direction: Character; var bytes: [UInt8]; var word: String; var number: Int }
    var name: String
    var headers: [String: String] = [:]
    var lines: [Line] = []

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Captures")

    static func all(prefix: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix(prefix) && $0.pathExtension == "log" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    init(url: URL) throws {
        name = url.deletingPathExtension().lastPathComponent
        let text = try String(contentsOf: url, encoding: .utf8)
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
                if let colon = body.firstIndex(of: ":") {
                    headers[String(body[..<colon])] = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                continue
            }
            let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count == 3, let t = Double(parts[0]), let dir = parts[1].first else {
                throw CoreCaptureError(message: "\(url.lastPathComponent):\(n + 1): expected '<seconds> <dir> <data>'")
            }
            var bytes: [UInt8] = []
            if dir != "!" {
                guard let b = CoreCapture.hexBytes(parts[2]) else {
                    throw CoreCaptureError(message: "\(url.lastPathComponent):\(n + 1): bad hex")
                }
                bytes = b
            }
            lines.append(Line(seconds: t, direction: dir, bytes: bytes, word: parts[2], number: n + 1))
        }
    }

    static func hexBytes(_ s: String) -> [UInt8]? {
        let digits = Array(s.utf8.filter { $0 != UInt8(ascii: " ") })
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < digits.count {
            guard let h = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(h)
            i += 2
        }
        return out
    }

    /// Bytes the device sent, concatenated ('<' lines).
    var deviceBytes: [UInt8] { lines.filter { $0.direction == "<" }.flatMap(\.bytes) }
}

struct CoreCaptureError: Error, CustomStringConvertible { var message: String; var description: String { message } }

/// Compares `lines` with `<log>.chk`; SCANLEDGER_REBUILD_CHK=1 rewrites it.
/// A missing .chk fails.
func expectMatchesCoreChk(_ lines: [String], capture: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = CoreCapture.directory.appendingPathComponent(capture + ".chk")
    let text = lines.joined(separator: "\n") + "\n"
    if ProcessInfo.processInfo.environment["SCANLEDGER_REBUILD_CHK"] == "1" {
        try text.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("missing \(url.lastPathComponent): run with SCANLEDGER_REBUILD_CHK=1 and review it", sourceLocation: sourceLocation)
        return
    }
    let want = expected.split(separator: "\n").map(String.init)
    for (i, (a, b)) in zip(lines, want).enumerated() where a != b {
        Issue.record("\(capture).chk line \(i + 1):\n expected \(b)\n got      \(a)", sourceLocation: sourceLocation)
        return
    }
    #expect(lines.count == want.count, "\(capture): \(lines.count) events, .chk has \(want.count)", sourceLocation: sourceLocation)
}
