import CLinuxShims
import Foundation
import ScanModel

/// Talks to scanledgerd's control socket: one JSON request line, JSON answer
/// lines back. `--socket PATH`, else SCANLEDGER_SOCKET, else the default.
enum ControlClient {
    static let defaultSocket = "/run/scanledger/control.sock"

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// The options every daemon command declares after its own.
    static let options: [OptionSpec] = [
        .value("--socket", "PATH", "scanledgerd's control socket (default: SCANLEDGER_SOCKET, else \(defaultSocket))"),
        .flag("--json", "print the daemon's answer as JSON"),
    ]

    static func socketPath(_ args: ParsedArguments) -> String {
        args.value("--socket") ?? ProcessInfo.processInfo.environment["SCANLEDGER_SOCKET"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultSocket
    }

    static func connect(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var storage = [UInt8](repeating: 0, count: CLinuxShims_sockaddr_un_size())
        let length = storage.withUnsafeMutableBytes { CLinuxShims_sockaddr_un($0.baseAddress!, path) }
        guard length > 0 else { close(fd); throw Failure(description: "\(path): socket path too long") }
        let rc = storage.withUnsafeBytes { Glibc.connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(length)) }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw Failure(description: "cannot reach scanledgerd at \(path): \(String(cString: strerror(e))) (is it running? --socket PATH or SCANLEDGER_SOCKET)")
        }
        return fd
    }

    /// Sends one request and calls `body` for each answer line until it returns false or the daemon closes.
    static func stream(_ path: String, _ request: [String: Any], _ body: ([String: Any]) -> Bool) throws {
        let fd = try connect(path)
        defer { close(fd) }
        var data = try JSONSerialization.data(withJSONObject: request, options: [.sortedKeys])
        data.append(0x0A)
        let sent = data.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == data.count else { throw Failure(description: "could not send the request to \(path)") }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            while let nl = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<nl])
                buffer.removeFirst(nl + 1)
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    throw Failure(description: "scanledgerd sent something that is not a JSON object")
                }
                if !body(object) { return }
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// One request, one answer; a daemon-side error becomes a Failure.
    static func request(_ path: String, _ request: [String: Any]) throws -> [String: Any] {
        var answer: [String: Any]? = nil
        try stream(path, request) { answer = $0; return false }
        guard let answer else { throw Failure(description: "scanledgerd closed the connection without an answer") }
        if answer["ok"] as? Bool != true { throw Failure(description: answer["error"] as? String ?? "request failed") }
        return answer
    }

    static func json(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Sends one request: --json prints the answer, else `render` does.
    static func run(_ args: ParsedArguments, _ request: [String: Any], render: ([String: Any]) -> String) -> Int32 {
        do {
            var answer = try Self.request(socketPath(args), request)
            answer.removeValue(forKey: "ok")
            LedgerCLI.emit(args.flag("--json") ? json(answer) + "\n" : render(answer))
            return 0
        } catch {
            LedgerCLI.fail("\(error)")
            return 1
        }
    }

    /// A plain text table with aligned columns.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    static func text(_ v: Any?) -> String {
        switch v {
        case nil, is NSNull: return "-"
        case let s as String: return s
        case let n as NSNumber where n === jsonTrue || n === jsonFalse: return n.boolValue ? "yes" : "no"
        case let n as NSNumber: return n.stringValue
        case let a as [Any]: return a.map { text($0) }.joined(separator: ",")
        default: return "\(v!)"
        }
    }
}

// JSONSerialization's booleans are these two shared NSNumbers on Linux; 0 and 1 are not.
private let jsonTrue = (try? JSONSerialization.jsonObject(with: Data("[true]".utf8)) as? [NSNumber])?.first
private let jsonFalse = (try? JSONSerialization.jsonObject(with: Data("[false]".utf8)) as? [NSNumber])?.first
