import Foundation
import ScanModel

/// One refresh of `scanledger top`: the daemon's answers plus what the
/// client measured (postings per minute over the last minute).
struct TopSnapshot {
    var status: JSONNode?
    var devices: [JSONNode] = []
    var stations: [JSONNode] = []
    /// Why the daemon could not be read this time (nil when it answered).
    var problem: String?
    var recent: (events: [TopRecent], error: String?)?
    /// Postings per minute over the last minute, nil until two samples exist.
    var postingsPerMinute: Double?
    var now = Date()
}

/// Lays a snapshot out as lines of at most `width` columns and exactly
/// `height` rows: every line is cut, never wrapped, and a section that does
/// not fit says how many rows it left out. Styled output wraps lines in
/// ANSI attributes after cutting, so escapes never count as columns.
struct TopScreen {
    var width: Int
    var height: Int
    var styled: Bool

    func render(_ s: TopSnapshot) -> [String] {
        var head: [Line] = [header(s)]
        head += summary(s)
        if let problem = s.problem { head.append(Line("! \(problem)", .error)) }
        let footer = Line(styled ? "q quit · refreshed every second" : "", .dim)
        let devices = deviceLines(s), stations = stationLines(s), recent = recentLines(s)
        // What is left under the summary: devices and stations first, capped so recent activity keeps some rows.
        var room = max(0, height - head.count - (styled ? 1 : 0))
        let deviceRows = min(devices.count, max(2, room / 3)); room -= deviceRows
        let stationRows = min(stations.count, max(2, room / 2)); room -= stationRows
        var body = head + fit(devices, deviceRows) + fit(stations, stationRows) + fit(recent, room)
        if !styled {
            // A snapshot to a file or a pipe: every row, nothing padded.
            body = head + devices + stations + recent
            return body.map { cut($0.text) }
        }
        body = Array(body.prefix(height - 1))
        while body.count < height - 1 { body.append(Line("")) }
        return (body + [footer]).map(paint)
    }

    // MARK: sections

    private func header(_ s: TopSnapshot) -> Line {
        let box = s.status?["box_id"]?.text ?? "?"
        let up = s.status?["uptime_seconds"]?.int.map(Self.duration) ?? "-"
        let clock = Self.clock(s.now)
        return Line("scanledger top — box \(box) — up \(up) — \(clock) UTC", .header)
    }

    private func summary(_ s: TopSnapshot) -> [Line] {
        guard let st = s.status else { return [] }
        let rate = s.postingsPerMinute.map { String(format: "%.1f/min (last minute)", $0) } ?? averageRate(st)
        let live = st["live"]?.bool == false ? "  NOT LIVE" : ""
        var lines = [Line("postings \(rate) · ledger \(st["ledger_postings"]?.text ?? "-") · since start \(st["postings_since_start"]?.text ?? "-") posted, "
                          + "\(st["rejected_since_start"]?.text ?? "-") rejected\(live)", live.isEmpty ? .plain : .error)]
        if let f = st["forwarding"], f.value != .null {
            let lag = f["lag_seconds"]?.double.map { String(format: "%.1f s", $0) } ?? "-"
            let alarm = f["backlog_alarm"]?.bool == true ? " ALARM" : ""
            let error = f["last_error"]?.text.map { " · last error: \($0)" } ?? ""
            lines.append(Line("forwarding \(f["state"]?.text ?? "-") · backlog \(f["backlog_postings"]?.text ?? "-") postings, "
                              + "\(f["backlog_journal_entries"]?.text ?? "-") journal entries\(alarm) · lag \(lag)\(error)",
                              alarm.isEmpty && error.isEmpty ? .plain : .warning))
        } else {
            lines.append(Line("forwarding not configured (no central section)", .dim))
        }
        return lines
    }

    /// Without two samples yet (`--once`): the average since the daemon started.
    private func averageRate(_ st: JSONNode) -> String {
        guard let posted = st["postings_since_start"]?.double, let up = st["uptime_seconds"]?.double, up >= 1 else { return "-/min" }
        return String(format: "%.1f/min (average since start)", posted / up * 60)
    }

    private func deviceLines(_ s: TopSnapshot) -> [Line] {
        func state(_ d: JSONNode) -> String { d["state"]?.text ?? (d["connected"]?.bool == true ? "up" : "down") }
        let upCount = s.devices.filter { state($0) == "up" }.count
        var lines = [Line("DEVICES \(upCount)/\(s.devices.count) up", .section),
                     Line(row(["name", "state", "driver", "station", "scans", "tags", "recon", "last seen"]), .column)]
        for d in s.devices {
            let c = d["counters"]
            // Degraded (open, but nothing valid arrives) is not up either;
            // an older daemon only says connected or not.
            let up = state(d) == "up"
            lines.append(Line(row([d["name"]?.text ?? "?", up ? "up" : state(d).uppercased(), d["driver"]?.text ?? "-", d["station"]?.text ?? "-",
                                   c?["scans"]?.text ?? "0", c?["tag_reads"]?.text ?? "0", c?["reconnects"]?.text ?? "0",
                                   c?["last_seen"]?.int.map { Self.ago($0, s.now) } ?? "never"]), up ? .plain : .error))
            if !up, let reason = d["reason"]?.text { lines.append(Line("  " + reason, .error)) }
        }
        return lines
    }

    private func stationLines(_ s: TopSnapshot) -> [Line] {
        let open = s.stations.filter { $0["open"]?.bool == true }.count
        var lines = [Line("STATIONS \(open)/\(s.stations.count) open", .section),
                     Line(row(["name", "type", "operator", "state", "document", "progress", "last error"]), .column)]
        for st in s.stations {
            let view = st["view"]
            let lines_ = view?["lines"]?.items ?? []
            let scanned = lines_.compactMap { $0["scanned"]?.int }.reduce(0, +)
            let expected = lines_.compactMap { $0["expected"]?.int }
            let progress = lines_.isEmpty ? "-" : expected.isEmpty ? "\(scanned)" : "\(scanned)/\(expected.reduce(0, +))"
            let error = view?["last_error"]?.text
            lines.append(Line(row([st["name"]?.text ?? "?", st["type"]?.text ?? "-", st["operator"]?.text ?? "-", view?["state"]?.text ?? "-",
                                   view?["document"]?.text ?? "-", progress, error ?? "-"]), error == nil ? .plain : .warning))
        }
        return lines
    }

    private func recentLines(_ s: TopSnapshot) -> [Line] {
        guard let recent = s.recent else { return [] }
        var lines = [Line("RECENT scans and outcomes, newest first", .section)]
        if let error = recent.error { lines.append(Line("! \(error)", .error)) }
        if recent.events.isEmpty { lines.append(Line("(nothing yet)", .dim)) }
        for e in recent.events {
            let time = Self.clock(Date(timeIntervalSince1970: Double(e.time) / 1e6))
            let tone: Tone = switch e.severity { case "error": .error; case "warning": .warning; case "done": .good; default: .plain }
            lines.append(Line("\(time) \(e.text)", tone))
        }
        return lines
    }

    // MARK: layout

    /// Columns of a section's table; widths fit 80 columns, the last one takes the rest.
    private func row(_ cells: [String]) -> String {
        let widths = cells.count == 8 ? [14, 9, 8, 10, 7, 7, 7] : [12, 10, 9, 12, 14, 9]
        return cells.enumerated().map { i, c in
            guard i < widths.count else { return c }
            let w = widths[i]
            let t = c.count > w - 1 ? String(c.prefix(w - 2)) + "…" : c
            return t.padding(toLength: w, withPad: " ", startingAt: 0)
        }.joined()
    }

    /// The first `rows` lines of a section; when some are left out, the last row says how many.
    private func fit(_ lines: [Line], _ rows: Int) -> [Line] {
        guard lines.count > rows else { return lines }
        guard rows > 0 else { return [] }
        return Array(lines.prefix(rows - 1)) + [Line("… \(lines.count - rows + 1) more (a taller terminal shows them)", .dim)]
    }

    /// Cut to the width in characters; control characters from device data become '?'.
    private func cut(_ text: String) -> String {
        let clean = String(text.map { $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } ? "?" : $0 })
        return clean.count > width ? String(clean.prefix(max(0, width - 1))) + "…" : clean
    }

    private func paint(_ line: Line) -> String {
        var text = cut(line.text)
        if line.tone == .header || line.tone == .column { text = text.padding(toLength: width, withPad: " ", startingAt: 0) }
        let codes: String = switch line.tone {
        case .plain: ""
        case .header: "7"
        case .section: "1"
        case .column: "4"
        case .dim: "2"
        case .good: "32"
        case .warning: "33"
        case .error: "1;31"
        }
        // Erase to the end of the row, so a shorter line leaves nothing of the last frame.
        return (codes.isEmpty ? text : "\u{1B}[\(codes)m\(text)\u{1B}[0m") + "\u{1B}[K"
    }

    enum Tone { case plain, header, section, column, dim, good, warning, error }
    struct Line {
        var text: String
        var tone: Tone
        init(_ text: String, _ tone: Tone = .plain) { self.text = text; self.tone = tone }
    }

    /// HH:MM:SS in UTC.
    static func clock(_ date: Date) -> String {
        let s = Int64(date.timeIntervalSince1970.rounded(.down)) % 86_400
        return String(format: "%02d:%02d:%02d", s / 3_600, s % 3_600 / 60, s % 60)
    }

    static func duration(_ seconds: Int64) -> String {
        seconds >= 86_400 ? "\(seconds / 86_400)d \(seconds % 86_400 / 3_600)h" : String(format: "%d:%02d:%02d", seconds / 3_600, seconds % 3_600 / 60, seconds % 60)
    }

    static func ago(_ micros: Int64, _ now: Date) -> String {
        let s = max(0, Int64(now.timeIntervalSince1970) - micros / 1_000_000)
        return s < 60 ? "\(s)s ago" : s < 3_600 ? "\(s / 60)m ago" : "\(s / 3_600)h ago"
    }
}
