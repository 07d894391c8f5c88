import Foundation
import ScanModel

/// `scanledger top`: the floor at a glance, redrawn every second from the
/// control socket (status, devices, stations, and the watch stream for
/// recent activity). On a terminal it takes the screen until `q`; to a pipe
/// or with `--once` it prints one plain snapshot and exits.
let topCommand = CommandSpec("top", summary: "a live view of the floor: devices, stations, operators, recent scans, postings per minute, forwarding", options: [
    .flag("--once", "print one plain-text snapshot and exit (what a pipe or a file gets anyway)"),
] + ControlClient.options, notes: """
    On a terminal: redraws every second, fits any size from 80×24 up (rows are cut, never wrapped);
    q or Ctrl-C quits and puts the terminal back. --json (with --once, or to a pipe) prints the status,
    devices and stations answers as one JSON object.
    """) { args in
    let source = TopSource(socket: ControlClient.socketPath(args))
    if args.flag("--once") || isatty(1) != 1 { return TopCommand.snapshot(source, json: args.flag("--json")) }
    return TopCommand.live(source)
}

enum TopCommand {
    /// One read of the three answers; a failure leaves `problem` set.
    static func read(_ source: TopSource, into s: inout TopSnapshot) {
        do {
            let status = try source.request("status")
            let devices = try source.request("devices")["devices"]?.items ?? []
            let stations = try source.request("stations")["stations"]?.items ?? []
            (s.status, s.devices, s.stations, s.problem) = (status, devices, stations, nil)
        } catch {
            s.problem = "\(error)"
        }
        s.now = Date()
    }

    static func snapshot(_ source: TopSource, json: Bool) -> Int32 {
        var s = TopSnapshot()
        read(source, into: &s)
        if let problem = s.problem { LedgerCLI.fail(problem); return 1 }
        if json {
            let object: JSONValue = .object([("status", s.status?.value ?? .null), ("devices", .array(s.devices)), ("stations", .array(s.stations))]
                .map { JSONMember(key: $0.0, keyPosition: SourcePosition(line: 1, column: 1), value: JSONNode($0.1, at: SourcePosition(line: 1, column: 1))) })
            LedgerCLI.emit(JSONText.encode(object) + "\n")
            return 0
        }
        let width = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 80
        let rows = TopScreen(width: max(40, width), height: .max, styled: false).render(s)
        LedgerCLI.emit(rows.joined(separator: "\n") + "\n")
        return 0
    }

    static func live(_ source: TopSource) -> Int32 {
        let terminal: TopTerminal
        do {
            terminal = try TopTerminal()
            try terminal.enter()
        } catch {
            LedgerCLI.fail("top: cannot set up the terminal: \(error)")
            return 1
        }
        defer { terminal.restore() }
        source.startWatching()
        var s = TopSnapshot()
        var samples: [(time: Date, postings: Int64)] = []
        var fresh = true
        while true {
            if fresh {
                read(source, into: &s)
                if let postings = s.status?["ledger_postings"]?.int {
                    samples.append((s.now, postings))
                    samples.removeAll { s.now.timeIntervalSince($0.time) > 60 }
                }
                s.postingsPerMinute = rate(samples)
            }
            s.recent = source.recentEvents
            let size = terminal.size
            terminal.draw(TopScreen(width: size.width, height: size.height, styled: true).render(s))
            switch terminal.wait(seconds: 1) {
            case .quit: return 0
            case .resize: fresh = false
            case .timeout: fresh = true
            }
        }
    }

    /// Postings per minute between the oldest and newest sample of the last minute.
    static func rate(_ samples: [(time: Date, postings: Int64)]) -> Double? {
        guard let first = samples.first, let last = samples.last else { return nil }
        let seconds = last.time.timeIntervalSince(first.time)
        guard seconds >= 1 else { return nil }
        return Double(last.postings - first.postings) / seconds * 60
    }
}
